// Clusters of oppositely charged ions in contact, by union-find over contact pairs.
#include <numeric>

#include "analysis/periodic_pairs.hpp"
#include "ionfield/analysis.hpp"

namespace ionfield {
namespace {
int find_root(std::vector<int>& parent, int i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];  // path halving keeps the trees flat
    i = parent[i];
  }
  return i;
}
}  // namespace

ContactClusters contact_clusters(const double* xyz, std::size_t natoms, const Box& box, const double* charges,
                                  double cutoff) {
  analysis_detail::require_cutoff_fits(box, cutoff, "pair cutoff");
  std::vector<int> parent(natoms);
  std::iota(parent.begin(), parent.end(), 0);
  ContactClusters out;
  out.counter_ions.assign(natoms, 0);
  analysis_detail::for_each_close_pair(xyz, natoms, box, cutoff, nullptr, [&](std::size_t i, std::size_t j, double) {
    if (!(charges[i] * charges[j] < 0)) return;
    ++out.counter_ions[i];
    ++out.counter_ions[j];
    int a = find_root(parent, static_cast<int>(i)), b = find_root(parent, static_cast<int>(j));
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent[b] = a;  // the lower index stays root, so labels are the lowest atom of each cluster
  });
  out.label.resize(natoms);
  for (std::size_t i = 0; i < natoms; ++i) out.label[i] = find_root(parent, static_cast<int>(i));
  return out;
}

}  // namespace ionfield
