#!/usr/bin/env python3
# MDAnalysis side of the BENCHMARKS.md "Issue 20" timings: residues (molecules) made whole along bonds and their
# centres of mass, frame by frame, the loop an MDAnalysis user writes; the bare read is timed on its own too.
# usage: molecule-com-mdanalysis.py [DATA TRAJ [FRAMES]]
#   default: /tmp/bench20/big.data /tmp/bench20/big.lammpstrj (scripts/bench/replicate-molecules.py 4 200), every frame;
#   FRAMES: only the first FRAMES frames (the 10^5-atom XTC of make-molecular-xtc.ts is too long to loop whole).
# Prints wall and CPU seconds; CPU time is the steadier figure on a shared machine.
import sys, time, warnings
warnings.filterwarnings('ignore')
import numpy as np, MDAnalysis as mda

data = sys.argv[1] if len(sys.argv) > 1 else '/tmp/bench20/big.data'
traj = sys.argv[2] if len(sys.argv) > 2 else '/tmp/bench20/big.lammpstrj'
limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
extra = {'format': 'LAMMPSDUMP'} if traj.endswith('.lammpstrj') else {}
clock = lambda: (time.perf_counter(), time.process_time())
t0 = clock()
u = mda.Universe(data, traj, topology_format='DATA', atom_style='id resid type charge x y z', **extra)
t1 = clock()
frames = u.trajectory[:limit] if limit else u.trajectory
n = 0
for ts in frames:
    n += 1
t2 = clock()
frames = u.trajectory[:limit] if limit else u.trajectory
for ts in frames:
    u.atoms.unwrap(compound='fragments')
    c = u.atoms.center_of_mass(compound='residues')
t3 = clock()
span = lambda a, b: f'{b[0]-a[0]:.2f} s (CPU {b[1]-a[1]:.2f} s)'
print(f'MDAnalysis {mda.__version__}: {u.atoms.n_atoms} atoms, {len(u.residues)} residues; universe {span(t0, t1)}, '
      f'read {n} frames {span(t1, t2)}, read + unwrap + residue COM {span(t2, t3)}')
