#!/usr/bin/python3
"""Peers for scripts/bench/descriptors.ts, timed on the very same frames (read from .npy files):
ASE's neighbor_list and MDAnalysis' self_capped_distance (neighbour lists), and a straightforward
PyTorch implementation of the benchmark descriptor set (dense, padded neighbour tensors; float64).

usage: descriptors_peers.py <dir with positions.npy, box.npy, species.npy, set.json> <threads> <out.json>
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402

directory, threads, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
positions = np.load(f"{directory}/positions.npy")  # frames x N x 3
box = np.load(f"{directory}/box.npy")  # 3 lengths (cubic/orthorhombic)
species = np.load(f"{directory}/species.npy")  # N ints (0, 1)
fset = json.load(open(f"{directory}/set.json"))  # expanded functions, per centre species
cut_radial, cut_angular = 6.0, 4.0
result = {}


def timed(fn):
    """(wall seconds, process CPU seconds, value) of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - t0, time.process_time() - c0, value


# ---------------------------------------------------------------- neighbour lists
import ase  # noqa: E402
from ase.neighborlist import neighbor_list  # noqa: E402
from MDAnalysis.lib.distances import self_capped_distance  # noqa: E402

mda_box = np.array([box[0], box[1], box[2], 90.0, 90.0, 90.0], dtype=np.float32)
for rc in (cut_radial, cut_angular):
    ase_t, mda_t, ase_c, mda_c, ase_pairs, mda_pairs = [], [], [], [], 0, 0
    for x in positions:
        atoms = ase.Atoms(numbers=np.ones(len(x), dtype=int), positions=x, cell=np.diag(box), pbc=True)
        t, c, (i, j, d) = timed(lambda: neighbor_list("ijd", atoms, rc))
        ase_t.append(t)
        ase_c.append(c)
        ase_pairs = len(i) // 2  # ASE returns the full list
        t, c, (pairs, dist) = timed(lambda: self_capped_distance(x.astype(np.float64), rc, box=mda_box, return_distances=True))
        mda_t.append(t)
        mda_c.append(c)
        mda_pairs = len(pairs)
    result[f"ase_neighbor_list_rc{rc:g}"] = {"secondsPerFrame": float(np.median(ase_t)), "cpuSecondsPerFrame": float(np.median(ase_c)), "pairsHalf": int(ase_pairs), "note": "full list (i,j,d); pairs halved"}
    result[f"mdanalysis_self_capped_distance_rc{rc:g}"] = {"secondsPerFrame": float(np.median(mda_t)), "cpuSecondsPerFrame": float(np.median(mda_c)), "pairsHalf": int(mda_pairs)}

# ---------------------------------------------------------------- PyTorch descriptors
import torch  # noqa: E402

torch.set_num_threads(threads)
dt = torch.float64


def fc(r, rc):
    return torch.where(r < rc, 0.5 * (torch.cos(torch.pi * r / rc) + 1.0), torch.zeros_like(r))


def torch_descriptors(x):
    """Benchmark set, straightforwardly: minimum-image all-pairs distances in chunks (box > 2 rc),
    radial by index_add over pairs, angular over padded per-centre neighbour tensors (all j<k)."""
    pos = torch.as_tensor(x, dtype=dt)
    L = torch.as_tensor(box, dtype=dt)
    sp = torch.as_tensor(species, dtype=torch.long)
    n = pos.shape[0]
    nfeat = max(len(v) for v in fset.values())
    out = torch.zeros((n, nfeat), dtype=dt)
    pi, pj, pr, pv = [], [], [], []
    for c0 in range(0, n, 512):
        d = pos[None, :, :] - pos[c0:c0 + 512, None, :]
        d = d - L * torch.round(d / L)
        r = torch.linalg.norm(d, dim=-1)
        r[torch.arange(r.shape[0]), torch.arange(c0, c0 + r.shape[0])] = float("inf")
        ii, jj = torch.nonzero(r < cut_radial, as_tuple=True)
        pi.append(ii + c0), pj.append(jj), pr.append(r[ii, jj]), pv.append(d[ii, jj])
    i, j, r, v = torch.cat(pi), torch.cat(pj), torch.cat(pr), torch.cat(pv)
    # radial
    for centre, funcs in fset.items():
        c = int(centre)
        for col, f in enumerate(funcs):
            if f["type"] != "G2":
                continue
            m = (sp[i] == c) & (sp[j] == f["n1"]) & (r < f["cutoff"])
            val = torch.exp(-f["eta"] * (r[m] - f["rs"]) ** 2) * fc(r[m], f["cutoff"])
            out[:, col].index_add_(0, i[m], val)
    # angular: padded neighbours within the angular cutoff
    a = r < cut_angular
    ia, ra, va, sa = i[a], r[a], v[a], sp[j[a]]
    counts = torch.bincount(ia, minlength=n)
    M = int(counts.max())
    start = torch.cumsum(counts, 0) - counts
    slot = torch.arange(len(ia)) - start[ia]
    R = torch.full((n, M), float("inf"), dtype=dt)
    U = torch.zeros((n, M, 3), dtype=dt)
    S = torch.full((n, M), -1, dtype=torch.long)
    R[ia, slot], U[ia, slot], S[ia, slot] = ra, va / ra[:, None], sa
    upper = torch.triu(torch.ones(M, M, dtype=torch.bool), diagonal=1)
    angular = [(int(c), col, f) for c, funcs in fset.items() for col, f in enumerate(funcs) if f["type"] == "G5"]
    for c0 in range(0, n, 256):
        sl = slice(c0, c0 + 256)
        cos = torch.einsum("cmk,cnk->cmn", U[sl], U[sl])
        s1, s2 = S[sl][:, :, None], S[sl][:, None, :]
        weights, masks = {}, {}  # shared by functions with the same eta / species pair
        for c, col, f in angular:
            key_w = (f["eta"], f["cutoff"])
            if key_w not in weights:
                w = torch.exp(-f["eta"] * R[sl] ** 2) * fc(R[sl], f["cutoff"])
                weights[key_w] = w[:, :, None] * w[:, None, :]
            key_m = (f["n1"], f["n2"])
            if key_m not in masks:
                masks[key_m] = (((s1 == f["n1"]) & (s2 == f["n2"])) | ((s1 == f["n2"]) & (s2 == f["n1"]))) & upper
            term = (1 + f["lambda"] * cos).clamp(min=0) ** f["zeta"] * weights[key_w]
            g = 2.0 ** (1 - f["zeta"]) * (term * masks[key_m]).sum(dim=(1, 2))
            rows = sp[sl] == c
            out[sl, col] = torch.where(rows, g, out[sl, col])
    return out


times, cpu = [], []
values = None
for x in positions:
    t, c, values_frame = timed(lambda: torch_descriptors(x))
    times.append(t)
    cpu.append(c)
    if values is None:
        values = values_frame.numpy()
np.save(f"{directory}/torch_frame0.npy", values)
result["torch_descriptors"] = {"secondsPerFrame": float(np.median(times)), "cpuSecondsPerFrame": float(np.median(cpu)), "threads": threads, "torch": torch.__version__}
json.dump(result, open(out_path, "w"), indent=1)
