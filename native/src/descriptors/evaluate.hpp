#pragma once
// The symmetry functions of one centre atom from its gathered neighbours. Shared by the CPU path
// and the CUDA kernel (IONFIELD_HD), so both evaluate the same formulas.
#include <cmath>
#include <cstring>

#include "descriptors/math.hpp"
#include "descriptors/plan.hpp"

namespace ionfield::detail {

// Neighbours of one centre within its largest cutoff. Those closer than the largest angular cutoff
// come first ("inner", indices 0..n_inner-1), the rest after; each part is grouped by species:
// seg[4b..4b+3] = inner begin, inner end, outer begin, outer end of species b.
// vx, vy, vz are read for the inner neighbours only (the CPU gather fills no others).
struct CentreNeighbours {
  int n = 0, n_inner = 0;
  const double *r = nullptr, *vx = nullptr, *vy = nullptr, *vz = nullptr;
  const int32_t* seg = nullptr;
};

// Scratch doubles evaluate_centre needs for n neighbours.
IONFIELD_HD int scratch_size(const PlanView& p, int n, int max_block_fns) {
  return 2 * n + p.nspecies * (p.ncomponents + 1) + max_block_fns + 3 * (kMaxTensorOrder + 1) * n;
}

#if !defined(__CUDACC__)
// CPU: the shift recurrence over stored weights a_j and factors q_j, all S shifts in one pass over
// the neighbours with the S partial sums in registers (4 neighbours per vector), instead of one
// pass per shift that loads and stores a_j.
constexpr int kFusedShifts = 12;
typedef double double4 __attribute__((vector_size(32)));

template <int S>
IONFIELD_HD void recurrence_fixed(const double* consts, double* a, const double* q, int lo, int hi, double* acc) {
  double4 sum[S];
  for (int s = 0; s < S; ++s) sum[s] = double4{0, 0, 0, 0};
  double c[S];
  for (int s = 0; s < S; ++s) c[s] = s + 1 < S ? consts[s] : 0.0;
  int j = lo;
  for (; j + 4 <= hi; j += 4) {
    double4 v, qj;
    std::memcpy(&v, a + j, sizeof v);
    std::memcpy(&qj, q + j, sizeof qj);
    for (int s = 0; s < S; ++s) {
      sum[s] += v;
      v *= qj * c[s];
    }
  }
  for (int s = 0; s < S; ++s) {
    double t = (sum[s][0] + sum[s][1]) + (sum[s][2] + sum[s][3]);
    for (int k = j; k < hi; ++k) {
      t += a[k];
      a[k] *= q[k] * c[s];
    }
    acc[s] += t;
  }
}

// false: count not handled here
IONFIELD_HD bool recurrence_fused(int count, const double* consts, double* a, const double* q, int lo, int hi, double* acc) {
  switch (count) {
#define IONFIELD_FUSED(S) \
  case S:                 \
    recurrence_fixed<S>(consts, a, q, lo, hi, acc); \
    return true;
    IONFIELD_FUSED(2) IONFIELD_FUSED(3) IONFIELD_FUSED(4) IONFIELD_FUSED(5) IONFIELD_FUSED(6) IONFIELD_FUSED(7)
    IONFIELD_FUSED(8) IONFIELD_FUSED(9) IONFIELD_FUSED(10) IONFIELD_FUSED(11) IONFIELD_FUSED(12)
#undef IONFIELD_FUSED
    default:
      return false;
  }
}
// CPU: the tensor components T_abc = sum_j w_j X^a_j Y^b_j Z^c_j of one species, one pass over
// the neighbours per (a, b): v_j = w_j X^a_j Y^b_j once, then the C = mmax - a - b + 1 sums over c
// in registers (4 neighbours per vector). pw: the powers X^m, Y^m, Z^m as arrays of ni.
template <int C>
IONFIELD_HD void tensor_column(const double* w, const double* Xa, const double* Yb, const double* pw, int ni, int lo, int hi,
                               const PlanView& p, int a, int b, double* T) {
  // Two sets of sums (8 neighbours a step), so that a column of few sums is not bound by the
  // latency of its additions.
  double4 acc[C], acc2[C];
  for (int c = 0; c < C; ++c) acc[c] = acc2[c] = double4{0, 0, 0, 0};
  int j = lo;
  for (; j + 8 <= hi; j += 8) {
    double4 w0, w1, x0, x1, y0, y1;
    std::memcpy(&w0, w + j, sizeof w0);
    std::memcpy(&w1, w + j + 4, sizeof w1);
    std::memcpy(&x0, Xa + j, sizeof x0);
    std::memcpy(&x1, Xa + j + 4, sizeof x1);
    std::memcpy(&y0, Yb + j, sizeof y0);
    std::memcpy(&y1, Yb + j + 4, sizeof y1);
    const double4 v0 = w0 * x0 * y0, v1 = w1 * x1 * y1;
    for (int c = 0; c < C; ++c) {
      double4 z0, z1;
      std::memcpy(&z0, pw + (3 * c + 2) * ni + j, sizeof z0);
      std::memcpy(&z1, pw + (3 * c + 2) * ni + j + 4, sizeof z1);
      acc[c] += v0 * z0;
      acc2[c] += v1 * z1;
    }
  }
  double tail[C];
  for (int c = 0; c < C; ++c) tail[c] = 0.0;
  for (; j < hi; ++j) {
    const double v = w[j] * Xa[j] * Yb[j];
    for (int c = 0; c < C; ++c) tail[c] += v * pw[(3 * c + 2) * ni + j];
  }
  for (int c = 0; c < C; ++c) {
    const double4 t = acc[c] + acc2[c];
    const int m = a + b + c;
    T[p.order_offset[m] + (m - a) * (m - a + 1) / 2 + (m - a - b)] = ((t[0] + t[1]) + (t[2] + t[3])) + tail[c];
  }
}

IONFIELD_HD void tensor_components(const PlanView& p, int mmax, const double* w, const double* pw, int ni, int lo, int hi, double* T) {
  for (int a = 0; a <= mmax; ++a)
    for (int b = 0; a + b <= mmax; ++b) {
      const double* Xa = pw + (3 * a) * ni;
      const double* Yb = pw + (3 * b + 1) * ni;
      switch (mmax - a - b + 1) {
#define IONFIELD_COLUMN(C) \
  case C:                  \
    tensor_column<C>(w, Xa, Yb, pw, ni, lo, hi, p, a, b, T); \
    break;
        IONFIELD_COLUMN(1) IONFIELD_COLUMN(2) IONFIELD_COLUMN(3) IONFIELD_COLUMN(4) IONFIELD_COLUMN(5)
        IONFIELD_COLUMN(6) IONFIELD_COLUMN(7) IONFIELD_COLUMN(8) IONFIELD_COLUMN(9)
#undef IONFIELD_COLUMN
      }
    }
}
#endif

// G2 of one radial group over neighbours [lo, hi): acc[s] += sum_j exp(-eta (r_j - rs_s)^2) fc(r_j).
IONFIELD_HD void radial_range(const RadialGroup& g, const double* consts, const double* r, int lo, int hi,
                              double* acc, double* a, double* q) {
  if (hi <= lo) return;
  const double eta = g.eta, r0 = g.r0, rc = g.rc;
  const int kind = g.cutoff_kind;
  if (!g.recurrence) {
    double sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int j = lo; j < hi; ++j) {
      const double d = r[j] - r0;
      sum += vexp(-eta * d * d) * cutoff_value(r[j], rc, kind);
    }
    acc[0] += sum;
    return;
  }
  // exp(-eta (r - r0 - (s+1) D)^2) = exp(-eta (r - r0 - s D)^2) * exp(2 eta D (r - r0)) * exp(-eta D^2 (2s+1))
  const double two_eta_delta = 2.0 * eta * g.delta;
#if defined(__CUDA_ARCH__)
  (void)a;
  (void)q;
  for (int j = lo; j < hi; ++j) {
    const double d = r[j] - r0;
    double v = vexp(-eta * d * d) * cutoff_value(r[j], rc, kind);
    const double qj = vexp(two_eta_delta * d);
    for (int s = 0; s < g.count; ++s) {
      acc[s] += v;
      if (s + 1 < g.count) v *= qj * consts[s];
    }
  }
#else
#pragma omp simd
  for (int j = lo; j < hi; ++j) {
    const double d = r[j] - r0;
    a[j] = vexp(-eta * d * d) * cutoff_value(r[j], rc, kind);
    q[j] = vexp(two_eta_delta * d);
  }
#if !defined(__CUDACC__)
  if (recurrence_fused(g.count, consts, a, q, lo, hi, acc)) return;
#endif
  for (int s = 0; s < g.count; ++s) {
    double sum = 0;
    const double c = s + 1 < g.count ? consts[s] : 0.0;
#pragma omp simd reduction(+ : sum)
    for (int j = lo; j < hi; ++j) {
      sum += a[j];
      a[j] *= q[j] * c;
    }
    acc[s] += sum;
  }
#endif
}

