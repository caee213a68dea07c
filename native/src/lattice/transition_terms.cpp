// Builds the per-transition terms of the functional (see transition_terms.hpp).
#include "lattice/transition_terms.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "lattice/corrector_terms.hpp"
#include "lattice/rng.hpp"

namespace ionfield::lattice {

void sample_transitions(const RateModel& rates, std::uint8_t* occ, const std::vector<int>& vacancies, const VariationalOptions& o,
                        long long state, std::vector<Jump>& jumps, std::vector<Sampled>& out) {
  jumps.clear();
  out.clear();
  rates.exit_jumps(occ, vacancies, jumps);
  if (o.sampling == TransitionSampling::AllExits) {
    for (const Jump& j : jumps) out.push_back({j, j.rate});
    return;
  }
  double total = 0;
  for (const Jump& j : jumps) total += j.rate;
  if (jumps.empty()) return;
  Rng rng(stream_seed(o.seed ^ 0x766164ULL, state));
  out.push_back({jumps[pick_jump(jumps, total, rng.uniform())], total});
}

double normalisation(const Lattice& lattice, const VariationalTarget& target, const std::vector<std::vector<std::uint8_t>>& states,
                     const EnergyModel& model) {
  if (states.empty()) throw std::invalid_argument("no states to sample transitions from");
  if (!target.collective && (target.species < 0 || target.species >= model.species))
    throw std::invalid_argument("tracer species " + std::to_string(target.species) + " is not in the model");
  std::vector<int> counts(model.species + 1, 0);
  for (auto o : states[0]) ++counts[o == kVacancy ? model.species : o];
  const int n = target.collective ? lattice.num_sites() : counts[target.species];
  if (n == 0) throw std::invalid_argument("the states hold no atom of the tracer species");
  return 1.0 / (6.0 * n);
}


TermBuilder::TermBuilder(const Lattice& lattice, const VectorBasis* basis, const VariationalTarget& target, int species)
    : lattice_(lattice), basis_(basis), target_(target), channels_(target.collective ? species : 1),
      width_(basis ? 3 * basis->size() : 0), stamp_(lattice.num_sites(), 0) {}

TermBuilder::TermBuilder(const Lattice& lattice, const VectorBasis* basis, const EnergyModel& model, const VariationalOptions& o)
    : TermBuilder(lattice, basis, o.target, model.species) {
  if (o.corrector_shells >= 0)
    corrector_ = std::make_unique<CorrectorTerms>(lattice, o.target, model.species, o.corrector_shells, corrector_mobility(model, o.temperature));
}

TermBuilder::~TermBuilder() = default;

int TermBuilder::functions() const { return (basis_ ? basis_->size() : 0) + (corrector_ ? corrector_->functions() : 0); }

void TermBuilder::prepare(const std::uint8_t* occ) {
  if (corrector_) corrector_->prepare(occ);
}

void TermBuilder::prepare_from(const std::uint8_t* occ, std::vector<double>& chi) {
  if (corrector_) corrector_->prepare_from(occ, chi);
}

void TermBuilder::build(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, std::vector<TransitionTerm>& terms) {
  build_basis(occ, vacancies, jump, terms);
  if (corrector_) corrector_->append(occ, vacancies, jump, basis_ ? basis_->size() : 0, terms);
}

void TermBuilder::values(const std::uint8_t* occ, const std::vector<int>& vacancies, int centre, double* out) {
  const int total = 3 * functions();
  std::fill(out, out + total, 0.0);
  if (basis_) {
    if (target_.collective) {
      for (int v : vacancies) basis_->accumulate(occ, v, out);
    } else {
      basis_->accumulate_around_vacancies(occ, centre, vacancies, out, seen_, next_seen_stamp());
    }
  }
  if (corrector_) corrector_->values(occ, vacancies, centre, out + width_);
}

int TermBuilder::next_seen_stamp() {
  if (static_cast<int>(seen_.size()) != basis_->images()) seen_.assign(basis_->images(), 0);
  if (++seen_stamp_ == 0) {
    std::fill(seen_.begin(), seen_.end(), 0);
    seen_stamp_ = 1;
  }
  return seen_stamp_;
}

void TermBuilder::sum_at(const std::uint8_t* occ, int centre, std::vector<double>& into) const {
  if (basis_) basis_->accumulate(occ, centre, into.data());
}

void TermBuilder::build_basis(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, std::vector<TransitionTerm>& terms) {
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
  const IVec pv = lattice_.position(jump.vacancy), pn = lattice_.position(jump.target);
  // Atoms that stay put: only images with a site on one of the two changed sites can change, so
  // Δb is their matched sum after the jump minus before (ids deduped across the two sites).
  std::vector<std::vector<double>> delta(centres_.size());
  auto touching = [&](std::size_t i, double sign) {
    const IVec& pc = lattice_.position(centres_[i]);
    const IVec changed[2] = {sub(pv, pc), sub(pn, pc)};
    basis_->accumulate_touching(occ, centres_[i], changed, 2, sign, delta[i].data(), seen_, next_seen_stamp());
  };
  for (std::size_t i = 0; i < centres_.size(); ++i) {
    delta[i].assign(width_, 0.0);
    if (!basis_) continue;
    if (centres_[i] == jump.target) basis_->accumulate(occ, centres_[i], delta[i].data());  // moving atom: full b(X), subtracted below
    else touching(i, -1.0);
  }
  std::swap(occ[jump.vacancy], occ[jump.target]);
  for (std::size_t i = 0; i < centres_.size(); ++i) {
    const int c = centres_[i];
    const bool moves = c == jump.target;
    TransitionTerm t;
    t.centre = c;
    t.dx.assign(3, 0.0);
    if (moves)
      for (int d = 0; d < 3; ++d) t.dx[d] = move[d];
    if (basis_) {
      if (moves) {
        after_.assign(width_, 0.0);
        basis_->accumulate(occ, jump.vacancy, after_.data());
        for (int f = 0; f < width_; ++f) after_[f] -= delta[i][f];
      } else {
        touching(i, 1.0);
        after_ = delta[i];
      }
      for (int f = 0; f < width_; ++f)
        if (after_[f] != 0) t.db.push_back(SparseEntry{f / 3, f % 3, after_[f]});
    }
    if (moves || !t.db.empty()) terms.push_back(std::move(t));
  }
  std::swap(occ[jump.vacancy], occ[jump.target]);
}

}  // namespace ionfield::lattice
