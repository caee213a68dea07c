#pragma once
// Per-frame pair kernels for analysing a per-ion field: pair-distance histograms (for g_ab(r) and
// coordination numbers), sums of products of a per-ion value over pairs (for the spatial
// correlation C_ab(r)), and clusters of oppositely charged ions in contact (ion pairs).
// All distances use the periodic cell (triclinic allowed); pairs are counted once per image.
#include <cstddef>
#include <vector>

#include "ionfield/box.hpp"

namespace ionfield {

// Sums over ordered pairs (i, j != i) of one frame, binned by distance on [0, r_max) in `bins`
// equal bins, per species pair (a = species(i), b = species(j)): index (a * nspecies + b) * bins + k.
struct PairSums {
  std::size_t nspecies = 0;
  std::size_t bins = 0;
  double r_max = 0;
  std::vector<double> counts;    // number of ordered pairs
  std::vector<double> products;  // sum of values[i] * values[j] (empty when no values were given)
};

// One frame: xyz (natoms * 3), species index per atom (< 0: left out), values per atom (may be null).
// r_max must not exceed half the smallest perpendicular width of the cell (then every pair has at
// most one image closer than r_max, and the count is exact); throws UsageError otherwise.
PairSums pair_sums(const double* xyz, std::size_t natoms, const Box& box, const int* species, std::size_t nspecies,
                   const double* values, double r_max, std::size_t bins);

// Clusters of ions linked by contacts between oppositely charged ions closer than `cutoff`
// (union-find). Per atom: the index of the lowest-numbered atom in its cluster (atoms with charge
// 0 are never linked and form their own cluster), and its number of counter-ions within `cutoff`.
struct ContactClusters {
  std::vector<int> label;
  std::vector<int> counter_ions;
};
ContactClusters contact_clusters(const double* xyz, std::size_t natoms, const Box& box, const double* charges,
                                  double cutoff);

}  // namespace ionfield
