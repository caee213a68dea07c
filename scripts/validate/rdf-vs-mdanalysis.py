#!/usr/bin/python3
"""Independent reference for ionfield's g_ab(r): MDAnalysis InterRDF on the same frames.

usage: /usr/bin/python3 scripts/validate/rdf-vs-mdanalysis.py TRAJ.lammpstrj[.gz] STRIDE R_MAX BINS
Prints JSON {"1-1": [g...], "1-2": [...], "2-2": [...]} (bin centres from 0 to R_MAX).
Self pairs are excluded with exclusion_block=(1, 1), so like-species g uses N(N-1) pairs as ionfield does.
"""
import gzip, json, os, sys, tempfile

import MDAnalysis as mda
from MDAnalysis.analysis.rdf import InterRDF

path, stride, rmax, bins = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
tmp = None
# MDAnalysis 2.4's dump reader wants a plain file without the optional "ITEM: TIME" section:
# copy the frames without it (positions, box and order are untouched).
tmp = tempfile.NamedTemporaryFile('w', suffix='.lammpstrj', delete=False)
with (gzip.open(path, 'rt') if path.endswith('.gz') else open(path)) as src:
    skip = False
    for line in src:
        if skip:
            skip = False
            continue
        if line.strip() == 'ITEM: TIME':
            skip = True
            continue
        tmp.write(line)
tmp.close()
path = tmp.name
try:
    u = mda.Universe(path, format='LAMMPSDUMP')
    types = sorted(set(u.atoms.types), key=lambda t: int(t) if t.isdigit() else t)
    out = {}
    for i, a in enumerate(types):
        for b in types[i:]:
            ga, gb = u.select_atoms(f'type {a}'), u.select_atoms(f'type {b}')
            kw = {'exclusion_block': (1, 1)} if a == b else {}
            r = InterRDF(ga, gb, nbins=bins, range=(0.0, rmax), **kw).run(step=stride)
            out[f'{a}-{b}'] = [float(x) for x in r.results.rdf]
    print(json.dumps(out))
finally:
    if tmp:
        os.unlink(tmp.name)
