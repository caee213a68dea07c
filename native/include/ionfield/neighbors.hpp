#pragma once
// Neighbour lists: every pair of atoms closer than a cutoff, in periodic (orthorhombic or
// triclinic), partly periodic or open boxes, found with a cell list. One small options struct in
// the spirit of vesin. Any cutoff is allowed: when it exceeds half a box height the list holds
// every periodic image within the cutoff (including an atom's own images), each as its own pair.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "ionfield/box.hpp"

namespace ionfield {

struct NeighborOptions {
  double cutoff = 0;         // pairs with distance < cutoff (strict)
  bool full = false;         // full list: (i,j) and (j,i) both; half list: each pair once
  bool distances = true;     // fill NeighborList::distances
  bool vectors = true;       // fill NeighborList::vectors (r_j - r_i + shift . h)
  int threads = 0;           // CPU threads; 0 = all (OpenMP), 1 = serial
};

// Pairs in a deterministic order (independent of the thread count), not sorted: grouped by the
// centre they were found from, centres in the order of the cell list (by cell, not by atom index;
// the CUDA list also follows the cell list, in its own order).
// For a pair k: first[k] = i, second[k] = j, shifts[3k..3k+2] = integer cell translation S such that
// the vector from i to the neighbour image is r_j - r_i + S . h (h rows = cell vectors).
// Half lists keep (i,j,S) with i < j, and for i == j (an atom's own image) the S whose first
// non-zero component is positive.
//
// The arrays leave new elements uninitialised when resized (PairArray): with threads the list is
// sized first and each thread copies its blocks to their places, and value-initialising 10^7
// pairs would first zero hundreds of megabytes on one thread.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() noexcept = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept(noexcept(U())) {
    ::new (static_cast<void*>(p)) U;  // default-initialised: no write for numbers
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <typename T>
using PairArray = std::vector<T, DefaultInitAllocator<T>>;

struct NeighborList {
  PairArray<int32_t> first, second;
  PairArray<int32_t> shifts;      // 3 per pair
  PairArray<double> distances;    // 1 per pair (when asked)
  PairArray<double> vectors;      // 3 per pair (when asked)
  std::size_t size() const { return first.size(); }
};

// positions: natoms x 3 (any values: periodic directions are wrapped internally, the shifts refer
// to the positions as given). box.periodic selects periodic directions; with no periodic
// direction the cell vectors are ignored (open boundaries).
NeighborList neighbor_list(const double* positions, std::size_t natoms, const Box& box, const NeighborOptions& options);

// The same list computed on the GPU (CUDA). Throws std::runtime_error when this build has no CUDA
// kernels or no GPU is usable; cuda_neighbors_available() says which, without throwing.
NeighborList neighbor_list_cuda(const double* positions, std::size_t natoms, const Box& box, const NeighborOptions& options);
bool cuda_neighbors_available(std::string* why = nullptr);

// Verlet-skin reuse across frames: keeps candidate pairs within cutoff + skin and rebuilds the cell
// list only when some atom moved more than skin/2 since the last build (or the box changed);
// in between it only recomputes distances of the candidates (serially). It returns the same pairs
// as neighbor_list() (possibly in another order).
class VerletNeighbors {
 public:
  VerletNeighbors(NeighborOptions options, double skin);
  const NeighborList& update(const double* positions, std::size_t natoms, const Box& box);
  bool last_rebuilt() const { return last_rebuilt_; }
  std::size_t rebuilds() const { return rebuilds_; }
  std::size_t updates() const { return updates_; }

 private:
  NeighborOptions options_;
  double skin_;
  NeighborList candidates_, result_;
  std::vector<double> reference_;
  Box reference_box_;
  bool last_rebuilt_ = false;
  std::size_t rebuilds_ = 0, updates_ = 0;
};

}  // namespace ionfield
