#include "descriptors/gather.hpp"

#include <cmath>

namespace ionfield::detail {

IONFIELD_CPU_CLONES
CentreNeighbours gather_neighbours(const CellGrid& g, const int32_t* slot_species, int nspecies, int i, double rmax,
                                   double rinner, GatherBuffers& buf) {
  const double rc2 = rmax * rmax, rin2 = rinner * rinner;
  const int a = g.slot_of[i];
  int cx, cy, cz;
  g.coords(g.cell_of[i], cx, cy, cz);
  const double xi = g.x[a], yi = g.y[a], zi = g.z[a];
  const std::size_t noff = g.stencil.size() / 3;
  // One pass over the stencil; each candidate is written unconditionally at the next free slot,
  // and the slot advances only when it lies within rmax (branch-free compaction).
  int n = 0;
  for (std::size_t t = 0; t < noff; ++t) {
    int tx, ty, tz, sx, sy, sz;
    if (!fold(cx + g.stencil[3 * t], g.n[0], g.periodic[0], tx, sx) || !fold(cy + g.stencil[3 * t + 1], g.n[1], g.periodic[1], ty, sy) ||
        !fold(cz + g.stencil[3 * t + 2], g.n[2], g.periodic[2], tz, sz))
      continue;
    const double ox = sx * g.h[0][0] + sy * g.h[1][0] + sz * g.h[2][0] - xi;
    const double oy = sx * g.h[0][1] + sy * g.h[1][1] + sz * g.h[2][1] - yi;
    const double oz = sx * g.h[0][2] + sy * g.h[1][2] + sz * g.h[2][2] - zi;
    const int cell = g.index(tx, ty, tz);
    const bool own = cell == g.cell_of[i] && sx == 0 && sy == 0 && sz == 0;
    const int lo = g.cell_start[cell], hi = g.cell_start[cell + 1];
    if (static_cast<std::size_t>(n + hi - lo) > buf.tr.size()) {
      const std::size_t cap = 2 * (n + hi - lo) + 256;
      buf.tr.resize(cap), buf.tx.resize(cap), buf.ty.resize(cap), buf.tz.resize(cap), buf.tkey.resize(cap);
    }
    double* tr = buf.tr.data();
    double* tx_ = buf.tx.data();
    double* ty_ = buf.ty.data();
    double* tz_ = buf.tz.data();
    int32_t* tk = buf.tkey.data();
    const double *X = g.x.data(), *Y = g.y.data(), *Z = g.z.data();
    for (int b = lo; b < hi; ++b) {
      const double vx = X[b] + ox, vy = Y[b] + oy, vz = Z[b] + oz;
      const double r2 = vx * vx + vy * vy + vz * vz;
      tx_[n] = vx;
      ty_[n] = vy;
      tz_[n] = vz;
      tr[n] = r2;
      tk[n] = 2 * slot_species[b] + (r2 < rin2 ? 0 : 1);
      n += (r2 < rc2) & !(own && b == a);
    }
  }
  // Counting sort: inner part (species 0..S-1), then outer part (species 0..S-1).
  buf.count.assign(2 * nspecies + 1, 0);
  for (int k = 0; k < n; ++k) {
    const int key = buf.tkey[k];
    ++buf.count[(key & 1) * nspecies + (key >> 1) + 1];
  }
  for (int k = 0; k < 2 * nspecies; ++k) buf.count[k + 1] += buf.count[k];
  buf.seg.resize(4 * nspecies);
  for (int s = 0; s < nspecies; ++s) {
    buf.seg[4 * s] = buf.count[s];
    buf.seg[4 * s + 1] = buf.count[s + 1];
    buf.seg[4 * s + 2] = buf.count[nspecies + s];
    buf.seg[4 * s + 3] = buf.count[nspecies + s + 1];
  }
  buf.r.resize(n);
  buf.vx.resize(n);
  buf.vy.resize(n);
  buf.vz.resize(n);
  for (int k = 0; k < n; ++k) {
    const int key = buf.tkey[k];
    const int slot = buf.count[(key & 1) * nspecies + (key >> 1)]++;
    buf.r[slot] = std::sqrt(buf.tr[k]);
    buf.vx[slot] = buf.tx[k];
    buf.vy[slot] = buf.ty[k];
    buf.vz[slot] = buf.tz[k];
  }
  CentreNeighbours nb;
  nb.n = n;
  nb.n_inner = buf.seg[4 * (nspecies - 1) + 1];
  nb.r = buf.r.data();
  nb.vx = buf.vx.data();
  nb.vy = buf.vy.data();
  nb.vz = buf.vz.data();
  nb.seg = buf.seg.data();
  return nb;
}

}  // namespace ionfield::detail
