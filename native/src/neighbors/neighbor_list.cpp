// CPU neighbour list over the shared cell grid. Blocks of centre atoms are handed to threads and
// each block's pairs are appended in block order, so the result does not depend on threading.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/threads.hpp"
#include "ionfield/neighbors.hpp"
#include "neighbors/cell_grid.hpp"

namespace ionfield {
namespace {

bool positive_shift(int sx, int sy, int sz) {
  if (sx != 0) return sx > 0;
  if (sy != 0) return sy > 0;
  return sz > 0;
}

void append(NeighborList& to, const NeighborList& from) {
  to.first.insert(to.first.end(), from.first.begin(), from.first.end());
  to.second.insert(to.second.end(), from.second.begin(), from.second.end());
  to.shifts.insert(to.shifts.end(), from.shifts.begin(), from.shifts.end());
  to.distances.insert(to.distances.end(), from.distances.begin(), from.distances.end());
  to.vectors.insert(to.vectors.end(), from.vectors.begin(), from.vectors.end());
}

// Pairs of centres [begin, end) (original indices) appended to out.
void pairs_of_block(const detail::CellGrid& g, const NeighborOptions& o, std::size_t begin, std::size_t end,
                    NeighborList& out) {
  const double rc2 = o.cutoff * o.cutoff;
  for (std::size_t i = begin; i < end; ++i) {
    const int a = g.slot_of[i];
    if (a < 0) continue;
    int cx, cy, cz;
    g.coords(g.cell_of[i], cx, cy, cz);
    const double xi = g.x[a], yi = g.y[a], zi = g.z[a];
    for (int dz = -g.m[2]; dz <= g.m[2]; ++dz) {
      int tz, sz;
      if (!detail::fold(cz + dz, g.n[2], g.periodic[2], tz, sz)) continue;
      for (int dy = -g.m[1]; dy <= g.m[1]; ++dy) {
        int ty, sy;
        if (!detail::fold(cy + dy, g.n[1], g.periodic[1], ty, sy)) continue;
        for (int dx = -g.m[0]; dx <= g.m[0]; ++dx) {
          int tx, sx;
          if (!detail::fold(cx + dx, g.n[0], g.periodic[0], tx, sx)) continue;
          const double ox = sx * g.h[0][0] + sy * g.h[1][0] + sz * g.h[2][0];
          const double oy = sx * g.h[0][1] + sy * g.h[1][1] + sz * g.h[2][1];
          const double oz = sx * g.h[0][2] + sy * g.h[1][2] + sz * g.h[2][2];
          const int cell = g.index(tx, ty, tz);
          for (int b = g.cell_start[cell]; b < g.cell_start[cell + 1]; ++b) {
            const double vx = g.x[b] + ox - xi, vy = g.y[b] + oy - yi, vz = g.z[b] + oz - zi;
            const double r2 = vx * vx + vy * vy + vz * vz;
            if (!(r2 < rc2)) continue;
            const int j = g.atom[b];
            const int Sx = sx - g.wrap[3 * b] + g.wrap[3 * a];
            const int Sy = sy - g.wrap[3 * b + 1] + g.wrap[3 * a + 1];
            const int Sz = sz - g.wrap[3 * b + 2] + g.wrap[3 * a + 2];
            if (j == static_cast<int>(i)) {
              if (Sx == 0 && Sy == 0 && Sz == 0) continue;
              if (!o.full && !positive_shift(Sx, Sy, Sz)) continue;
            } else if (!o.full && j < static_cast<int>(i)) {
              continue;
            }
            out.first.push_back(static_cast<int32_t>(i));
            out.second.push_back(j);
            out.shifts.insert(out.shifts.end(), {Sx, Sy, Sz});
            if (o.distances) out.distances.push_back(std::sqrt(r2));
            if (o.vectors) out.vectors.insert(out.vectors.end(), {vx, vy, vz});
          }
        }
      }
    }
  }
}

}  // namespace

NeighborList neighbor_list(const double* positions, std::size_t natoms, const Box& box, const NeighborOptions& options) {
  if (natoms > 0x7fffffffu) throw std::invalid_argument("neighbour list: more than 2^31 atoms");
  NeighborList result;
  if (natoms == 0) return result;
  detail::CellGrid grid;
  grid.build(positions, natoms, box, options.cutoff);
  const int threads = detail::resolve_threads(options.threads);
  const std::size_t nblocks = threads == 1 ? 1 : std::min<std::size_t>(natoms, 8 * static_cast<std::size_t>(threads));
  std::vector<NeighborList> blocks(nblocks);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
  for (std::size_t k = 0; k < nblocks; ++k)
    pairs_of_block(grid, options, natoms * k / nblocks, natoms * (k + 1) / nblocks, blocks[k]);
  if (nblocks == 1) return std::move(blocks[0]);
  std::size_t total = 0;
  for (auto& b : blocks) total += b.size();
  result.first.reserve(total);
  result.second.reserve(total);
  result.shifts.reserve(3 * total);
  if (options.distances) result.distances.reserve(total);
  if (options.vectors) result.vectors.reserve(3 * total);
  for (auto& b : blocks) append(result, b);
  return result;
}

}  // namespace ionfield
