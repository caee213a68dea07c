"""Reads a whole LAMMPS dump with MDAnalysis (the peer in read-throughput.sh) and prints one JSON
line: frames, atoms, seconds (Universe creation, which parses the topology and counts frames,
plus iterating every frame). usage: read-mdanalysis.py FILE"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
t0 = time.perf_counter()
import MDAnalysis as mda  # noqa: E402  (import time is not counted)

start = time.perf_counter()
u = mda.Universe(sys.argv[1], format="LAMMPSDUMP", topology_format="LAMMPSDUMP")
frames = 0
checksum = 0.0
for ts in u.trajectory:
    frames += 1
    checksum += float(ts.positions[-1, 2])
seconds = time.perf_counter() - start
print(json.dumps({"reader": "MDAnalysis " + mda.__version__, "frames": frames, "atoms": u.atoms.n_atoms,
                  "seconds": seconds, "checksum": checksum}))
