#pragma once
// Collects the neighbours of centre atoms from the cell grid into the layout evaluate_centre reads
// (inner/outer parts, each grouped by species), one grid cell at a time: the images of the
// stencil's cells are folded and copied once per cell into contiguous arrays grouped by species
// (CellCandidates::build), then each centre of the cell filters those arrays by distance
// (gather_centre). The neighbours of a species part keep the order in which the stencil visits
// them, as the per-centre gather they replace did.
#include <vector>

#include "descriptors/evaluate.hpp"
#include "neighbors/cell_grid.hpp"

namespace ionfield::detail {

// The atoms of the stencil's images around one cell that lie within rmax of the bounding box of
// the cell's atoms, at their image positions, grouped by species (species s: [begin[s], begin[s + 1])).
struct CellCandidates {
  std::vector<double> x, y, z;
  std::vector<int32_t> begin;     // nspecies + 1
  std::vector<int32_t> own;       // candidate index of each slot of the cell itself (zero shift)
  int own_first_slot = 0;
  // unsorted staging
  std::vector<double> tx, ty, tz;
  std::vector<int32_t> ts, fill;
  // rmax: the grid's cutoff (the largest of any centre).
  void build(const CellGrid& g, const int32_t* slot_species, int nspecies, int cell, double rmax);
};

struct GatherBuffers {
  std::vector<double> r, vx, vy, vz;  // final layout
  std::vector<int32_t> seg;
  std::vector<double> r2;             // per candidate
  std::vector<int32_t> kept, idx_in, idx_out;
  std::vector<int32_t> n_in, n_out;   // per species
  std::vector<double> scratch, row;
};

// Neighbours of the atom in slot a of the candidates' cell within rmax; inner: r < rinner. The
// vectors vx, vy, vz are filled for the inner neighbours only (evaluate_centre reads no others).
CentreNeighbours gather_centre(const CellGrid& g, const CellCandidates& cand, int nspecies, int a, double rmax,
                               double rinner, GatherBuffers& buf);

}  // namespace ionfield::detail
