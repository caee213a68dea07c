// CPU symmetry functions: per frame one cell grid at the largest cutoff, then cells in parallel
// (OpenMP, dynamic blocks); per cell a thread gathers the stencil's atoms once, then filters them
// for each centre of the cell and evaluates its features.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/threads.hpp"
#include "descriptors/evaluate.hpp"
#include "descriptors/gather.hpp"
#include "descriptors/input_check.hpp"
#include "ionfield/descriptors.hpp"

namespace ionfield {
namespace {

// One centre, compiled for several instruction sets (see IONFIELD_CPU_CLONES).
IONFIELD_CPU_CLONES
void evaluate_on_cpu(const detail::PlanView& view, int c, const detail::CentreNeighbours& nb, double* row, double* scratch,
                     int max_block_fns) {
  detail::evaluate_centre(view, c, nb, row, scratch, max_block_fns);
}

// The rows grouped by their centres' cells (a counting sort; stable, so rows of one cell keep
// their order): rows of cell c are order[start[c] .. start[c + 1]). Why: the neighbours' images are
// gathered once per cell for all its centres, and in cell order consecutive cells share most of
// their stencil (in input order, spatially random in a trajectory, every centre's ~125 cells would
// be cold once the grid outgrows the cache, 10^5-10^6 ions). Each row is computed and written on
// its own, so the values do not depend on the order.
void order_by_cell(const detail::CellGrid& grid, const DescriptorInput& in, std::vector<int32_t>& start,
                   std::vector<int32_t>& order) {
  const int nc = grid.ncells();
  start.assign(static_cast<std::size_t>(nc) + 1, 0);
  for (std::size_t r = 0; r < in.nrows; ++r) ++start[grid.cell_of[in.rows[r]] + 1];
  for (int c = 0; c < nc; ++c) start[c + 1] += start[c];
  order.resize(in.nrows);
  std::vector<int32_t> fill(start.begin(), start.end() - 1);
  for (std::size_t r = 0; r < in.nrows; ++r) order[fill[grid.cell_of[in.rows[r]]]++] = static_cast<int32_t>(r);
}

// Cells of 0.7 rmax (a 5x5x5 stencil): a cell's candidate images are gathered once for its ~30
// centres (W1 density, rmax 6) and pruned to those within rmax of its atoms' bounding box. Measured
// at 4,096 ions (sf_bench, one thread, CPU time): 0.35 rmax 43 ms, 0.5 36 ms, 0.6 35.5 ms, 0.7
// 34.5 ms, 1.0 37.5 ms (the list, issue 16, chose 0.7 as well).
constexpr double kCellFraction = 0.7;

template <typename T>
void compute(const DescriptorSet& set, const DescriptorInput& in, T* out, const DescriptorOptions& options) {
  const detail::Plan plan(set, options);
  detail::check_descriptor_input(set, plan, in);
  const detail::PlanView view = plan.view();
  if (in.frames == 0 || in.nrows == 0) return;
  std::vector<uint8_t> include(in.natoms);
  for (std::size_t i = 0; i < in.natoms; ++i) include[i] = in.species[i] >= 0;
  const double rmax = set.max_cutoff();
  const int threads = detail::resolve_threads(options.threads);
  detail::CellGrid grid;
  std::vector<int32_t> slot_species;
  std::vector<int32_t> order, cell_rows;
  for (std::size_t f = 0; f < in.frames; ++f) {
    try {
      grid.build(in.positions + 3 * in.natoms * f, in.natoms, in.boxes[f], rmax, include.data(), kCellFraction);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("frame " + std::to_string(f) + " of the batch: " + e.what());
    }
    slot_species.resize(grid.atom.size());
    for (std::size_t s = 0; s < grid.atom.size(); ++s) slot_species[s] = in.species[grid.atom[s]];
    order_by_cell(grid, in, cell_rows, order);
    T* frame_out = out + in.stride * in.nrows * f;
    const int ncells = grid.ncells();
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
      detail::CellCandidates cand;
      detail::GatherBuffers buf;
      buf.row.resize(in.stride);
#pragma omp for schedule(dynamic, 1)
      for (int cell = 0; cell < ncells; ++cell) {
        if (cell_rows[cell] == cell_rows[cell + 1]) continue;
        cand.build(grid, slot_species.data(), set.nspecies, cell, rmax);
        for (int k = cell_rows[cell]; k < cell_rows[cell + 1]; ++k) {
          const std::size_t r = order[k];
          const int i = in.rows[r];
          const int c = in.species[i];
          const detail::CentrePlan& cp = plan.centres[c];
          const detail::CentreNeighbours nb =
              detail::gather_centre(grid, cand, set.nspecies, grid.slot_of[i], cp.rmax, cp.rmax_angular, buf);
          const std::size_t need = detail::scratch_size(view, nb.n, plan.max_block_fns);
          if (buf.scratch.size() < need) buf.scratch.resize(need);
          evaluate_on_cpu(view, c, nb, buf.row.data(), buf.scratch.data(), plan.max_block_fns);
          T* dst = frame_out + in.stride * r;
          for (int q = 0; q < cp.nfeatures; ++q) dst[q] = static_cast<T>(buf.row[q]);
          for (std::size_t q = cp.nfeatures; q < in.stride; ++q) dst[q] = std::numeric_limits<T>::quiet_NaN();
        }
      }
    }
  }
}

}  // namespace

void compute_descriptors(const DescriptorSet& set, const DescriptorInput& input, double* out, const DescriptorOptions& options) {
  compute(set, input, out, options);
}
void compute_descriptors(const DescriptorSet& set, const DescriptorInput& input, float* out, const DescriptorOptions& options) {
  compute(set, input, out, options);
}

}  // namespace ionfield
