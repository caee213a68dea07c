// Builds the per-transition terms of the functional (see transition_terms.hpp).
#include "lattice/transition_terms.hpp"

#include <algorithm>

namespace ionfield::lattice {

TermBuilder::TermBuilder(const Lattice& lattice, const VectorBasis* basis, const VariationalTarget& target, int species)
    : lattice_(lattice), basis_(basis), target_(target), channels_(target.collective ? species : 1),
      width_(basis ? 3 * basis->size() : 0), stamp_(lattice.num_sites(), 0) {}

void TermBuilder::sum_at(const std::uint8_t* occ, int centre, std::vector<double>& into) const {
  if (basis_) basis_->accumulate(occ, centre, into.data());
}

void TermBuilder::build(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, std::vector<TransitionTerm>& terms) {
  terms.clear();
  const IVec& z = lattice_.shell_vectors(0)[jump.vector];
  const double move[3] = {-0.5 * z[0], -0.5 * z[1], -0.5 * z[2]};  // the atom's displacement (a)
  auto finish = [&](TransitionTerm& t) {
    for (int f = 0; f < width_; ++f) {
      const double d = after_[f] - before_[f];
      if (d != 0) t.db.push_back(SparseEntry{f / 3, f % 3, d});
    }
  };
  if (target_.collective) {
    TransitionTerm t;
    t.dx.assign(3 * channels_, 0.0);
    for (int d = 0; d < 3; ++d) t.dx[3 * jump.species + d] = move[d];
    if (basis_) {
      before_.assign(width_, 0.0);
      after_.assign(width_, 0.0);
      for (int v : vacancies) sum_at(occ, v, before_);
      std::swap(occ[jump.vacancy], occ[jump.target]);
      for (int v : vacancies) sum_at(occ, v == jump.vacancy ? jump.target : v, after_);
      std::swap(occ[jump.vacancy], occ[jump.target]);
      finish(t);
    }
    terms.push_back(std::move(t));
    return;
  }
  // Tracer: every atom of the species whose neighbourhood (within the basis reach) holds one of
  // the two sites that change, plus the jumping atom itself.
  const std::uint8_t s = static_cast<std::uint8_t>(target_.species);
  centres_.clear();
  if (++stamp_value_ == 0) {
    std::fill(stamp_.begin(), stamp_.end(), 0);
    stamp_value_ = 1;
  }
  auto consider = [&](int c) {
    if (stamp_[c] == stamp_value_) return;
    stamp_[c] = stamp_value_;
    if (occ[c] == s) centres_.push_back(c);
  };
  if (basis_) {
    for (const IVec& o : basis_->reach()) {
      consider(lattice_.site_at(sub(lattice_.position(jump.vacancy), o)));
      consider(lattice_.site_at(sub(lattice_.position(jump.target), o)));
    }
  } else {
    consider(jump.target);
  }
  std::sort(centres_.begin(), centres_.end());
  std::vector<std::vector<double>> before(centres_.size());
  for (std::size_t i = 0; i < centres_.size(); ++i) {
    before[i].assign(width_, 0.0);
    sum_at(occ, centres_[i], before[i]);
  }
  std::swap(occ[jump.vacancy], occ[jump.target]);
  for (std::size_t i = 0; i < centres_.size(); ++i) {
    const int c = centres_[i];
    const bool moves = c == jump.target;
    TransitionTerm t;
    t.dx.assign(3, 0.0);
    if (moves)
      for (int d = 0; d < 3; ++d) t.dx[d] = move[d];
    if (basis_) {
      after_.assign(width_, 0.0);
      sum_at(occ, moves ? jump.vacancy : c, after_);
      before_.swap(before[i]);
      finish(t);
    }
    if (moves || !t.db.empty()) terms.push_back(std::move(t));
  }
  std::swap(occ[jump.vacancy], occ[jump.target]);
}

}  // namespace ionfield::lattice
