// CPU neighbour list over the shared cell grid. Centres are visited cell by cell, in the grid's
// sorted-slot order (neighbouring centres share their neighbour cells, which stay in cache at any
// size); ranges of cells are handed to threads and each range's pairs are placed in range order,
// so the result (pairs and their order) does not depend on threading.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "core/threads.hpp"
#include "ionfield/neighbors.hpp"
#include "descriptors/math.hpp"  // IONFIELD_CPU_CLONES
#include "neighbors/cell_grid.hpp"

namespace ionfield {
namespace {

bool lex_positive(int dx, int dy, int dz) {
  if (dx != 0) return dx > 0;
  if (dy != 0) return dy > 0;
  return dz > 0;
}

// Copies a block's pairs into the result from pair at on (the result already holds room for them).
void copy_to(NeighborList& to, std::size_t at, const NeighborList& from) {
  std::copy(from.first.begin(), from.first.end(), to.first.begin() + at);
  std::copy(from.second.begin(), from.second.end(), to.second.begin() + at);
  std::copy(from.shifts.begin(), from.shifts.end(), to.shifts.begin() + 3 * at);
  std::copy(from.distances.begin(), from.distances.end(), to.distances.begin() + at);
  std::copy(from.vectors.begin(), from.vectors.end(), to.vectors.begin() + 3 * at);
}

// Empties a block buffer, keeping its capacity for the next block.
void clear_all(NeighborList& l) {
  l.first.clear();
  l.second.clear();
  l.shifts.clear();
  l.distances.clear();
  l.vectors.clear();
}

// Sizes the arrays the options ask for to n pairs (new elements are left unwritten).
void resize_all(NeighborList& l, const NeighborOptions& o, std::size_t n) {
  l.first.resize(n);
  l.second.resize(n);
  l.shifts.resize(3 * n);
  if (o.distances) l.distances.resize(n);
  if (o.vectors) l.vectors.resize(3 * n);
}

// Asks for transparent huge pages on the 2 MiB-aligned part of a large reserved buffer (Linux with
// THP in "madvise" mode, the common default; a no-op elsewhere or where THP is off). The pairs are
// written once into fresh memory, and first touch of 4 KiB pages was a large part of the list's
// time (on the 2-core VM of docs/benchmarks, 10^5 ions, one thread, same code with and without
// this advice: 321-327 against 530-585 ms, min of 4); 2 MiB pages fault 512x less often.
template <typename Array>
void advise_huge(const Array& v) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const std::size_t bytes = v.capacity() * sizeof(v[0]), huge = std::size_t{2} << 20;
  if (bytes < huge) return;
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data()), end = begin + bytes;
  const std::uintptr_t lo = (begin + huge - 1) & ~(huge - 1), hi = end & ~(huge - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);  // advice only: errors ignored
#else
  (void)v;
#endif
}

// One stencil cell of a centre cell, folded into the grid.
struct Near {
  int cell;              // the folded cell
  int d[3];              // offset in cells (before folding), for the per-centre bound
  int s[3];              // image shift of the fold
  double t[3];           // its Cartesian translation s . h
  bool zero;             // the centre's own cell (no offset)
};

