// CPU symmetry functions: per frame one cell grid at the largest cutoff, then centres in parallel
// (OpenMP, dynamic blocks); each thread gathers a centre's neighbours and evaluates its features.
#include <cmath>
#include <limits>

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
  for (std::size_t f = 0; f < in.frames; ++f) {
    grid.build(in.positions + 3 * in.natoms * f, in.natoms, in.boxes[f], rmax, include.data());
    slot_species.resize(grid.atom.size());
    for (std::size_t s = 0; s < grid.atom.size(); ++s) slot_species[s] = in.species[grid.atom[s]];
    T* frame_out = out + in.stride * in.nrows * f;
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
      detail::GatherBuffers buf;
      buf.row.resize(in.stride);
#pragma omp for schedule(dynamic, 16)
      for (std::size_t r = 0; r < in.nrows; ++r) {
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
