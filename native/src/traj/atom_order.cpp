#include "traj/atom_order.hpp"

#include <algorithm>
#include <numeric>
#include <string>

namespace ionfield::detail {
namespace {

template <typename T>
void permute(std::vector<T>& v, const std::vector<std::size_t>& order, std::size_t width) {
  std::vector<T> tmp(v.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    for (std::size_t k = 0; k < width; ++k) tmp[width * i + k] = std::move(v[width * order[i] + k]);
  v.swap(tmp);
}

}  // namespace

bool order_atoms_by_id(Frame& f, std::vector<std::size_t>& order, int64_t& duplicate, std::size_t& duplicate_at) {
  const std::size_t n = f.ids.size();
  const bool sorted = std::is_sorted(f.ids.begin(), f.ids.end());
  if (!sorted) {
    order.resize(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return f.ids[a] < f.ids[b]; });
    permute(f.ids, order, 1);
    permute(f.positions, order, 3);
    if (!f.images.empty()) permute(f.images, order, 3);
    if (!f.charges.empty()) permute(f.charges, order, 1);
    if (!f.molecules.empty()) permute(f.molecules, order, 1);
    if (!f.masses.empty()) permute(f.masses, order, 1);
    if (!f.types.empty()) permute(f.types, order, 1);
  }
  for (std::size_t i = 1; i < n; ++i)
    if (f.ids[i] == f.ids[i - 1]) {
      duplicate = f.ids[i];
      duplicate_at = sorted ? i : order[i];  // stable sort: order[i] is the later occurrence
      return false;
    }
  return true;
}

}  // namespace ionfield::detail