// Pairs found from the centres of cells [cbegin, cend), in slot order, appended to out. The half
// list visits only the lexicographically positive half of the stencil (and, in the own cell, later
// slots), so each pair is met once; it is then stored with the lower atom index first. Each
// candidate cell is skipped when a lower bound on its distance from the centre (from where the
// centre lies inside its own cell) reaches the cutoff: fewer candidates, the same pairs.
IONFIELD_CPU_CLONES
void pairs_of_cells(const detail::CellGrid& g, const NeighborOptions& o, int cbegin, int cend, NeighborList& out) {
  const double rc2 = o.cutoff * o.cutoff;
  // Margin on the bound, wider than the stencil's own (1e-12): only cells clearly out are skipped.
  const double prune2 = rc2 * (1 + 2e-9);
  const std::size_t noff = g.stencil.size() / 3;
  std::vector<Near> near;
  near.reserve(noff);
  // A centre's hits (slot, r²) and their pairs are staged in plain buffers and appended to out
  // once per centre: push_back cannot be inlined into the CPU clones of this function.
  std::vector<int32_t> hit, group(noff + 1);
  std::vector<double> hit_r2;
  std::vector<int32_t> f, s, sh;
  std::vector<double> dist, vec;
  for (int c = cbegin; c < cend; ++c) {
    const int a0 = g.cell_start[c], a1 = g.cell_start[c + 1];
    if (a0 == a1) continue;
    int cc[3];
    g.coords(c, cc[0], cc[1], cc[2]);
    near.clear();
    std::size_t candidates = 0;
    for (std::size_t t = 0; t < noff; ++t) {
      Near nb;
      for (int k = 0; k < 3; ++k) nb.d[k] = g.stencil[3 * t + k];
      nb.zero = nb.d[0] == 0 && nb.d[1] == 0 && nb.d[2] == 0;
      if (!o.full && !nb.zero && !lex_positive(nb.d[0], nb.d[1], nb.d[2])) continue;
      int fc[3];
      bool inside = true;
      for (int k = 0; k < 3 && inside; ++k) inside = detail::fold(cc[k] + nb.d[k], g.n[k], g.periodic[k], fc[k], nb.s[k]);
      if (!inside) continue;
      nb.cell = g.index(fc[0], fc[1], fc[2]);
      if (g.cell_start[nb.cell] == g.cell_start[nb.cell + 1]) continue;
      for (int k = 0; k < 3; ++k) nb.t[k] = nb.s[0] * g.h[0][k] + nb.s[1] * g.h[1][k] + nb.s[2] * g.h[2][k];
      candidates += g.cell_start[nb.cell + 1] - g.cell_start[nb.cell];
      near.push_back(nb);
    }
    if (hit.size() < candidates + 1) {
      hit.resize(candidates + 1);
      hit_r2.resize(candidates + 1);
      f.resize(candidates);
      s.resize(candidates);
      sh.resize(3 * candidates);
      if (o.distances) dist.resize(candidates);
      if (o.vectors) vec.resize(3 * candidates);
    }
    for (int a = a0; a < a1; ++a) {
      const int i = g.atom[a];
      const double xi = g.x[a], yi = g.y[a], zi = g.z[a];
      const int wa[3] = {g.wrap[3 * a], g.wrap[3 * a + 1], g.wrap[3 * a + 2]};
      // Where the centre lies in its cell, in cell units (about 0..1 per direction).
      double u[3];
      for (int k = 0; k < 3; ++k) {
        const double sk = (xi - g.origin[0]) * g.inv[0][k] + (yi - g.origin[1]) * g.inv[1][k] + (zi - g.origin[2]) * g.inv[2][k];
        const double v = g.periodic[k] ? sk : (g.span[k] > 0 ? (sk - g.lo[k]) / g.span[k] : 0.0);
        u[k] = v * g.n[k] - cc[k];
      }
      // Filter without branches (about one candidate in three is kept): hits of near[t] are
      // hit[group[t] .. group[t + 1]).
      int nhit = 0;
      for (std::size_t t = 0; t < near.size(); ++t) {
        const Near& nb = near[t];
        group[t] = nhit;
        // Lower bound on the distance to any point of the cell nb.d away: the gap along each
        // direction's normal (orthorhombic: in quadrature; else the largest one).
        double bound2 = 0;
        for (int k = 0; k < 3; ++k) {
          const double gap = std::max(0.0, nb.d[k] > 0 ? nb.d[k] - u[k] : nb.d[k] < 0 ? u[k] - 1 - nb.d[k] : 0.0) * g.width[k];
          bound2 = g.ortho ? bound2 + gap * gap : std::max(bound2, gap * gap);
        }
        if (bound2 >= prune2) continue;
        const double ox = nb.t[0] - xi, oy = nb.t[1] - yi, oz = nb.t[2] - zi;
        const int b0 = nb.zero && !o.full ? a + 1 : g.cell_start[nb.cell], b1 = g.cell_start[nb.cell + 1];
        const int self = nb.zero ? a : -1;
        for (int b = b0; b < b1; ++b) {
          const double vx = g.x[b] + ox, vy = g.y[b] + oy, vz = g.z[b] + oz;
          const double r2 = vx * vx + vy * vy + vz * vz;
          hit[nhit] = b;
          hit_r2[nhit] = r2;
          nhit += (r2 < rc2) & (b != self);
        }
      }
      group[near.size()] = nhit;
      if (nhit == 0) continue;
      for (std::size_t t = 0; t < near.size(); ++t) {
        const Near& nb = near[t];
        const double ox = nb.t[0] - xi, oy = nb.t[1] - yi, oz = nb.t[2] - zi;
        for (int h = group[t]; h < group[t + 1]; ++h) {
          const int b = hit[h];
          const int j = g.atom[b];
          // Half list: the lower index first, the shift and vector negated with it.
          const bool swap = !o.full && j < i;
          const int neg = -static_cast<int>(swap);
          f[h] = swap ? j : i;
          s[h] = swap ? i : j;
          for (int k = 0; k < 3; ++k) sh[3 * h + k] = ((nb.s[k] - g.wrap[3 * b + k] + wa[k]) ^ neg) - neg;
          if (o.distances) dist[h] = std::sqrt(hit_r2[h]);
          if (o.vectors) {
            const double sign = swap ? -1.0 : 1.0;
            vec[3 * h] = sign * (g.x[b] + ox);
            vec[3 * h + 1] = sign * (g.y[b] + oy);
            vec[3 * h + 2] = sign * (g.z[b] + oz);
          }
        }
      }
      out.first.insert(out.first.end(), f.begin(), f.begin() + nhit);
      out.second.insert(out.second.end(), s.begin(), s.begin() + nhit);
      out.shifts.insert(out.shifts.end(), sh.begin(), sh.begin() + 3 * nhit);
      if (o.distances) out.distances.insert(out.distances.end(), dist.begin(), dist.begin() + nhit);
      if (o.vectors) out.vectors.insert(out.vectors.end(), vec.begin(), vec.begin() + 3 * nhit);
    }
  }
}

