#!/usr/bin/env python3
# MDAnalysis side of the BENCHMARKS.md "Issue 20" timing: residues (molecules) made whole along bonds and their
# centres of mass, every frame of /tmp/bench20/big.lammpstrj (scripts/bench/replicate-molecules.py 4 200).
import sys, time, warnings
warnings.filterwarnings('ignore')
import numpy as np, MDAnalysis as mda
t0 = time.perf_counter()
u = mda.Universe('/tmp/bench20/big.data', '/tmp/bench20/big.lammpstrj', topology_format='DATA', format='LAMMPSDUMP', atom_style='id resid type charge x y z')
t1 = time.perf_counter()
n = 0
for ts in u.trajectory:
    n += 1
t2 = time.perf_counter()
for ts in u.trajectory:
    u.atoms.unwrap(compound='fragments')
    c = u.atoms.center_of_mass(compound='residues')
t3 = time.perf_counter()
print(f'MDAnalysis {mda.__version__}: universe {t1-t0:.2f} s, read {n} frames {t2-t1:.2f} s, read + unwrap + residue COM {t3-t2:.2f} s')
