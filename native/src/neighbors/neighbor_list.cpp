// CPU neighbour list over the shared cell grid. Blocks of centre atoms are handed to threads and
// each block's pairs are appended in block order, so the result does not depend on threading.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/threads.hpp"
#include "ionfield/neighbors.hpp"
#include "descriptors/math.hpp"  // IONFIELD_CPU_CLONES
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

bool lex_positive(int dx, int dy, int dz) { return positive_shift(dx, dy, dz); }

// Pairs found from centres [begin, end) (original indices), appended to out. The half list visits
// only the lexicographically positive half of the stencil (and, in the own cell, later slots), so
// each pair is met once; it is then stored with the lower atom index first.
IONFIELD_CPU_CLONES
void pairs_of_block(const detail::CellGrid& g, const NeighborOptions& o, std::size_t begin, std::size_t end,
                    NeighborList& out) {
  const double rc2 = o.cutoff * o.cutoff;
  const std::size_t noff = g.stencil.size() / 3;
  for (std::size_t i = begin; i < end; ++i) {
    const int a = g.slot_of[i];
    if (a < 0) continue;
    int cx, cy, cz;
    g.coords(g.cell_of[i], cx, cy, cz);
    const double xi = g.x[a], yi = g.y[a], zi = g.z[a];
    for (std::size_t t = 0; t < noff; ++t) {
      const int dx = g.stencil[3 * t], dy = g.stencil[3 * t + 1], dz = g.stencil[3 * t + 2];
      const bool zero = dx == 0 && dy == 0 && dz == 0;
      if (!o.full && !zero && !lex_positive(dx, dy, dz)) continue;
      int tx, ty, tz, sx, sy, sz;
      if (!detail::fold(cx + dx, g.n[0], g.periodic[0], tx, sx) || !detail::fold(cy + dy, g.n[1], g.periodic[1], ty, sy) ||
          !detail::fold(cz + dz, g.n[2], g.periodic[2], tz, sz))
        continue;
      const double ox = sx * g.h[0][0] + sy * g.h[1][0] + sz * g.h[2][0] - xi;
      const double oy = sx * g.h[0][1] + sy * g.h[1][1] + sz * g.h[2][1] - yi;
      const double oz = sx * g.h[0][2] + sy * g.h[1][2] + sz * g.h[2][2] - zi;
      const int cell = g.index(tx, ty, tz);
      const int b0 = zero && !o.full ? a + 1 : g.cell_start[cell];
      for (int b = b0; b < g.cell_start[cell + 1]; ++b) {
        const double vx = g.x[b] + ox, vy = g.y[b] + oy, vz = g.z[b] + oz;
        const double r2 = vx * vx + vy * vy + vz * vz;
        if (!(r2 < rc2) || (zero && b == a)) continue;
        int first = static_cast<int>(i), second = g.atom[b];
        int Sx = sx - g.wrap[3 * b] + g.wrap[3 * a];
        int Sy = sy - g.wrap[3 * b + 1] + g.wrap[3 * a + 1];
        int Sz = sz - g.wrap[3 * b + 2] + g.wrap[3 * a + 2];
        double sign = 1;
        if (!o.full && second < first) {
          std::swap(first, second);
          Sx = -Sx, Sy = -Sy, Sz = -Sz, sign = -1;
        }
        out.first.push_back(first);
        out.second.push_back(second);
        out.shifts.insert(out.shifts.end(), {Sx, Sy, Sz});
        if (o.distances) out.distances.push_back(std::sqrt(r2));
        if (o.vectors) out.vectors.insert(out.vectors.end(), {sign * vx, sign * vy, sign * vz});
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
  // Reserve from the expected count (uniform density), so the lists rarely grow.
  const double volume = grid.ncells() > 0 ? std::fabs(box.volume()) : 0;
  const double pi = 3.14159265358979323846;
  double expected = volume > 0 && (box.periodic[0] || box.periodic[1] || box.periodic[2])
                        ? 1.1 * natoms * (natoms / volume) * 4.0 / 3.0 * pi * std::pow(options.cutoff, 3) / (options.full ? 1 : 2)
                        : 0;
  expected = std::min(expected, 4e9);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
  for (std::size_t k = 0; k < nblocks; ++k) {
    const std::size_t reserve = static_cast<std::size_t>(expected / nblocks) + 16;
    blocks[k].first.reserve(reserve);
    blocks[k].second.reserve(reserve);
    blocks[k].shifts.reserve(3 * reserve);
    if (options.distances) blocks[k].distances.reserve(reserve);
    if (options.vectors) blocks[k].vectors.reserve(3 * reserve);
    pairs_of_block(grid, options, natoms * k / nblocks, natoms * (k + 1) / nblocks, blocks[k]);
  }
  if (nblocks == 1) return std::move(blocks[0]);
  std::size_t total = 0;
  for (auto& b : blocks) total += b.size();
  result.first.reserve(total);
  result.second.reserve(total);
  result.shifts.reserve(3 * total);
  if (options.distances) result.distances.reserve(total);
  if (options.vectors) result.vectors.reserve(3 * total);
  // Each block is freed once appended: the result's reserved pages are only touched as they are
  // filled, so the peak stays near one copy of the pairs plus one block, not two copies.
  for (auto& b : blocks) {
    append(result, b);
    b = NeighborList{};
  }
  return result;
}

}  // namespace ionfield
