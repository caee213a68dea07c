#!/usr/bin/env python3
"""An independent KMC of ionfield's lattice model, to check `ionfield kinosons kmc` against.

Written from the model's definition in docs/kinosons.md, sharing no code with native/src/lattice:
FCC or BCC supercell of N^3 conventional cells (positions in a/2), one vacancy, any number of
species with pair interactions on the first two neighbour shells; a vacancy-atom exchange has
E_a = E0_s + dE/2 and rate W = nu_s exp(-E_a/kT). Equilibrium states by Metropolis swap Monte Carlo
(two random sites with different occupants, the vacancy included), then the residence-time
algorithm (clock += 1/W_tot), vectorised over M independent trajectories with NumPy.

Tracer D of each species (a^2 per time unit of 1/nu) two ways, each mean +- standard error over
trajectories: `slope`, the MSD gained over the second half of each trajectory over 6 times the time
it took (the intercept of the MSD cancels), and `whole`, |dr|^2 / (6 t) over the whole trajectory.

  python3 scripts/kinosons/independent-kmc.py CONFIG.json [--trajectories 256] [--steps 10000]
          [--seed 1] [--sweeps 200] [--ionfield KMC.json]

CONFIG is an ionfield.kinosons-config/1 file with species counts, "vacancies": 1 and pairs on
shells 1-2; its first temperature is used. --ionfield reads `ionfield kinosons kmc --json` output
of the same config and prints the difference per species in combined standard errors.
"""
import argparse
import json

import numpy as np

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('config')
p.add_argument('--trajectories', type=int, default=256)
p.add_argument('--steps', type=int, default=10000)
p.add_argument('--seed', type=int, default=1)
p.add_argument('--sweeps', type=int, default=200, help='swap-MC sweeps before each trajectory')
p.add_argument('--ionfield', help='ionfield kinosons kmc --json output to compare with')
args = p.parse_args()
cfg = json.load(open(args.config))
if cfg.get('vacancies', 1) != 1:
    raise SystemExit('independent-kmc: one vacancy only')
M, rng = args.trajectories, np.random.default_rng(args.seed)
rows = np.arange(M)

# Lattice: sites in units of a/2, neighbour tables of shells 1 and 2.
N, L = cfg['supercell'], 2 * cfg['supercell']
if cfg['lattice'] == 'bcc':
    basis = [(0, 0, 0), (1, 1, 1)]
    shells = [[(a, b, c) for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)]]
elif cfg['lattice'] == 'fcc':
    basis = [(0, 0, 0), (1, 1, 0), (1, 0, 1), (0, 1, 1)]
    shells = [[d for d in np.ndindex(3, 3, 3) if sum(abs(x - 1) for x in d) == 2]]
    shells[0] = [tuple(x - 1 for x in d) for d in shells[0]]
else:
    raise SystemExit('independent-kmc: fcc or bcc only')
shells.append([(2, 0, 0), (-2, 0, 0), (0, 2, 0), (0, -2, 0), (0, 0, 2), (0, 0, -2)])
pos = np.array([[2 * i + b[0], 2 * j + b[1], 2 * k + b[2]] for k in range(N) for j in range(N) for i in range(N) for b in basis])
S = len(pos)
index = {tuple(q): n for n, q in enumerate(pos)}
neighbours = [np.array([[index[tuple((q + np.array(d)) % L)] for d in sh] for q in pos]) for sh in shells]
jumps = np.array(shells[0])
z = len(jumps)

# Model: species, rates and the pair energies J[shell][a][b] (the vacancy, code ns, has none).
species = cfg['species']
names = [s['name'] for s in species]
ns = len(species)
VAC = ns
kT = 8.617333262e-5 * cfg['temperatures'][0]
J = np.zeros((2, ns + 1, ns + 1))
for pair in cfg.get('pairs', []):
    a, b = names.index(pair['a']), names.index(pair['b'])
    J[pair['shell'] - 1, a, b] = J[pair['shell'] - 1, b, a] = pair['J']
nu = np.array([s['nu'] for s in species])
e0 = np.array([s.get('e0', 0.0) for s in species])
occupants = np.concatenate([np.full(s['count'], k) for k, s in enumerate(species)] + [[VAC]])
if len(occupants) != S:
    raise SystemExit(f'independent-kmc: counts + 1 vacancy = {len(occupants)}, the supercell has {S} sites')
occ = np.stack([rng.permutation(occupants) for _ in range(M)])


