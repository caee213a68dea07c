#!/usr/bin/python3
"""PyTorch peer for scripts/bench/train.ts: the same per-species MLP (F -> hidden... -> 1, tanh),
per-ion squared loss, Adam, mini-batches of `batch` frames (all ions of each frame), features
standardised with training statistics, on the same .npy files. Prints JSON: seconds per epoch
(mean over epochs after one warm-up epoch) for the requested dtype and thread count."""
import json
import sys
import time

import numpy as np
import torch

args = json.loads(sys.argv[1])
torch.set_num_threads(args["threads"])
torch.manual_seed(1)
dtype = torch.float64 if args["dtype"] == "float64" else torch.float32

systems = []
for sysdir in args["systems"]:
    per_species = []
    for s in args["species"]:
        x = np.load(f"{sysdir}/features-{s}.npy")
        y = np.load(f"{sysdir}/lambda-{s}.npy")
        per_species.append((torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)))
    systems.append(per_species)

# Standardisation from all training data (as ionfield does).
stats = []
for k in range(len(args["species"])):
    allx = torch.cat([sys[k][0].reshape(-1, sys[k][0].shape[-1]) for sys in systems])
    mean, std = allx.mean(0), allx.std(0, unbiased=False)
    std[std < 1e-12] = 1
    stats.append((mean, std))
ally = torch.cat([sys[k][1].reshape(-1) for sys in systems for k in range(len(args["species"]))])
yshift, yscale = ally.mean(), ally.std(unbiased=False)
systems = [[((x - stats[k][0]) / stats[k][1], (y - yshift) / yscale) for k, (x, y) in enumerate(sys)] for sys in systems]


def mlp(f):
    layers, width = [], f
    for h in args["hidden"]:
        layers += [torch.nn.Linear(width, h), torch.nn.Tanh()]
        width = h
    layers.append(torch.nn.Linear(width, 1))
    return torch.nn.Sequential(*layers).to(dtype)


nets = torch.nn.ModuleList([mlp(systems[0][k][0].shape[-1]) for k in range(len(args["species"]))])
opt = torch.optim.Adam(nets.parameters(), lr=1e-3)
frames = [(i, t) for i, sys in enumerate(systems) for t in range(sys[0][0].shape[0])]
rng = np.random.default_rng(1)


def epoch():
    order = rng.permutation(len(frames))
    for start in range(0, len(order), args["batch"]):
        chunk = [frames[j] for j in order[start:start + args["batch"]]]
        loss, count = 0, 0
        for k, net in enumerate(nets):
            # Stack the chosen frames' ions of species k: one forward pass per species per batch.
            xs = torch.cat([systems[i][k][0][t] for i, t in chunk])
            ys = torch.cat([systems[i][k][1][t] for i, t in chunk])
            loss = loss + ((net(xs).squeeze(-1) - ys) ** 2).sum()
            count += ys.numel()
        loss = loss / count
        opt.zero_grad()
        loss.backward()
        opt.step()


epoch()  # warm-up
t0 = time.perf_counter()
for _ in range(args["epochs"]):
    epoch()
print(json.dumps({"tool": f"pytorch {torch.__version__} {args['dtype']}", "threads": args["threads"],
                  "secondsPerEpoch": (time.perf_counter() - t0) / args["epochs"]}))