// Writes the features of a centre of species c into out[0..nfeatures).
IONFIELD_HD void evaluate_centre(const PlanView& p, int c, const CentreNeighbours& nb, double* out, double* scratch,
                                 int max_block_fns) {
  const CentrePlan& cp = p.centres[c];
  for (int f = 0; f < cp.nfeatures; ++f) out[f] = 0.0;
  double* a = scratch;
  double* q = scratch + nb.n;
  double* tensors = scratch + 2 * nb.n;                     // nspecies * ncomponents
  double* w2 = tensors + p.nspecies * p.ncomponents;        // nspecies
  double* acc = w2 + p.nspecies;                            // max_block_fns
  (void)max_block_fns;

  // ---------------- radial G2
  for (int gi = cp.radial_begin; gi < cp.radial_end; ++gi) {
    const RadialGroup& g = p.radial[gi];
    const int b = g.species;
    double sums[64];
    if (g.count > 64) {
      // Rare: very long shift grids are evaluated shift by shift.
      for (int s = 0; s < g.count; ++s) {
        RadialGroup one = g;
        one.count = 1;
        one.recurrence = 0;
        one.r0 = g.r0 + s * g.delta;
        double v = 0;
        radial_range(one, nullptr, nb.r, nb.seg[4 * b], nb.seg[4 * b + 1], &v, a, q);
        radial_range(one, nullptr, nb.r, nb.seg[4 * b + 2], nb.seg[4 * b + 3], &v, a, q);
        out[p.radial_cols[g.col_offset + s]] += v;
      }
      continue;
    }
    for (int s = 0; s < g.count; ++s) sums[s] = 0;
    const double* consts = p.radial_consts + g.const_offset;
    radial_range(g, consts, nb.r, nb.seg[4 * b], nb.seg[4 * b + 1], sums, a, q);
    radial_range(g, consts, nb.r, nb.seg[4 * b + 2], nb.seg[4 * b + 3], sums, a, q);
    for (int s = 0; s < g.count; ++s) out[p.radial_cols[g.col_offset + s]] += sums[s];
  }

  // ---------------- angular G4 / G5
#if !defined(__CUDA_ARCH__)
  // CPU: blocks with the same cutoff share fc(r_j) (kept in q, which the angular part does not
  // otherwise use), and the powers of the unit vectors are computed once, up to the largest order.
  double fc_rc = -1.0;
  int fc_kind = -1, pw_ready = -1;
#endif
  for (int bi = cp.angular_begin; bi < cp.angular_end; ++bi) {
    const AngularBlock& blk = p.blocks[bi];
    const double eta = blk.eta, rs = blk.rs, rc = blk.rc;
    // Distance weights w_j = exp(-eta (r_j - rs)^2) fc(r_j) of the inner neighbours.
    double* w = a;
#if defined(__CUDA_ARCH__)
    for (int j = 0; j < nb.n_inner; ++j) {
      const double d = nb.r[j] - rs;
      w[j] = vexp(-eta * d * d) * cutoff_value(nb.r[j], rc, blk.cutoff_kind);
    }
#else
    if (rc != fc_rc || blk.cutoff_kind != fc_kind) {
#pragma omp simd
      for (int j = 0; j < nb.n_inner; ++j) q[j] = cutoff_value(nb.r[j], rc, blk.cutoff_kind);
      fc_rc = rc;
      fc_kind = blk.cutoff_kind;
    }
#pragma omp simd
    for (int j = 0; j < nb.n_inner; ++j) {
      const double d = nb.r[j] - rs;
      w[j] = vexp(-eta * d * d) * q[j];
    }
#endif
    if (blk.tensor) {
      // T^b_abc = sum_{j in b} w_j u_x^a u_y^b u_z^c for a+b+c <= mmax, u = unit vector to j.
      const int ncomp = p.order_offset[blk.mmax + 1];
#if defined(__CUDA_ARCH__)
      for (int b = 0; b < p.nspecies; ++b) {
        double* T = tensors + b * p.ncomponents;
        for (int k = 0; k < ncomp; ++k) T[k] = 0;
        double sw2 = 0;
        for (int j = nb.seg[4 * b]; j < nb.seg[4 * b + 1]; ++j) {
          const double wj = w[j];
          if (wj == 0.0) continue;
          sw2 += wj * wj;
          const double inv = 1.0 / nb.r[j];
          const double ux = nb.vx[j] * inv, uy = nb.vy[j] * inv, uz = nb.vz[j] * inv;
          double px[kMaxTensorOrder + 1], py[kMaxTensorOrder + 1], pz[kMaxTensorOrder + 1];
          px[0] = py[0] = pz[0] = 1.0;
          for (int m = 1; m <= blk.mmax; ++m) {
            px[m] = px[m - 1] * ux;
            py[m] = py[m - 1] * uy;
            pz[m] = pz[m - 1] * uz;
          }
          for (int k = 0; k < ncomp; ++k) {
            const int32_t* e = p.tensor_abc + 3 * k;
            T[k] += wj * px[e[0]] * py[e[1]] * pz[e[2]];
          }
        }
        w2[b] = sw2;
      }
#else
      // CPU: powers of the unit-vector components as arrays over neighbours, then one vectorised
      // weighted sum per tensor component.
      const int ni = nb.n_inner;
      double* pw = acc + max_block_fns;  // 3 (mmax+1) arrays of ni
      for (int m = pw_ready + 1; m <= blk.mmax; ++m) {
        double* X = pw + (3 * m) * ni;
        double* Y = X + ni;
        double* Z = Y + ni;
        if (m == 0) {
          for (int j = 0; j < ni; ++j) X[j] = Y[j] = Z[j] = 1.0;
        } else if (m == 1) {
#pragma omp simd
          for (int j = 0; j < ni; ++j) {
            const double inv = 1.0 / nb.r[j];
            X[j] = nb.vx[j] * inv;
            Y[j] = nb.vy[j] * inv;
            Z[j] = nb.vz[j] * inv;
          }
        } else {
          const double* X1 = pw + 3 * ni;
          const double* Xp = pw + (3 * (m - 1)) * ni;
#pragma omp simd
          for (int j = 0; j < ni; ++j) {
            X[j] = Xp[j] * X1[j];
            Y[j] = Xp[ni + j] * X1[ni + j];
            Z[j] = Xp[2 * ni + j] * X1[2 * ni + j];
          }
        }
      }
      if (blk.mmax > pw_ready) pw_ready = blk.mmax;
      for (int b = 0; b < p.nspecies; ++b) {
        double* T = tensors + b * p.ncomponents;
        const int lo = nb.seg[4 * b], hi = nb.seg[4 * b + 1];
        double sw2 = 0;
#pragma omp simd reduction(+ : sw2)
        for (int j = lo; j < hi; ++j) sw2 += w[j] * w[j];
        w2[b] = sw2;
#if defined(__CUDACC__)
        for (int k = 0; k < ncomp; ++k) {
          const int32_t* e = p.tensor_abc + 3 * k;
          const double* X = pw + (3 * e[0]) * ni;
          const double* Y = pw + (3 * e[1] + 1) * ni;
          const double* Z = pw + (3 * e[2] + 2) * ni;
          double t = 0;
#pragma omp simd reduction(+ : t)
          for (int j = lo; j < hi; ++j) t += w[j] * X[j] * Y[j] * Z[j];
          T[k] = t;
        }
#else
        (void)ncomp;
        tensor_components(p, blk.mmax, w, pw, ni, lo, hi, T);
#endif
      }
#endif
      for (int fi = blk.fn_begin; fi < blk.fn_end; ++fi) {
        const AngularFn& fn = p.fns[fi];
        const double* T1 = tensors + fn.b1 * p.ncomponents;
        const double* T2 = tensors + fn.b2 * p.ncomponents;
        // sum_{j,k} w_j w_k (1 + lambda cos)^zeta = sum_m C(zeta,m) lambda^m <T_m^b1, T_m^b2>
        double total = 0, binom = 1, lam = 1;
        for (int m = 0; m <= fn.izeta; ++m) {
          double dotm = 0;
          for (int k = p.order_offset[m]; k < p.order_offset[m + 1]; ++k) dotm += p.tensor_weight[k] * T1[k] * T2[k];
          total += binom * lam * dotm;
          binom = binom * (fn.izeta - m) / (m + 1);
          lam *= fn.lambda;
        }
        if (fn.b1 == fn.b2) total = 0.5 * (total - ipow(1.0 + fn.lambda, fn.izeta) * w2[fn.b1]);  // j < k only
        out[fn.col] += fn.prefactor * total;
      }
      continue;
    }
    // Triplets: runs of functions with the same neighbour-species pair.
    const bool narrow = blk.type == 3;
    const double rc2 = rc * rc;
    for (int f0 = blk.fn_begin; f0 < blk.fn_end;) {
      int f1 = f0 + 1;
      while (f1 < blk.fn_end && p.fns[f1].b1 == p.fns[f0].b1 && p.fns[f1].b2 == p.fns[f0].b2) ++f1;
      const int b1 = p.fns[f0].b1, b2 = p.fns[f0].b2;
      for (int fi = f0; fi < f1; ++fi) acc[fi - f0] = 0;
      for (int j = nb.seg[4 * b1]; j < nb.seg[4 * b1 + 1]; ++j) {
        const double wj = w[j];
        if (wj == 0.0) continue;
        const int kbegin = b1 == b2 ? j + 1 : nb.seg[4 * b2];
        for (int k = kbegin; k < nb.seg[4 * b2 + 1]; ++k) {
          const double wk = w[k];
          if (wk == 0.0) continue;
          double f = wj * wk;
          if (narrow) {
            if (std::fabs(nb.r[j] - nb.r[k]) >= rc) continue;  // r_jk >= |r_j - r_k|: early skip
            const double dx = nb.vx[k] - nb.vx[j], dy = nb.vy[k] - nb.vy[j], dz = nb.vz[k] - nb.vz[j];
            const double rjk2 = dx * dx + dy * dy + dz * dz;
            if (rjk2 >= rc2) continue;
            const double rjk = std::sqrt(rjk2), d = rjk - rs;
            f *= vexp(-eta * d * d) * cutoff_value(rjk, rc, blk.cutoff_kind);
          }
          const double cosine = (nb.vx[j] * nb.vx[k] + nb.vy[j] * nb.vy[k] + nb.vz[j] * nb.vz[k]) / (nb.r[j] * nb.r[k]);
          for (int fi = f0; fi < f1; ++fi) {
            const AngularFn& fn = p.fns[fi];
            double base = 1.0 + fn.lambda * cosine;
            base = base > 0.0 ? base : 0.0;
            acc[fi - f0] += f * (fn.izeta >= 0 ? ipow(base, fn.izeta) : std::pow(base, fn.zeta));
          }
        }
      }
      for (int fi = f0; fi < f1; ++fi) out[p.fns[fi].col] += p.fns[fi].prefactor * acc[fi - f0];
      f0 = f1;
    }
  }
}

}  // namespace ionfield::detail
