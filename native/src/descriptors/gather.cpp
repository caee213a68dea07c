#include "descriptors/gather.hpp"

#include <cmath>

namespace ionfield::detail {

CentreNeighbours gather_neighbours(const CellGrid& g, const int32_t* species, int nspecies, int i, double rmax,
                                   double rinner, GatherBuffers& buf) {
  buf.tr.clear();
  buf.tx.clear();
  buf.ty.clear();
  buf.tz.clear();
  buf.tkey.clear();
  const double rc2 = rmax * rmax, rin2 = rinner * rinner;
  const int a = g.slot_of[i];
  int cx, cy, cz;
  g.coords(g.cell_of[i], cx, cy, cz);
  const double xi = g.x[a], yi = g.y[a], zi = g.z[a];
  for (int dz = -g.m[2]; dz <= g.m[2]; ++dz) {
    int tz, sz;
    if (!fold(cz + dz, g.n[2], g.periodic[2], tz, sz)) continue;
    for (int dy = -g.m[1]; dy <= g.m[1]; ++dy) {
      int ty, sy;
      if (!fold(cy + dy, g.n[1], g.periodic[1], ty, sy)) continue;
      for (int dx = -g.m[0]; dx <= g.m[0]; ++dx) {
        int tx, sx;
        if (!fold(cx + dx, g.n[0], g.periodic[0], tx, sx)) continue;
        const double ox = sx * g.h[0][0] + sy * g.h[1][0] + sz * g.h[2][0] - xi;
        const double oy = sx * g.h[0][1] + sy * g.h[1][1] + sz * g.h[2][1] - yi;
        const double oz = sx * g.h[0][2] + sy * g.h[1][2] + sz * g.h[2][2] - zi;
        const bool own_cell_image = sx == 0 && sy == 0 && sz == 0;
        const int cell = g.index(tx, ty, tz);
        for (int b = g.cell_start[cell]; b < g.cell_start[cell + 1]; ++b) {
          const double vx = g.x[b] + ox, vy = g.y[b] + oy, vz = g.z[b] + oz;
          const double r2 = vx * vx + vy * vy + vz * vz;
          if (!(r2 < rc2) || (own_cell_image && b == a)) continue;
          buf.tr.push_back(std::sqrt(r2));
          buf.tx.push_back(vx);
          buf.ty.push_back(vy);
          buf.tz.push_back(vz);
          buf.tkey.push_back(2 * species[g.atom[b]] + (r2 < rin2 ? 0 : 1));
        }
      }
    }
  }
  // Counting sort: inner part (species 0..S-1), then outer part (species 0..S-1).
  const int n = static_cast<int>(buf.tr.size());
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
    buf.r[slot] = buf.tr[k];
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
