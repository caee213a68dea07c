#include "descriptors/gather.hpp"

#include <cmath>
#include <limits>

namespace ionfield::detail {

void CellCandidates::build(const CellGrid& g, const int32_t* slot_species, int nspecies, int cell) {
  int cx, cy, cz;
  g.coords(cell, cx, cy, cz);
  const std::size_t noff = g.stencil.size() / 3;
  std::size_t n = 0;
  int own_at = -1;
  own_first_slot = g.cell_start[cell];
  for (std::size_t t = 0; t < noff; ++t) {
    int fx, fy, fz, sx, sy, sz;
    if (!fold(cx + g.stencil[3 * t], g.n[0], g.periodic[0], fx, sx) || !fold(cy + g.stencil[3 * t + 1], g.n[1], g.periodic[1], fy, sy) ||
        !fold(cz + g.stencil[3 * t + 2], g.n[2], g.periodic[2], fz, sz))
      continue;
    const double ox = sx * g.h[0][0] + sy * g.h[1][0] + sz * g.h[2][0];
    const double oy = sx * g.h[0][1] + sy * g.h[1][1] + sz * g.h[2][1];
    const double oz = sx * g.h[0][2] + sy * g.h[1][2] + sz * g.h[2][2];
    const int c = g.index(fx, fy, fz);
    if (c == cell && sx == 0 && sy == 0 && sz == 0) own_at = static_cast<int>(n);
    const int lo = g.cell_start[c], hi = g.cell_start[c + 1];
    if (n + (hi - lo) > tx.size()) {
      const std::size_t cap = 2 * (n + hi - lo) + 256;
      tx.resize(cap), ty.resize(cap), tz.resize(cap), ts.resize(cap);
    }
    const double *X = g.x.data(), *Y = g.y.data(), *Z = g.z.data();
    double *px = tx.data() + n, *py = ty.data() + n, *pz = tz.data() + n;
    int32_t* ps = ts.data() + n;
    for (int b = lo; b < hi; ++b) {
      px[b - lo] = X[b] + ox;
      py[b - lo] = Y[b] + oy;
      pz[b - lo] = Z[b] + oz;
      ps[b - lo] = slot_species[b];
    }
    n += hi - lo;
  }
  // Stable counting sort by species.
  begin.assign(nspecies + 1, 0);
  for (std::size_t k = 0; k < n; ++k) ++begin[ts[k] + 1];
  for (int s = 0; s < nspecies; ++s) begin[s + 1] += begin[s];
  if (x.size() < n) x.resize(n), y.resize(n), z.resize(n);
  const int own_n = g.cell_start[cell + 1] - g.cell_start[cell];
  own.assign(own_n, -1);
  int32_t fill[64];
  std::vector<int32_t> fill_big;
  int32_t* f = fill;
  if (nspecies > 64) fill_big.assign(begin.begin(), begin.end() - 1), f = fill_big.data();
  else
    for (int s = 0; s < nspecies; ++s) f[s] = begin[s];
  for (std::size_t k = 0; k < n; ++k) {
    const int d = f[ts[k]]++;
    x[d] = tx[k];
    y[d] = ty[k];
    z[d] = tz[k];
    if (own_at >= 0 && k >= static_cast<std::size_t>(own_at) && k < static_cast<std::size_t>(own_at + own_n)) own[k - own_at] = d;
  }
}

IONFIELD_CPU_CLONES
CentreNeighbours gather_centre(const CellGrid& g, const CellCandidates& cand, int nspecies, int a, double rmax,
                               double rinner, GatherBuffers& buf) {
  const double rc2 = rmax * rmax, rin2 = rinner * rinner;
  const double xi = g.x[a], yi = g.y[a], zi = g.z[a];
  const int total = cand.begin[nspecies];
  if (buf.r2.size() < static_cast<std::size_t>(total)) {
    buf.r2.resize(total);
    buf.idx_in.resize(total);
    buf.idx_out.resize(total);
  }
  double* r2 = buf.r2.data();
  const double *X = cand.x.data(), *Y = cand.y.data(), *Z = cand.z.data();
#pragma omp simd
  for (int k = 0; k < total; ++k) {
    const double dx = X[k] - xi, dy = Y[k] - yi, dz = Z[k] - zi;
    r2[k] = dx * dx + dy * dy + dz * dz;
  }
  const int self = cand.own[a - cand.own_first_slot];
  if (self >= 0) r2[self] = std::numeric_limits<double>::infinity();  // not its own neighbour
  // Per species: indices of the inner and of the outer neighbours (branch-free compaction; each
  // species' lists start at its own candidates' offset, so they never overlap).
  buf.n_in.resize(nspecies);
  buf.n_out.resize(nspecies);
  int32_t* ii = buf.idx_in.data();
  int32_t* io = buf.idx_out.data();
  int n_inner = 0, n = 0;
  for (int s = 0; s < nspecies; ++s) {
    const int lo = cand.begin[s], hi = cand.begin[s + 1];
    int ni = lo, no = lo;
    for (int k = lo; k < hi; ++k) {
      const double d = r2[k];
      ii[ni] = k;
      io[no] = k;
      const bool in = d < rin2;
      ni += in;
      no += !in & (d < rc2);
    }
    buf.n_in[s] = ni - lo;
    buf.n_out[s] = no - lo;
    n_inner += ni - lo;
    n += ni - lo + no - lo;
  }
  buf.seg.resize(4 * nspecies);
  if (buf.r.size() < static_cast<std::size_t>(n)) {
    const std::size_t cap = n + 64;
    buf.r.resize(cap), buf.vx.resize(cap), buf.vy.resize(cap), buf.vz.resize(cap);
  }
  double *R = buf.r.data(), *VX = buf.vx.data(), *VY = buf.vy.data(), *VZ = buf.vz.data();
  int pi = 0, po = n_inner;
  for (int s = 0; s < nspecies; ++s) {
    const int lo = cand.begin[s];
    const int32_t* li = ii + lo;
    const int ni = buf.n_in[s];
#pragma omp simd
    for (int k = 0; k < ni; ++k) {
      const int c = li[k];
      R[pi + k] = std::sqrt(r2[c]);
      VX[pi + k] = X[c] - xi;
      VY[pi + k] = Y[c] - yi;
      VZ[pi + k] = Z[c] - zi;
    }
    const int32_t* lo_ = io + lo;
    const int no = buf.n_out[s];
#pragma omp simd
    for (int k = 0; k < no; ++k) {
      const int c = lo_[k];
      R[po + k] = std::sqrt(r2[c]);
      VX[po + k] = X[c] - xi;
      VY[po + k] = Y[c] - yi;
      VZ[po + k] = Z[c] - zi;
    }
    buf.seg[4 * s] = pi;
    buf.seg[4 * s + 1] = pi + ni;
    buf.seg[4 * s + 2] = po;
    buf.seg[4 * s + 3] = po + no;
    pi += ni;
    po += no;
  }
  CentreNeighbours nb;
  nb.n = n;
  nb.n_inner = n_inner;
  nb.r = R;
  nb.vx = VX;
  nb.vy = VY;
  nb.vz = VZ;
  nb.seg = buf.seg.data();
  return nb;
}

}  // namespace ionfield::detail
