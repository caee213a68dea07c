#!/usr/bin/env python3
# Replicates test/fixtures/molecules n×n×n (data file and the first FRAMES dump frames) into
# /tmp/bench20/big.{data,lammpstrj}, for the BENCHMARKS.md "Issue 20" timing. usage: replicate-molecules.py N FRAMES

import gzip, os, sys
n, frames = int(sys.argv[1]), int(sys.argv[2])
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'molecules') + '/'
os.makedirs('/tmp/bench20', exist_ok=True)
L = 22.0
lines = open(src + 'electrolyte.data').read().split('\n')
atoms = []; bonds = []
sec = None
for ln in lines:
    t = ln.split('#')[0].strip()
    if t in ('Atoms', 'Bonds', 'Angles', 'Masses'): sec = t; continue
    if not t: continue
    f = t.split()
    if sec == 'Atoms' and len(f) == 7: atoms.append(f)
    elif sec == 'Bonds' and len(f) == 4: bonds.append(f)
na, nm = len(atoms), max(int(a[1]) for a in atoms)
cells = [(i, j, k) for i in range(n) for j in range(n) for k in range(n)]
with open('/tmp/bench20/big.data', 'w') as o:
    o.write(f'replicated\n\n{na*len(cells)} atoms\n{len(bonds)*len(cells)} bonds\n5 atom types\n2 bond types\n\n0 {L*n} xlo xhi\n0 {L*n} ylo yhi\n0 {L*n} zlo zhi\n\nMasses\n\n1 6.94 # Li\n2 10.81 # B\n3 18.998 # F\n4 15.999 # O\n5 1.008 # H\n\nAtoms # full\n\n')
    for c, (i, j, k) in enumerate(cells):
        for a in atoms:
            o.write(f'{int(a[0])+c*na} {int(a[1])+c*nm} {a[2]} {a[3]} {float(a[4])+i*L} {float(a[5])+j*L} {float(a[6])+k*L}\n')
    o.write('\nBonds\n\n')
    for c in range(len(cells)):
        for b in bonds:
            o.write(f'{int(b[0])+c*len(bonds)} {b[1]} {int(b[2])+c*na} {int(b[3])+c*na}\n')
with gzip.open(src + 'electrolyte.lammpstrj.gz', 'rt') as f, open('/tmp/bench20/big.lammpstrj', 'w') as o:
    it = iter(f)
    for fr in range(frames):
        hdr = [next(it) for _ in range(9)]
        rows = [next(it).split() for _ in range(na)]
        o.write(f'ITEM: TIMESTEP\n{hdr[1].strip()}\nITEM: NUMBER OF ATOMS\n{na*len(cells)}\nITEM: BOX BOUNDS pp pp pp\n0 {L*n}\n0 {L*n}\n0 {L*n}\nITEM: ATOMS id type x y z\n')
        for c, (i, j, k) in enumerate(cells):
            for r in rows:
                o.write(f'{int(r[0])+c*na} {r[1]} {float(r[2])+i*L:.3f} {float(r[3])+j*L:.3f} {float(r[4])+k*L:.3f}\n')
