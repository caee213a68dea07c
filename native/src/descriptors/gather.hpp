#pragma once
// Collects the neighbours of one centre from the cell grid into the layout evaluate_centre reads
// (inner/outer parts, each grouped by species).
#include <vector>

#include "descriptors/evaluate.hpp"
#include "neighbors/cell_grid.hpp"

namespace ionfield::detail {

struct GatherBuffers {
  std::vector<double> r, vx, vy, vz;           // final layout
  std::vector<int32_t> seg;
  std::vector<double> tr, tx, ty, tz;           // unsorted candidates
  std::vector<int32_t> tkey;                    // 2*species + (outer ? 1 : 0)
  std::vector<int32_t> count;
  std::vector<double> scratch, row;
};

// Neighbours of atom i within rmax (slot_species: species index per sorted slot of the grid);
// inner: r < rinner.
CentreNeighbours gather_neighbours(const CellGrid& g, const int32_t* slot_species, int nspecies, int i, double rmax,
                                   double rinner, GatherBuffers& buf);

}  // namespace ionfield::detail
