// Builds without CUDA kernels: the GPU entry points say so instead of failing to link.
#ifndef IONFIELD_HAVE_CUDA
#include <stdexcept>

#include "ionfield/descriptors.hpp"
#include "ionfield/neighbors.hpp"

namespace ionfield {
namespace {
const char* kWhy = "this build of ionfield has no CUDA kernels (no CUDA toolkit at build time, or IONFIELD_CUDA=OFF)";
}
bool cuda_neighbors_available(std::string* why) {
  if (why) *why = kWhy;
  return false;
}
NeighborList neighbor_list_cuda(const double*, std::size_t, const Box&, const NeighborOptions&) { throw std::runtime_error(kWhy); }
bool cuda_descriptors_available(std::string* why) { return cuda_neighbors_available(why); }
void compute_descriptors_cuda(const DescriptorSet&, const DescriptorInput&, double*) { throw std::runtime_error(kWhy); }
void compute_descriptors_cuda(const DescriptorSet&, const DescriptorInput&, float*) { throw std::runtime_error(kWhy); }
}  // namespace ionfield
#endif
