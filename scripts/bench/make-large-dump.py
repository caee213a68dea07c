"""Writes a large LAMMPS text dump quickly (for read-throughput benchmarks, not physics): N atoms
of two types doing a Gaussian random walk in a periodic 40 A cube, dumped like LAMMPS'
`dump custom id type q x y z ix iy iz` with %g numbers (6 significant digits), atoms sorted by id.
usage: make-large-dump.py OUT ATOMS FRAMES [SEED]     (Debian /usr/bin/python3 with numpy)
"""
import sys

import numpy as np

out, natoms, nframes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
L = 40.0
types = np.where(np.arange(natoms) % 2 == 0, 1, 2)
charges = np.where(types == 1, 1, -1)
pos = rng.uniform(0, L, size=(natoms, 3))
ids = np.arange(1, natoms + 1)
with open(out, "w") as f:
    for frame in range(nframes):
        if frame:
            pos += rng.normal(0, 0.3, size=pos.shape)
        image = np.floor(pos / L).astype(int)
        wrapped = pos - image * L
        f.write(f"ITEM: TIMESTEP\n{frame * 100}\nITEM: NUMBER OF ATOMS\n{natoms}\n"
                f"ITEM: BOX BOUNDS pp pp pp\n0.0000000000000000e+00 {L:.16e}\n"
                f"0.0000000000000000e+00 {L:.16e}\n0.0000000000000000e+00 {L:.16e}\n"
                "ITEM: ATOMS id type q x y z ix iy iz\n")
        rows = ["%d %d %d %g %g %g %d %d %d" % r for r in zip(
            ids, types, charges, wrapped[:, 0], wrapped[:, 1], wrapped[:, 2], image[:, 0], image[:, 1], image[:, 2])]
        f.write("\n".join(rows))
        f.write("\n")
