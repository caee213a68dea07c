#!/usr/bin/env python3
"""Pair-chain relaxation vectors for the fast tracer of a random binary FCC alloy (issue 14).

A research prototype, not part of the package: it measures whether the relaxation vector of the
fast species A near its percolation threshold can be taken from an exact solve on the *frozen*
fast network, the route docs/kinosons.md named as the next thing to try.

For a state X (B atoms fixed, one vacancy at v) the fast network G is every site not held by B.
With B frozen, the tracer t and the vacancy move on G only; the pair (t, v) is a Markov chain
(vacancy hops to any neighbour in G at rate W_A; onto the tracer it swaps them, displacing the
tracer by r_v - r_t). Its relaxation vector solves the pair graph's Poisson equation
(L + kappa) y = b, b = sum of the tracer displacements out of each pair state. kappa = 0 is exact
for W_B = 0 (then each connected part of the pair graph has its own free constant); kappa > 0
discounts the future at rate kappa (a horizon ~ the time for B to move) and fixes the constants.

The trial relaxation vector of the full alloy (B moves at W_B) is y(X) = sum_j alpha_j
y_kappa_j(t, v; G(X)): a vacancy-B exchange changes G, so the state after it needs a new solve.
The variational functional D = <sum_X' W |dx + y(X') - y(X)|^2> / 6, averaged over tracers and
independent random states, is quadratic in alpha and minimised exactly; every alpha gives an
upper bound on the true D*_A. Units: a^2 nu_A; the y = 0 bound is 1/(N - 1) for one vacancy.

  python3 scripts/kinosons/pair-chain-prototype.py --supercell 4 --xb 0.7 --wb 0.01 --states 200

Checks: W_B = 0 and x_B = 0 give the exact pure-lattice f of the 4^3 supercell (0.78545, as
`ionfield kinosons correlation-factor --lattice fcc --supercell 4`). Cost: ~10 sparse solves of
(N_A + 1)^2 pair states per state, so it is only practical on small cells (4^3: 0.5 s a state).
"""
import argparse
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spl

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--supercell', type=int, default=4)
p.add_argument('--xb', type=float, default=0.7, help='fraction of slow B among the atoms')
p.add_argument('--wb', type=float, default=0.01, help='W_B / W_A')
p.add_argument('--states', type=int, default=200)
p.add_argument('--kappas', default='0.001,0.01,0.1,1', help='discount rates of the pair solves')
p.add_argument('--seed', type=int, default=7)
args = p.parse_args()
kappas = [float(k) for k in args.kappas.split(',')]
K = len(kappas)
rng = np.random.default_rng(args.seed)

# FCC supercell, positions in units of a/2; 12 nearest-neighbour offsets; displacements in a.
L = args.supercell
basis = np.array([[0, 0, 0], [1, 1, 0], [1, 0, 1], [0, 1, 1]])
pos = np.array([[2 * i, 2 * j, 2 * k] + b for i in range(L) for j in range(L) for k in range(L) for b in basis])
N = len(pos)
index = {tuple(q): n for n, q in enumerate(pos)}
offsets = np.array([d for d in np.ndindex(3, 3, 3) if sum(abs(x - 1) for x in d) == 2]) - 1
neighbour = np.array([[index[tuple((q + d) % (2 * L))] for d in offsets] for q in pos])
jump = offsets * 0.5
n_b = int(round(args.xb * (N - 1)))


def pair_solve(is_b):
    """y_kappa(t, v) for every tracer site t and vacancy site v of the fast network: (m, m, 3, K)."""
    sites = np.where(~is_b)[0]
    m = len(sites)
    local = -np.ones(N, int)
    local[sites] = np.arange(m)
    rows, cols, b = [], [], np.zeros((m * m, 3))
    t = np.arange(m)
    for vi, v in enumerate(sites):
        for k in range(12):
            ui = local[neighbour[v, k]]
            if ui < 0:
                continue
            src, dst = t * m + vi, t * m + ui
            dst[ui] = vi * m + ui          # the vacancy meets the tracer: they swap
            keep = t != vi
            rows.append(src[keep])
            cols.append(dst[keep])
            b[ui * m + vi] -= jump[k]       # the tracer moves from u back to v
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    adjacency = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m * m, m * m))
    laplacian = sp.diags(np.asarray(adjacency.sum(1)).ravel()) - adjacency
    ys = [spl.splu((laplacian + kap * sp.identity(m * m)).tocsc()).solve(b).reshape(m, m, 3) for kap in kappas]
    return local, np.stack(ys, -1)


def state_sums(is_b, v):
    """Per-tracer means of |dx|^2, dx.dY_j and dY_j.dY_k over the state's transitions (/6)."""
    local, y = pair_solve(is_b)
    vi = local[v]
    tracers = [s for s in np.where(~is_b)[0] if s != v]
    a0, bv, cm = 0.0, np.zeros(K), np.zeros((K, K))
    for k in range(12):
        u = neighbour[v, k]
        if not is_b[u]:
            ui = local[u]
            for t in tracers:
                ti = local[t]
                if t == u:
                    dx, dy = -jump[k], y[vi, ui] - y[ui, vi]
                else:
                    dx, dy = np.zeros(3), y[ti, ui] - y[ti, vi]
                a0 += dx @ dx
                bv += dx @ dy
                cm += dy.T @ dy
        else:  # B moves into the vacancy: a new fast network, a new solve
            after = is_b.copy()
            after[u], after[v] = False, True
            local2, y2 = pair_solve(after)
            for t in tracers:
                dy = y2[local2[t], local2[u]] - y[local[t], vi]
                cm += args.wb * (dy.T @ dy)
    n = 6.0 * len(tracers)
    return a0 / n, bv / n, cm / n


sums = []
for _ in range(args.states):
    order = rng.permutation(N)
    is_b = np.zeros(N, bool)
    is_b[order[:n_b]] = True
    sums.append(state_sums(is_b, order[n_b]))
a0 = np.array([s[0] for s in sums])
bv = np.array([s[1] for s in sums])
cm = np.array([s[2] for s in sums])


def bound(sel):
    alpha = np.linalg.lstsq(cm.mean(0)[np.ix_(sel, sel)], -bv.mean(0)[sel], rcond=None)[0]
    per_state = a0 + 2 * bv[:, sel] @ alpha + np.einsum('j,sjk,k->s', alpha, cm[:, sel][:, :, sel], alpha)
    return alpha, per_state.mean(), per_state.std(ddof=1) / np.sqrt(len(per_state))


print(f'FCC {L}^3, {N} sites, x_B = {args.xb}, W_B/W_A = {args.wb}, {args.states} states; '
      f'y = 0 bound {a0.mean():.4e} (exact 1/(N-1) = {1 / (N - 1):.4e})')
for j, kap in enumerate(kappas):
    _, d, e = bound([j])
    print(f'  kappa {kap:g}: D*_A {d:.4e} ± {e:.1e}  (f = {d * (N - 1):.3f})')
alpha, d, e = bound(list(range(K)))
print(f'  all kappas, alpha {np.round(alpha, 3)}: D*_A {d:.4e} ± {e:.1e}  (f = {d * (N - 1):.3f})')
