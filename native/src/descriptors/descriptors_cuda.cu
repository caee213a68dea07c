// CUDA symmetry functions. Per frame: host bins the atoms (O(N)); on the GPU, per chunk of centre
// rows, one thread per centre counts its neighbours by (inner/outer, species), a scan places them,
// a second pass gathers them in the layout evaluate_centre reads, and a third pass evaluates the
// very same evaluate_centre as the CPU (descriptors/evaluate.hpp), in double precision.
#include <thrust/device_ptr.h>
#include <thrust/scan.h>

#include <cmath>
#include <limits>

#include "core/cuda_check.hpp"
#include "descriptors/evaluate.hpp"
#include "descriptors/input_check.hpp"
#include "ionfield/descriptors.hpp"
#include "neighbors/grid_device.hpp"

namespace ionfield {
namespace {

using detail::DeviceBuffer;
using detail::GridView;
using detail::PlanView;

struct RowsView {
  const int32_t* rows;        // atom index per row
  const int32_t* slot_of;     // atom -> sorted slot
  const int32_t* species;     // per atom
  int first, count;           // rows of this chunk
};

__global__ void count_neighbours(GridView g, RowsView rv, PlanView p, int* counts /* 2S per row */, long long* totals) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= rv.count) return;
  const int i = rv.rows[rv.first + t];
  const detail::CentrePlan cp = p.centres[rv.species[i]];
  const double rc2 = cp.rmax * cp.rmax, rin2 = cp.rmax_angular * cp.rmax_angular;
  const int S = p.nspecies;
  int* c = counts + 2 * S * t;
  for (int k = 0; k < 2 * S; ++k) c[k] = 0;
  detail::for_each_candidate(g, rv.slot_of[i], false, [&](int b, double, double, double, double r2, int, int, int) {
    if (r2 < rc2) ++c[(r2 < rin2 ? 0 : S) + rv.species[g.atom[b]]];
  });
  long long n = 0;
  for (int k = 0; k < 2 * S; ++k) n += c[k];
  totals[t] = n;
}

__global__ void gather_and_evaluate(GridView g, RowsView rv, PlanView p, const int* counts, const long long* offsets,
                                    double* r, double* vx, double* vy, double* vz, int32_t* seg_all, double* scratch,
                                    int fixed_scratch, int max_block_fns, double* rows_out, int stride) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= rv.count) return;
  const int i = rv.rows[rv.first + t];
  const int c = rv.species[i];
  const detail::CentrePlan cp = p.centres[c];
  const double rc2 = cp.rmax * cp.rmax, rin2 = cp.rmax_angular * cp.rmax_angular;
  const int S = p.nspecies;
  const int* cnt = counts + 2 * S * t;
  int32_t* seg = seg_all + 4 * S * t;
  // Segment starts: inner part by species, then outer part by species.
  int cursor = 0;
  for (int s = 0; s < S; ++s) {
    seg[4 * s] = cursor;
    cursor += cnt[s];
    seg[4 * s + 1] = cursor;
  }
  for (int s = 0; s < S; ++s) {
    seg[4 * s + 2] = cursor;
    cursor += cnt[S + s];
    seg[4 * s + 3] = cursor;
  }
  const long long base = offsets[t];
  double *R = r + base, *X = vx + base, *Y = vy + base, *Z = vz + base;
  int fill[2 * 8];  // per (part, species) write cursors; nspecies <= 8 on the GPU
  for (int s = 0; s < S; ++s) {
    fill[s] = seg[4 * s];
    fill[S + s] = seg[4 * s + 2];
  }
  detail::for_each_candidate(g, rv.slot_of[i], false, [&](int b, double x, double y, double z, double r2, int, int, int) {
    if (!(r2 < rc2)) return;
    const int k = fill[(r2 < rin2 ? 0 : S) + rv.species[g.atom[b]]]++;
    R[k] = sqrt(r2);
    X[k] = x;
    Y[k] = y;
    Z[k] = z;
  });
  detail::CentreNeighbours nb;
  nb.n = cursor;
  nb.n_inner = seg[4 * (S - 1) + 1];
  nb.r = R, nb.vx = X, nb.vy = Y, nb.vz = Z, nb.seg = seg;
  double* sc = scratch + 2 * base + static_cast<long long>(fixed_scratch) * t;
  detail::evaluate_centre(p, c, nb, rows_out + static_cast<long long>(stride) * t, sc, max_block_fns);
}

// The plan's arrays in device memory.
struct DevicePlan {
  DeviceBuffer<detail::CentrePlan> centres;
  DeviceBuffer<detail::RadialGroup> radial;
  DeviceBuffer<int32_t> radial_cols, tensor_abc, order_offset;
  DeviceBuffer<double> radial_consts, tensor_weight;
  DeviceBuffer<detail::AngularBlock> blocks;
  DeviceBuffer<detail::AngularFn> fns;

