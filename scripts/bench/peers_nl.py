"""Neighbour-list peers for scripts/bench/peers.ts, timed on the frame ionfield dumped (.npy):
MDAnalysis FastNS.self_search and self_capped_distance (pairs + distances, one thread: MDAnalysis'
grid search is serial), and vesin's Python package when it is importable (pairs + shifts, the
same output as ionfield's list without distances).

usage: peers_nl.py <dir with positions.npy (N x 3) and box.npy (3 lengths)> <cutoff> <repeats> <threads>
Prints one JSON object: per tool, the wall seconds of every repeat (after one warm-up) and the
half-pair count, so that the caller can check that every tool found the same pairs.
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
from MDAnalysis.lib.distances import self_capped_distance  # noqa: E402
from MDAnalysis.lib.nsgrid import FastNS  # noqa: E402

directory, cutoff, repeats, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x = np.load(f"{directory}/positions.npy").reshape(-1, 3)
lengths = np.load(f"{directory}/box.npy")
mda_box = np.array([*lengths, 90.0, 90.0, 90.0], dtype=np.float32)


def timed(fn):
    """Warm-up, then the wall seconds of each repeat and the last value."""
    value = fn()
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        seconds.append(time.perf_counter() - t0)
    return seconds, value


def fastns():
    # FastNS wants float32 coordinates; the conversion is part of what a user pays.
    res = FastNS(cutoff, x.astype(np.float32), mda_box, pbc=True).self_search()
    return res.get_pairs(), res.get_pair_distances()


result = {}
s, (pairs, _) = timed(fastns)
result["mdanalysisFastNs"] = {"seconds": s, "pairs": int(len(pairs)), "threads": 1}
s, (pairs, _) = timed(lambda: self_capped_distance(x, cutoff, box=mda_box, return_distances=True))
result["mdanalysisSelfCappedDistance"] = {"seconds": s, "pairs": int(len(pairs)), "threads": 1}
try:
    import vesin  # noqa: E402

    nl = vesin.NeighborList(cutoff=cutoff, full_list=False)
    s, (i, _, _) = timed(lambda: nl.compute(points=x, box=np.diag(lengths), periodic=True, quantities="ijS"))
    result["vesinPython"] = {"seconds": s, "pairs": int(len(i)), "threads": threads, "version": getattr(vesin, "__version__", "?")}
except ImportError as e:
    result["vesinPython"] = {"skipped": f"not importable ({e})"}
print(json.dumps(result))
