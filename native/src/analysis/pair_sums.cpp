// Pair-distance histograms and pair products of a per-ion value, for g_ab(r) and C_ab(r).
#include <cmath>

#include "analysis/periodic_pairs.hpp"
#include "ionfield/analysis.hpp"

namespace ionfield {

PairSums pair_sums(const double* xyz, std::size_t natoms, const Box& box, const int* species, std::size_t nspecies,
                   const double* values, double r_max, std::size_t bins) {
  analysis_detail::require_cutoff_fits(box, r_max, "r_max");
  if (bins == 0) throw UsageError("bins must be at least 1");
  if (nspecies == 0) throw UsageError("nspecies must be at least 1");
  std::vector<char> keep(natoms);
  for (std::size_t i = 0; i < natoms; ++i) {
    if (species[i] >= static_cast<int>(nspecies)) throw UsageError("species index out of range");
    keep[i] = species[i] >= 0;
  }
  PairSums out;
  out.nspecies = nspecies;
  out.bins = bins;
  out.r_max = r_max;
  out.counts.assign(nspecies * nspecies * bins, 0.0);
  if (values) out.products.assign(out.counts.size(), 0.0);
  const double per_bin = static_cast<double>(bins) / r_max;
  analysis_detail::for_each_close_pair(xyz, natoms, box, r_max, reinterpret_cast<const bool*>(keep.data()),
                                       [&](std::size_t i, std::size_t j, double r) {
                                         const auto k = static_cast<std::size_t>(r * per_bin);
                                         if (k >= bins) return;
                                         const std::size_t a = species[i], b = species[j];
                                         // Ordered pairs: (i, j) and (j, i) both count.
                                         out.counts[(a * nspecies + b) * bins + k] += 1;
                                         out.counts[(b * nspecies + a) * bins + k] += 1;
                                         if (values) {
                                           const double p = values[i] * values[j];
                                           out.products[(a * nspecies + b) * bins + k] += p;
                                           out.products[(b * nspecies + a) * bins + k] += p;
                                         }
                                       });
  return out;
}

}  // namespace ionfield
