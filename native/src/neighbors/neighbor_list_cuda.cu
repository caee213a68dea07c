// CUDA neighbour list: the cell grid is binned on the host (O(N)), then one GPU thread per atom
// counts its pairs, an exclusive scan places them, and a second pass writes them. Same pairs,
// shifts and half-list convention as the CPU list; the order is by sorted slot.
#include <thrust/device_ptr.h>
#include <thrust/scan.h>

#include "core/cuda_check.hpp"
#include "ionfield/neighbors.hpp"
#include "neighbors/grid_device.hpp"

namespace ionfield {
namespace {

using detail::GridView;

__global__ void count_pairs(GridView g, int nslots, double rc2, bool half, int* counts) {
  const int a = blockIdx.x * blockDim.x + threadIdx.x;
  if (a >= nslots) return;
  int count = 0;
  detail::for_each_candidate(g, a, half, [&](int, double, double, double, double r2, int, int, int) {
    if (r2 < rc2) ++count;
  });
  counts[a] = count;
}

__global__ void fill_pairs(GridView g, int nslots, double rc2, bool half, const long long* offsets, int32_t* first,
                           int32_t* second, int32_t* shifts, double* distances, double* vectors) {
  const int a = blockIdx.x * blockDim.x + threadIdx.x;
  if (a >= nslots) return;
  long long k = offsets[a];
  const int i = g.atom[a];
  detail::for_each_candidate(g, a, half, [&](int b, double vx, double vy, double vz, double r2, int sx, int sy, int sz) {
    if (!(r2 < rc2)) return;
    int p = i, q = g.atom[b];
    int S[3] = {sx - g.wrap[3 * b] + g.wrap[3 * a], sy - g.wrap[3 * b + 1] + g.wrap[3 * a + 1], sz - g.wrap[3 * b + 2] + g.wrap[3 * a + 2]};
    double sign = 1;
    if (half && q < p) {
      const int t = p;
      p = q, q = t;
      S[0] = -S[0], S[1] = -S[1], S[2] = -S[2], sign = -1;
    }
    first[k] = p;
    second[k] = q;
    shifts[3 * k] = S[0], shifts[3 * k + 1] = S[1], shifts[3 * k + 2] = S[2];
    distances[k] = sqrt(r2);
    vectors[3 * k] = sign * vx, vectors[3 * k + 1] = sign * vy, vectors[3 * k + 2] = sign * vz;
    ++k;
  });
}

}  // namespace

bool cuda_neighbors_available(std::string* why) { return detail::cuda_usable(why); }

NeighborList neighbor_list_cuda(const double* positions, std::size_t natoms, const Box& box, const NeighborOptions& options) {
  std::string why;
  if (!detail::cuda_usable(&why)) throw std::runtime_error("CUDA neighbour list: " + why);
  NeighborList out;
  if (natoms == 0) return out;
  detail::CellGrid grid;
  grid.build(positions, natoms, box, options.cutoff);
  detail::DeviceGrid dg;
  const GridView g = dg.upload(grid);
  const int nslots = static_cast<int>(grid.atom.size());
  const double rc2 = options.cutoff * options.cutoff;
  const bool half = !options.full;
  detail::DeviceBuffer<int> counts(nslots);
  detail::DeviceBuffer<long long> offsets(nslots + 1);
  const int threads = 128, blocks = (nslots + threads - 1) / threads;
  count_pairs<<<blocks, threads>>>(g, nslots, rc2, half, counts.get());
  detail::cuda_check(cudaGetLastError(), "count_pairs");
  thrust::device_ptr<int> c(counts.get());
  thrust::device_ptr<long long> o(offsets.get());
  cudaMemset(offsets.get(), 0, sizeof(long long));
  thrust::inclusive_scan(c, c + nslots, o + 1);
  long long total = 0;
  detail::cuda_check(cudaMemcpy(&total, offsets.get() + nslots, sizeof total, cudaMemcpyDeviceToHost), "pair count");
  detail::DeviceBuffer<int32_t> first(total), second(total), shifts(3 * total);
  detail::DeviceBuffer<double> distances(total), vectors(3 * total);
  fill_pairs<<<blocks, threads>>>(g, nslots, rc2, half, offsets.get(), first.get(), second.get(), shifts.get(), distances.get(),
                                  vectors.get());
  detail::cuda_check(cudaGetLastError(), "fill_pairs");
  out.first.resize(total);
  out.second.resize(total);
  out.shifts.resize(3 * total);
  first.download(out.first.data(), total);
  second.download(out.second.data(), total);
  shifts.download(out.shifts.data(), 3 * total);
  if (options.distances) {
    out.distances.resize(total);
    distances.download(out.distances.data(), total);
  }
  if (options.vectors) {
    out.vectors.resize(3 * total);
    vectors.download(out.vectors.data(), 3 * total);
  }
  return out;
}

}  // namespace ionfield