def bond_energy(occ, i, skip=None):
    """Energy of the bonds of site i in each trajectory, leaving out the bond to site `skip`."""
    e = np.zeros(M)
    for s in range(2):
        nbrs = neighbours[s][i]
        term = J[s][occ[rows, i][:, None], occ[rows[:, None], nbrs]]
        if skip is not None:
            term = np.where(nbrs == skip[:, None], 0.0, term)
        e += term.sum(1)
    return e


for _ in range(args.sweeps * S):
    i, j = rng.integers(0, S, M), rng.integers(0, S, M)
    swapped = occ.copy()
    swapped[rows, i], swapped[rows, j] = occ[rows, j], occ[rows, i]
    dE = bond_energy(swapped, i) + bond_energy(swapped, j, skip=i) - bond_energy(occ, i) - bond_energy(occ, j, skip=i)
    accept = (occ[rows, i] != occ[rows, j]) & (rng.random(M) < np.exp(-np.clip(dE, 0, None) / kT))
    occ[accept] = swapped[accept]

# Atoms: an index per site (-1 at the vacancy), species and unwrapped positions per atom.
atom = np.where(occ == VAC, -1, np.cumsum(occ != VAC, axis=1) - 1)
kind = np.stack([occ[m][occ[m] != VAC] for m in range(M)])
unwrapped = np.stack([pos[occ[m] != VAC] for m in range(M)]).astype(float)
start = unwrapped.copy()
vac = np.argmax(occ == VAC, axis=1)
t = np.zeros(M)
for step in range(args.steps):
    u = neighbours[0][vac]                        # (M, z): the atom at u would move to the vacancy v
    s = occ[rows[:, None], u]
    dE = np.zeros((M, z))
    for sh in range(2):
        around_v = neighbours[sh][vac]
        after = J[sh][s[:, :, None], occ[rows[:, None], around_v][:, None, :]]
        after = np.where(around_v[:, None, :] == u[:, :, None], 0.0, after)  # u is empty afterwards
        before = J[sh][s[:, :, None], occ[rows[:, None, None], neighbours[sh][u]]]  # v is empty now
        dE += after.sum(2) - before.sum(2)
    W = nu[s] * np.exp(-(e0[s] + dE / 2) / kT)
    total = W.sum(1)
    k = np.minimum((np.cumsum(W, 1) < (rng.random(M) * total)[:, None]).sum(1), z - 1)
    target = u[rows, k]
    moving = atom[rows, target]
    unwrapped[rows, moving] -= jumps[k]
    occ[rows, vac], occ[rows, target] = occ[rows, target], VAC
    atom[rows, vac], atom[rows, target] = moving, -1
    vac = target
    t += 1.0 / total
    if step + 1 == args.steps // 2:
        half_t, half_sq = t.copy(), ((unwrapped - start) ** 2).sum(2)

sq = ((unwrapped - start) ** 2).sum(2)
result = {}
for k, name in enumerate(names):
    mine = kind == k
    gained = ((sq - half_sq) * mine).sum(1) / mine.sum(1) / 4 / (6 * (t - half_t))  # /4: (a/2)^2 -> a^2
    whole = (sq * mine).sum(1) / mine.sum(1) / 4 / (6 * t)
    result[name] = {e: {'mean': v.mean(), 'error': v.std(ddof=1) / np.sqrt(M)} for e, v in (('slope', gained), ('whole', whole))}
print(json.dumps({'trajectories': M, 'steps': args.steps, 'tracer': result}, indent=1))
if args.ionfield:
    ref = json.load(open(args.ionfield))
    # ionfield's slope estimate against this one's; and, for runs of the same length, the two
    # whole-trajectory estimates (whose intercept bias depends on the length).
    pairs = [('slope', ref['tracer'], 'slope'), ('whole-trajectory', ref['estimates']['whole-trajectory']['tracer'], 'whole')]
    for what, theirs, key in pairs:
        for name in names:
            a, b = theirs[name], result[name][key]
            z_ = (a['mean'] - b['mean']) / np.hypot(a['error'], b['error'])
            print(f"{what} D*_{name}: ionfield {a['mean']:.4e} ± {a['error'] / a['mean']:.1%}, independent {b['mean']:.4e} ± "
                  f"{b['error'] / b['mean']:.1%}: {a['mean'] / b['mean'] - 1:+.2%} ({z_:+.1f}σ)")