  PlanView upload(const detail::Plan& plan) {
    centres.upload(plan.centres);
    radial.upload(plan.radial);
    radial_cols.upload(plan.radial_cols);
    radial_consts.upload(plan.radial_consts);
    blocks.upload(plan.blocks);
    fns.upload(plan.fns);
    tensor_abc.upload(plan.tensor_abc);
    tensor_weight.upload(plan.tensor_weight);
    order_offset.upload(plan.order_offset);
    PlanView v = plan.view();
    v.centres = centres.get();
    v.radial = radial.get();
    v.radial_cols = radial_cols.get();
    v.radial_consts = radial_consts.get();
    v.blocks = blocks.get();
    v.fns = fns.get();
    v.tensor_abc = tensor_abc.get();
    v.tensor_weight = tensor_weight.get();
    v.order_offset = order_offset.get();
    return v;
  }
};

template <typename T>
void compute_cuda(const DescriptorSet& set, const DescriptorInput& in, T* out) {
  std::string why;
  if (!detail::cuda_usable(&why)) throw std::runtime_error("CUDA descriptors: " + why);
  const DescriptorOptions options;
  const detail::Plan plan(set, options);
  detail::check_descriptor_input(set, plan, in);
  if (set.nspecies > 8) throw std::invalid_argument("CUDA descriptors: at most 8 species (use the CPU path)");
  if (in.frames == 0 || in.nrows == 0) return;
  DevicePlan dplan;
  const PlanView pv = dplan.upload(plan);
  const int S = set.nspecies, F = set.max_features();
  const int fixed_scratch = S * (plan.ncomponents + 1) + plan.max_block_fns;
  std::vector<uint8_t> include(in.natoms);
  for (std::size_t i = 0; i < in.natoms; ++i) include[i] = in.species[i] >= 0;
  DeviceBuffer<int32_t> rows, slot_of, species;
  rows.upload(in.rows, in.nrows);
  species.upload(in.species, in.natoms);
  detail::CellGrid grid;
  detail::DeviceGrid dgrid;
  const int chunk = static_cast<int>(std::min<std::size_t>(in.nrows, 65536));
  DeviceBuffer<int> counts(static_cast<std::size_t>(2) * S * chunk);
  DeviceBuffer<long long> totals(chunk), offsets(chunk + 1);
  DeviceBuffer<int32_t> seg(static_cast<std::size_t>(4) * S * chunk);
  DeviceBuffer<double> r, vx, vy, vz, scratch, rows_out(static_cast<std::size_t>(chunk) * F);
  std::vector<double> host_rows(static_cast<std::size_t>(chunk) * F);
  for (std::size_t f = 0; f < in.frames; ++f) {
    grid.build(in.positions + 3 * in.natoms * f, in.natoms, in.boxes[f], set.max_cutoff(), include.data());
    const GridView gv = dgrid.upload(grid);
    slot_of.upload(grid.slot_of);
    for (std::size_t first = 0; first < in.nrows; first += chunk) {
      RowsView rv{rows.get(), slot_of.get(), species.get(), static_cast<int>(first),
                  static_cast<int>(std::min<std::size_t>(chunk, in.nrows - first))};
      const int threads = 128, blocks = (rv.count + threads - 1) / threads;
      count_neighbours<<<blocks, threads>>>(gv, rv, pv, counts.get(), totals.get());
      detail::cuda_check(cudaGetLastError(), "count_neighbours");
      detail::cuda_check(cudaMemset(offsets.get(), 0, sizeof(long long)), "memset");
      thrust::inclusive_scan(thrust::device_ptr<long long>(totals.get()), thrust::device_ptr<long long>(totals.get()) + rv.count,
                             thrust::device_ptr<long long>(offsets.get()) + 1);
      long long total = 0;
      detail::cuda_check(cudaMemcpy(&total, offsets.get() + rv.count, sizeof total, cudaMemcpyDeviceToHost), "count");
      r.resize(total + 1), vx.resize(total + 1), vy.resize(total + 1), vz.resize(total + 1);
      scratch.resize(2 * total + static_cast<std::size_t>(fixed_scratch) * rv.count + 1);
      gather_and_evaluate<<<blocks, threads>>>(gv, rv, pv, counts.get(), offsets.get(), r.get(), vx.get(), vy.get(), vz.get(),
                                               seg.get(), scratch.get(), fixed_scratch, plan.max_block_fns, rows_out.get(), F);
      detail::cuda_check(cudaGetLastError(), "gather_and_evaluate");
      detail::cuda_check(cudaDeviceSynchronize(), "gather_and_evaluate");
      rows_out.download(host_rows.data(), static_cast<std::size_t>(rv.count) * F);
      for (int t = 0; t < rv.count; ++t) {
        const int nf = plan.centres[in.species[in.rows[first + t]]].nfeatures;
        T* dst = out + in.stride * (in.nrows * f + first + t);
        for (int k = 0; k < nf; ++k) dst[k] = static_cast<T>(host_rows[static_cast<std::size_t>(F) * t + k]);
        for (std::size_t k = nf; k < in.stride; ++k) dst[k] = std::numeric_limits<T>::quiet_NaN();
      }
    }
  }
}

}  // namespace

bool cuda_descriptors_available(std::string* why) { return detail::cuda_usable(why); }
void compute_descriptors_cuda(const DescriptorSet& set, const DescriptorInput& input, double* out) { compute_cuda(set, input, out); }
void compute_descriptors_cuda(const DescriptorSet& set, const DescriptorInput& input, float* out) { compute_cuda(set, input, out); }

}  // namespace ionfield
