#!/usr/bin/env python3
"""Independent analysis of the LiPF6-in-water example with MDAnalysis: residues of the .gro are the
molecules; each is made whole by minimum image from its first atom (numpy), its centre of mass
taken with the force field's masses, centres made continuous across frames by minimum image, then
EinsteinMSD (all origins) per residue name, and the mean square charge displacement of the centres
(net charges +1 Li, -1 PF6, 0 water). Prints JSON {RESNAME: [MSD per lag in frames], "charge": [...]}.
usage: mdanalysis-check.py GRO XTC MAXLAG"""
import json
import sys
import warnings

import numpy as np
import MDAnalysis as mda
from MDAnalysis.analysis.msd import EinsteinMSD
from MDAnalysis.coordinates.memory import MemoryReader

warnings.filterwarnings('ignore')
gro, xtc, max_lag = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = mda.Universe(gro, xtc)
mass_of = {'P': 30.97376, 'F': 18.9984, 'LI': 6.941, 'OW': 15.9994, 'HW': 1.008}
masses = np.array([mass_of['F' if n.startswith('F') else 'HW' if n.startswith('HW') else n] for n in u.atoms.names])
charge_of = {'PF6': -1.0, 'LI': 1.0, 'SOL': 0.0}
res = u.residues
first = np.array([r.atoms.indices[0] for r in res])
owner = u.atoms.resindices
coms = np.empty((u.trajectory.n_frames, len(res), 3))
for i, ts in enumerate(u.trajectory):
    box = ts.dimensions[:3]
    x = u.atoms.positions.astype(np.float64)
    d = x - x[first[owner]]
    d -= box * np.round(d / box)
    whole = x[first[owner]] + d
    m = np.bincount(owner, weights=masses)
    coms[i] = np.stack([np.bincount(owner, weights=masses * whole[:, k]) / m for k in range(3)], axis=1)
    if i:
        step = coms[i] - coms[i - 1]
        step -= box * np.round(step / box)
        coms[i] = coms[i - 1] + step
centres = mda.Universe.empty(len(res), trajectory=True)
centres.load_new(coms, format=MemoryReader)
out = {}
names = np.array([r.resname for r in res])
for name in sorted(set(names)):
    idx = np.where(names == name)[0]
    out[name] = [float(v) for v in EinsteinMSD(centres.atoms[idx], msd_type='xyz', fft=False).run().results.timeseries[: max_lag + 1]]
z = np.array([charge_of[n] for n in names])
J = (coms * z[None, :, None]).sum(axis=1)
out['charge'] = [0.0] + [float(((J[lag:] - J[:-lag]) ** 2).sum(axis=1).mean()) for lag in range(1, max_lag + 1)]
print(json.dumps(out))