// Pairs to reserve room for: 10 % over the count at uniform density, so the lists rarely grow.
// Open boxes: the volume the atoms span, each direction at least a cutoff (atoms in a plane), and
// never more pairs than there are.
double expected_pairs(const detail::CellGrid& grid, const Box& box, std::size_t natoms, const NeighborOptions& o) {
  const bool any_periodic = box.periodic[0] || box.periodic[1] || box.periodic[2];
  double volume = any_periodic ? std::fabs(box.volume()) : 1;
  if (!any_periodic)
    for (int k = 0; k < 3; ++k) volume *= std::max(grid.n[k] * grid.width[k], o.cutoff);
  const double pi = 3.14159265358979323846, n = static_cast<double>(natoms), per_pair = o.full ? 1 : 2;
  double expected = volume > 0 ? 1.1 * n * (n / volume) * 4.0 / 3.0 * pi * std::pow(o.cutoff, 3) / per_pair : 0;
  if (!any_periodic) expected = std::min(expected, n * (n - 1) / per_pair);
  return std::min(expected, 4e9);
}

}  // namespace

NeighborList neighbor_list(const double* positions, std::size_t natoms, const Box& box, const NeighborOptions& options) {
  if (natoms > 0x7fffffffu) throw std::invalid_argument("neighbour list: more than 2^31 atoms");
  NeighborList result;
  if (natoms == 0) return result;
  detail::CellGrid grid;
  // Cells of 0.7 rc (5x5x5 stencil): with the per-centre pruning, larger cells than the
  // descriptors' rc/2 cost less per candidate than they add (W1 density, rc 6: 12.3 -> 10.6 ms at
  // 4,096 ions, 356 -> 303 ms at 10^5, one thread; rc/3 and rc cells were slower).
  grid.build(positions, natoms, box, options.cutoff, nullptr, 0.7);
  const int threads = detail::resolve_threads(options.threads);
  const int nc = grid.ncells();
  const double expected = expected_pairs(grid, box, natoms, options);
  // Ranges of cells with about equal numbers of centres: many more than threads, for balance, and
  // small enough that a block's pairs stay in cache between the search and their copy.
  const std::size_t count = grid.atom.size();
  const double per_block = 65536;  // ~1.3 MB of pairs and distances
  const std::size_t nblocks = threads == 1 ? 1 : std::max<std::size_t>(1, std::min<std::size_t>(nc, std::max<std::size_t>(8 * static_cast<std::size_t>(threads), static_cast<std::size_t>(expected / per_block))));
  std::vector<int> cell_begin(nblocks + 1, nc);
  cell_begin[0] = 0;
  for (std::size_t k = 1, c = 0; k < nblocks; ++k) {
    while (c < static_cast<std::size_t>(nc) && static_cast<std::size_t>(grid.cell_start[c]) * nblocks < count * k) ++c;
    cell_begin[k] = static_cast<int>(c);
  }
  auto reserve = [&](NeighborList& l, std::size_t n) {
    l.first.reserve(n);
    l.second.reserve(n);
    l.shifts.reserve(3 * n);
    if (options.distances) l.distances.reserve(n);
    if (options.vectors) l.vectors.reserve(3 * n);
    advise_huge(l.first);
    advise_huge(l.second);
    advise_huge(l.shifts);
    advise_huge(l.distances);
    advise_huge(l.vectors);
  };
  if (nblocks == 1) {
    reserve(result, static_cast<std::size_t>(expected) + 16);
    pairs_of_cells(grid, options, 0, nc, result);
    return result;
  }
  // Threads search blocks in any order. Each block's place in the result is fixed in block order
  // (an ordered section that only adds its pair count to a running total), and the thread that
  // found it then copies it there while the others go on: the copies, and the first touch of the
  // result's fresh pages that comes with them (the costly part at 10^5 ions and more), run in
  // parallel. The result is sized up front to the expected count without being written
  // (PairArray); a block that would end beyond it is kept aside and placed after the search,
  // once the result has grown (rare: only where the atoms are much denser than the box average).
  // Each thread reuses one buffer for its blocks, so they are copied while still in cache.
  const std::size_t capacity = static_cast<std::size_t>(expected) + 16;
  reserve(result, capacity);
  resize_all(result, options, capacity);
  std::vector<std::size_t> offset(nblocks);
  std::vector<NeighborList> aside(nblocks);
  std::size_t total = 0;
#pragma omp parallel num_threads(threads)
  {
    NeighborList local;
    reserve(local, static_cast<std::size_t>(expected / nblocks) + 16);
#pragma omp for ordered schedule(dynamic, 1)
    for (std::size_t k = 0; k < nblocks; ++k) {
      pairs_of_cells(grid, options, cell_begin[k], cell_begin[k + 1], local);
      std::size_t at = 0;
#pragma omp ordered
      {
        at = total;
        total += local.size();
      }
      offset[k] = at;
      if (at + local.size() <= capacity) {
        copy_to(result, at, local);
        clear_all(local);
      } else {
        aside[k] = std::move(local);
        local = NeighborList{};
      }
    }
  }
  if (total > capacity) {
    resize_all(result, options, total);
    for (std::size_t k = 0; k < nblocks; ++k)
      if (aside[k].size() > 0) copy_to(result, offset[k], aside[k]);
  }
  resize_all(result, options, total);
  return result;
}

}  // namespace ionfield
