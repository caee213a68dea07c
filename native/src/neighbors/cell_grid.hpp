#pragma once
// The cell list shared by the neighbour list, the descriptors and their CUDA twins: atoms binned
// into a grid of parallelepiped cells in fractional coordinates, stored sorted by cell.
//
// Why any cutoff works: a neighbour within rc differs by at most rc/H_k in fractional coordinate k
// (H_k the box height along k), so with n_k cells along k it lies within m_k = ceil(rc n_k / H_k)
// cells. Visiting offsets -m_k..m_k and folding them back into the grid with an image shift visits
// every periodic image once, also when m_k exceeds the grid (cutoff beyond half the box).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "descriptors/math.hpp"  // IONFIELD_HD
#include "ionfield/box.hpp"

namespace ionfield::detail {

struct CellGrid {
  int n[3] = {1, 1, 1};          // cells per direction
  int m[3] = {0, 0, 0};          // stencil half-width per direction
  bool periodic[3] = {true, true, true};
  double h[3][3] = {};           // effective cell vectors (rows); identity for open boundaries
  std::vector<int32_t> atom;     // sorted slot -> original atom index
  std::vector<int32_t> cell_start;  // ncells + 1 offsets into the sorted slots
  std::vector<int32_t> cell_of;     // original atom index -> cell (or -1 when not binned)
  std::vector<int32_t> slot_of;     // original atom index -> sorted slot (or -1)
  std::vector<double> x, y, z;      // wrapped Cartesian positions per sorted slot
  std::vector<int32_t> wrap;        // 3 per sorted slot: lattice translation W removed (r_w = r - W.h)
  // Stencil offsets (dx,dy,dz) whose cells can hold a point within the cutoff of some point of the
  // centre cell (a lower bound on the cell-to-cell distance prunes the corners of the cube).
  std::vector<int32_t> stencil;     // 3 per offset, x fastest
  // Where a wrapped position lies inside its cell (for per-atom pruning of stencil cells): its
  // fractional coordinate s_k = (r - origin) . inv[.][k], in cell units (periodic: s_k n_k; open:
  // (s_k - lo_k) / span_k n_k) minus the cell's index. A cell d_k cells away along k then starts
  // at least gap_k width[k] away along that direction's normal, width[k] = (span_k) H_k / n_k.
  double origin[3] = {0, 0, 0};
  double inv[3][3] = {};
  double lo[3] = {0, 0, 0}, span[3] = {1, 1, 1};
  double width[3] = {1, 1, 1};
  bool ortho = true;                // orthorhombic (or open): the gaps add in quadrature

  // Bins the atoms with include[i] (or all when include is null). cell_fraction: target cell
  // width as a fraction of the cutoff (0.5: cells of rc/2, a 5x5x5 stencil).
  void build(const double* positions, std::size_t natoms, const Box& box, double cutoff,
             const uint8_t* include = nullptr, double cell_fraction = 0.5);
  int ncells() const { return n[0] * n[1] * n[2]; }
  int index(int ix, int iy, int iz) const { return (iz * n[1] + iy) * n[0] + ix; }
  void coords(int cell, int& ix, int& iy, int& iz) const {
    ix = cell % n[0];
    iy = (cell / n[0]) % n[1];
    iz = cell / (n[0] * n[1]);
  }
};

// Folds a stencil cell coordinate into the grid; returns false when it falls outside an open
// direction. shift receives the image translation along that direction.
IONFIELD_HD bool fold(int c, int n, bool periodic, int& folded, int& shift) {
  if (!periodic) {
    if (c < 0 || c >= n) return false;
    folded = c;
    shift = 0;
    return true;
  }
  if (c >= 0 && c < n) {  // the common case, without a division
    folded = c;
    shift = 0;
  } else if (c < 0 && c >= -n) {
    folded = c + n;
    shift = -1;
  } else if (c >= n && c < 2 * n) {
    folded = c - n;
    shift = 1;
  } else {
    shift = c >= 0 ? c / n : -((-c + n - 1) / n);
    folded = c - shift * n;
  }
  return true;
}

}  // namespace ionfield::detail
