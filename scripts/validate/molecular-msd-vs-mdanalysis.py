#!/usr/bin/env python3
"""Centre-of-mass MSDs of molecular species, computed independently of ionfield with MDAnalysis:
residues (LAMMPS molecule IDs) made whole along their bonds (AtomGroup.unwrap), residue centres
of mass, centres made continuous across frames by minimum image, then EinsteinMSD over all time
origins. Prints JSON {species: [MSD at lag 0, 1, ... frames]}, species keyed by the atom types
their molecules contain ("1", "2+3"), and "charge": the MSD of J = sum_m z_m R_m (net charges). usage: molecular-msd-vs-mdanalysis.py DATA DUMP MAXLAG"""
import json
import sys
import warnings

import numpy as np
import MDAnalysis as mda
from MDAnalysis.analysis.msd import EinsteinMSD
from MDAnalysis.coordinates.memory import MemoryReader

warnings.filterwarnings('ignore')
data, dump, max_lag = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = mda.Universe(data, dump, topology_format='DATA', format='LAMMPSDUMP', atom_style='id resid type charge x y z')
res = u.residues
keys = ['+'.join(sorted(set(r.atoms.types), key=int)) for r in res]
coms = np.empty((u.trajectory.n_frames, len(res), 3))
for i, ts in enumerate(u.trajectory):
    u.atoms.unwrap(compound='fragments')
    coms[i] = u.atoms.center_of_mass(compound='residues')
    if i:
        d = coms[i] - coms[i - 1]
        box = ts.dimensions[:3]  # orthorhombic fixture
        d -= box * np.round(d / box)
        coms[i] = coms[i - 1] + d
centres = mda.Universe.empty(len(res), trajectory=True)
centres.load_new(coms.astype(np.float64), format=MemoryReader)
out = {}
for key in sorted(set(keys)):
    idx = [k for k, x in enumerate(keys) if x == key]
    msd = EinsteinMSD(centres.atoms[idx], msd_type='xyz', fft=False).run()
    out[key] = [float(v) for v in msd.results.timeseries[: max_lag + 1]]
# The charge displacement of the molecular centres, J(t) = sum_m z_m R_m(t) (net charges of the
# residues), and its mean square displacement over all origins: Einstein-Helfand's <|dJ|^2>.
z = np.round(np.array([r.atoms.charges.sum() for r in res]), 6)
J = (coms * z[None, :, None]).sum(axis=1)
out['charge'] = [0.0] + [float(((J[lag:] - J[:-lag]) ** 2).sum(axis=1).mean()) for lag in range(1, max_lag + 1)]
print(json.dumps(out))
