// CPU symmetry functions: per frame one cell grid at the largest cutoff, then centres in parallel
// (OpenMP, dynamic blocks); each thread gathers a centre's neighbours and evaluates its features.
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

// The rows in the order of their centres' cells (a counting sort; stable, so rows of one cell keep
// their order). Why: a centre reads the ~125 cells around it; in input order (spatially random in a
// trajectory) consecutive centres share none, and once the grid outgrows the cache (10^5-10^6 ions)
// every gather misses. In cell order consecutive centres read the same cells. Each row is computed
// and written on its own, so the values are bit for bit those of input order.
void order_by_cell(const detail::CellGrid& grid, const DescriptorInput& in, std::vector<int32_t>& order) {
  const int nc = grid.ncells();
  std::vector<int32_t> start(static_cast<std::size_t>(nc) + 1, 0);
  for (std::size_t r = 0; r < in.nrows; ++r) ++start[grid.cell_of[in.rows[r]] + 1];
  for (int c = 0; c < nc; ++c) start[c + 1] += start[c];
  order.resize(in.nrows);
  for (std::size_t r = 0; r < in.nrows; ++r) order[start[grid.cell_of[in.rows[r]]]++] = static_cast<int32_t>(r);
}

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
  std::vector<int32_t> order;
  for (std::size_t f = 0; f < in.frames; ++f) {
    try {
      grid.build(in.positions + 3 * in.natoms * f, in.natoms, in.boxes[f], rmax, include.data());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("frame " + std::to_string(f) + " of the batch: " + e.what());
    }
    slot_species.resize(grid.atom.size());
    for (std::size_t s = 0; s < grid.atom.size(); ++s) slot_species[s] = in.species[grid.atom[s]];
    order_by_cell(grid, in, order);
    T* frame_out = out + in.stride * in.nrows * f;
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
      detail::GatherBuffers buf;
      buf.row.resize(in.stride);
#pragma omp for schedule(dynamic, 16)
      for (std::size_t k = 0; k < in.nrows; ++k) {
        const std::size_t r = order[k];
        const int i = in.rows[r];
        const int c = in.species[i];
        const detail::CentrePlan& cp = plan.centres[c];
        const detail::CentreNeighbours nb =
            detail::gather_neighbours(grid, slot_species.data(), set.nspecies, i, cp.rmax, cp.rmax_angular, buf);
        const std::size_t need = detail::scratch_size(view, nb.n, plan.max_block_fns);
        if (buf.scratch.size() < need) buf.scratch.resize(need);
        evaluate_on_cpu(view, c, nb, buf.row.data(), buf.scratch.data(), plan.max_block_fns);
        T* dst = frame_out + in.stride * r;
        for (int k = 0; k < cp.nfeatures; ++k) dst[k] = static_cast<T>(buf.row[k]);
        for (std::size_t k = cp.nfeatures; k < in.stride; ++k) dst[k] = std::numeric_limits<T>::quiet_NaN();
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
