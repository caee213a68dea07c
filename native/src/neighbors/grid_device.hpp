#pragma once
// The cell grid in device memory, and a by-value view of it for kernels (nvcc only).
#include "core/cuda_check.hpp"
#include "neighbors/cell_grid.hpp"

namespace ionfield::detail {

struct GridView {
  int n[3], nstencil;
  bool periodic[3];
  double h[3][3];
  const double *x, *y, *z;
  const int32_t *atom, *cell_start, *wrap, *stencil;
};

struct DeviceGrid {
  DeviceBuffer<double> x, y, z;
  DeviceBuffer<int32_t> atom, cell_start, wrap, stencil;

  GridView upload(const CellGrid& g) {
    x.upload(g.x);
    y.upload(g.y);
    z.upload(g.z);
    atom.upload(g.atom);
    cell_start.upload(g.cell_start);
    wrap.upload(g.wrap);
    stencil.upload(g.stencil);
    GridView v;
    for (int k = 0; k < 3; ++k) {
      v.n[k] = g.n[k];
      v.periodic[k] = g.periodic[k];
      for (int q = 0; q < 3; ++q) v.h[k][q] = g.h[k][q];
    }
    v.nstencil = static_cast<int>(g.stencil.size() / 3);
    v.x = x.get(), v.y = y.get(), v.z = z.get();
    v.atom = atom.get(), v.cell_start = cell_start.get(), v.wrap = wrap.get(), v.stencil = stencil.get();
    return v;
  }
};

// Visits every stencil image of slot a's cell: f(b, vx, vy, vz, r2, sx, sy, sz, zero_offset).
template <typename F>
__device__ inline void for_each_candidate(const GridView& g, int a, bool half, F&& f) {
  const int ncell_x = g.n[0], ncell_xy = g.n[0] * g.n[1];
  // the centre's cell from its slot: binary search in cell_start
  int lo = 0, hi = g.n[0] * g.n[1] * g.n[2];
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (g.cell_start[mid] <= a) lo = mid;
    else hi = mid;
  }
  const int cell0 = lo;
  const int cx = cell0 % ncell_x, cy = (cell0 / ncell_x) % g.n[1], cz = cell0 / ncell_xy;
  const double xi = g.x[a], yi = g.y[a], zi = g.z[a];
  for (int t = 0; t < g.nstencil; ++t) {
    const int dx = g.stencil[3 * t], dy = g.stencil[3 * t + 1], dz = g.stencil[3 * t + 2];
    const bool zero = dx == 0 && dy == 0 && dz == 0;
    if (half && !zero && !(dx != 0 ? dx > 0 : (dy != 0 ? dy > 0 : dz > 0))) continue;
    int tx, ty, tz, sx, sy, sz;
    if (!fold(cx + dx, g.n[0], g.periodic[0], tx, sx) || !fold(cy + dy, g.n[1], g.periodic[1], ty, sy) ||
        !fold(cz + dz, g.n[2], g.periodic[2], tz, sz))
      continue;
    const double ox = sx * g.h[0][0] + sy * g.h[1][0] + sz * g.h[2][0] - xi;
    const double oy = sx * g.h[0][1] + sy * g.h[1][1] + sz * g.h[2][1] - yi;
    const double oz = sx * g.h[0][2] + sy * g.h[1][2] + sz * g.h[2][2] - zi;
    const int cell = (tz * g.n[1] + ty) * g.n[0] + tx;
    const int b0 = zero && half ? a + 1 : g.cell_start[cell];
    for (int b = b0; b < g.cell_start[cell + 1]; ++b) {
      if (zero && b == a) continue;
      const double vx = g.x[b] + ox, vy = g.y[b] + oy, vz = g.z[b] + oz;
      f(b, vx, vy, vz, vx * vx + vy * vy + vz * vz, sx, sy, sz);
    }
  }
}

}  // namespace ionfield::detail
