// Verlet-skin reuse: candidate pairs within cutoff + skin stay valid until some atom has moved
// more than skin/2 (then no pair can have crossed from beyond cutoff + skin to inside cutoff).
#include <cmath>
#include <stdexcept>

#include "ionfield/neighbors.hpp"

namespace ionfield {

VerletNeighbors::VerletNeighbors(NeighborOptions options, double skin) : options_(options), skin_(skin) {
  if (!(skin >= 0) || !std::isfinite(skin)) throw std::invalid_argument("Verlet skin must be a non-negative number");
}

const NeighborList& VerletNeighbors::update(const double* positions, std::size_t natoms, const Box& box) {
  ++updates_;
  bool rebuild = reference_.size() != 3 * natoms || reference_box_.h != box.h || reference_box_.periodic != box.periodic;
  if (!rebuild) {
    const double limit2 = 0.25 * skin_ * skin_;
    for (std::size_t k = 0; k < 3 * natoms && !rebuild; k += 3) {
      const double dx = positions[k] - reference_[k], dy = positions[k + 1] - reference_[k + 1], dz = positions[k + 2] - reference_[k + 2];
      rebuild = dx * dx + dy * dy + dz * dz > limit2;
    }
  }
  last_rebuilt_ = rebuild;
  if (rebuild) {
    NeighborOptions wide = options_;
    wide.cutoff = options_.cutoff + skin_;
    wide.distances = false;
    wide.vectors = false;
    candidates_ = neighbor_list(positions, natoms, box, wide);
    reference_.assign(positions, positions + 3 * natoms);
    reference_box_ = box;
    ++rebuilds_;
  }
  const double rc2 = options_.cutoff * options_.cutoff;
  const auto& h = box.h;
  // The result is sized to every candidate and cut to the kept ones afterwards: its arrays keep
  // their capacity from frame to frame (PairArray leaves the resize unwritten), so later frames
  // write into memory already touched instead of faulting in fresh pages and regrowing, and the
  // filter writes without a branch (each candidate is written, the count advances when kept).
  const std::size_t nc = candidates_.size();
  result_.first.resize(nc);
  result_.second.resize(nc);
  result_.shifts.resize(3 * nc);
  result_.distances.resize(options_.distances ? nc : 0);
  result_.vectors.resize(options_.vectors ? 3 * nc : 0);
  std::size_t kept = 0;
  for (std::size_t p = 0; p < nc; ++p) {
    const int i = candidates_.first[p], j = candidates_.second[p];
    const int* S = &candidates_.shifts[3 * p];
    double v[3];
    for (int k = 0; k < 3; ++k)
      v[k] = positions[3 * j + k] - positions[3 * i + k] + S[0] * h[0][k] + S[1] * h[1][k] + S[2] * h[2][k];
    const double r2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    result_.first[kept] = i;
    result_.second[kept] = j;
    for (int k = 0; k < 3; ++k) result_.shifts[3 * kept + k] = S[k];
    if (options_.distances) result_.distances[kept] = std::sqrt(r2);
    if (options_.vectors)
      for (int k = 0; k < 3; ++k) result_.vectors[3 * kept + k] = v[k];
    kept += r2 < rc2;
  }
  result_.first.resize(kept);
  result_.second.resize(kept);
  result_.shifts.resize(3 * kept);
  if (options_.distances) result_.distances.resize(kept);
  if (options_.vectors) result_.vectors.resize(3 * kept);
  return result_;
}

}  // namespace ionfield
