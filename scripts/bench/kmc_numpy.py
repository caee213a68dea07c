#!/usr/bin/env python3
"""A straightforward NumPy residence-time KMC of the same model as ionfield's native engine:
FCC supercell of N^3 conventional cells, one vacancy, a binary alloy with rates
W = nu_s exp(-(E0_s + dE/2)/kT) and (optionally) nearest-neighbour pair interactions J[a][b].
Each step is vectorised over the 12 exit jumps. Prints JSON: steps, seconds, steps_per_second,
and the tracer D of species 0 (a^2 nu) as a sanity value.

usage: kmc_numpy.py N STEPS [--interacting] [--seed S]
"""
import json
import sys
import time

import numpy as np


def fcc_sites(n):
    basis = np.array([[0, 0, 0], [1, 1, 0], [1, 0, 1], [0, 1, 1]])
    cells = np.array([[i, j, k] for k in range(n) for j in range(n) for i in range(n)])
    pos = (2 * cells[:, None, :] + basis[None, :, :]).reshape(-1, 3)
    return pos


def main():
    n, steps = int(sys.argv[1]), int(sys.argv[2])
    interacting = "--interacting" in sys.argv
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    rng = np.random.default_rng(seed)
    L = 2 * n
    pos = fcc_sites(n)
    lookup = -np.ones((L, L, L), dtype=np.int64)
    lookup[pos[:, 0], pos[:, 1], pos[:, 2]] = np.arange(len(pos))
    vec = np.array([v for v in (np.array(list(np.ndindex(5, 5, 5))) - 2) if (v @ v) == 2])  # 12 NN vectors (a/2 units)
    w = (pos[:, None, :] + vec[None, :, :]) % L
    nb = lookup[w[..., 0], w[..., 1], w[..., 2]]  # sites x 12
    sites = len(pos)
    occ = np.zeros(sites, dtype=np.int64)
    occ[: (sites - 1) // 2] = 1
    occ[-1] = 2  # vacancy code 2
    rng.shuffle(occ)
    kT = 8.617333262e-5 * 1000.0
    base = np.array([1.0, 0.3, 0.0])
    J = np.zeros((3, 3))
    if interacting:
        J[:2, :2] = [[-0.02, 0.01], [0.01, -0.02]]
    atom_at = np.where(occ != 2, np.cumsum(occ != 2) - 1, -1)
    species = occ[occ != 2]
    disp = np.zeros((len(species), 3), dtype=np.int64)
    v = int(np.flatnonzero(occ == 2)[0])
    t = 0.0
    start = time.perf_counter()
    for _ in range(steps):
        targets = nb[v]
        s = occ[targets]
        rates = base[s].copy()
        if interacting:
            # dE = sum_k J[s, occ'(k)] over N(v) with the target vacated, minus sum over N(target)
            e_final = J[s[:, None], occ[targets][None, :]].sum(axis=1) - J[s, s]
            e_init = J[s[:, None], occ[nb[targets]]].sum(axis=1)
            rates *= np.exp(-0.5 * (e_final - e_init) / kT)
        total = rates.sum()
        k = int(np.searchsorted(np.cumsum(rates), rng.random() * total, side="right"))
        k = min(k, 11)
        t += 1.0 / total
        n_site = targets[k]
        a = atom_at[n_site]
        disp[a] -= vec[k]
        occ[v], occ[n_site] = occ[n_site], 2
        atom_at[v], atom_at[n_site] = a, -1
        v = int(n_site)
    seconds = time.perf_counter() - start
    d0 = float(((0.5 * disp[species == 0]) ** 2).sum() / (6 * t * (species == 0).sum()))
    print(json.dumps({"steps": steps, "seconds": seconds, "stepsPerSecond": steps / seconds, "sites": sites, "tracer_D0": d0}))


if __name__ == "__main__":
    main()
