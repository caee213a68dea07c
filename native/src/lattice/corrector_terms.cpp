// Harmonic-corrector functions in the transition terms (see corrector_terms.hpp).
#include "lattice/corrector_terms.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace ionfield::lattice {

std::vector<double> corrector_mobility(const EnergyModel& model, double temperature) {
  std::vector<double> m;
  for (int s = 0; s < model.species; ++s) m.push_back(model.nu[s] * std::exp(-model.e0[s] / (kBoltzmannEv * temperature)));
  return m;
}

int corrector_functions(const Lattice& lattice, int shells, const VariationalTarget& target, int species) {
  if (shells < 0) return 0;
  return target.collective ? species : 1 + shells + (shells >= 1 ? lattice.coordination(0) : 0);
}

CorrectorTerms::CorrectorTerms(const Lattice& lattice, const VariationalTarget& target, int species, int shells,
                               const std::vector<double>& mobility)
    : lattice_(lattice), target_(target), species_(species), shells_(shells), functions_(corrector_functions(lattice, shells, target, species)),
      solver_(lattice, mobility), term_of_(lattice.num_sites(), 0), stamp_(lattice.num_sites(), 0) {
  if (shells > lattice.num_shells()) throw std::invalid_argument("correctorShells exceeds the neighbour shells the lattice tabulates");
}

namespace {
double since(std::chrono::steady_clock::time_point t) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(); }
}  // namespace

void CorrectorTerms::prepare(const std::uint8_t* occ) {
  const auto t0 = std::chrono::steady_clock::now();
  iterations_ += solver_.solve(occ, chi_x_, false);
  ++solves_;
  seconds_ += since(t0);
}

void CorrectorTerms::prepare_from(const std::uint8_t* occ, std::vector<double>& chi) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool warm = !chi.empty();
  if (warm) chi_x_ = chi;
  iterations_ += solver_.solve(occ, chi_x_, warm);
  ++solves_;
  seconds_ += since(t0);
  chi = chi_x_;
}

void CorrectorTerms::features(const std::uint8_t* occ, const std::vector<double>& chi, const std::vector<int>& vacancies, int c, double* out) const {
  for (int f = 0; f < 3 * functions_; ++f) out[f] = 0;
  for (int d = 0; d < 3; ++d) out[d] = chi[3 * c + d];
  const IVec& pc = lattice_.position(c);
  const int L = lattice_.period();
  for (int v : vacancies) {
    IVec u = lattice_.wrap(sub(lattice_.position(v), pc));
    int n2 = 0;
    for (int& x : u) {
      if (x >= L / 2) x -= L;  // minimal image (units of a/2)
      n2 += x * x;
    }
    for (int k = 1; k <= shells_; ++k)
      if (n2 == lattice_.shell_norm2(k - 1))
        for (int d = 0; d < 3; ++d) out[3 * k + d] += 0.5 * u[d] + chi[3 * v + d] - chi[3 * c + d];
    // The nearest-neighbour offset again, binned by how many other neighbours of the vacancy
    // are as mobile as the vacancy: a vacancy with few fast neighbours is likely to swap back.
    if (shells_ >= 1 && n2 == lattice_.shell_norm2(0)) {
      const double fast = solver_.mobility(kVacancy);
      int j = 0;
      for (int q = 0; q < lattice_.coordination(0); ++q) {
        const int w = lattice_.neighbour(v, 0, q);
        if (w != c && solver_.mobility(occ[w]) == fast) ++j;
      }
      for (int d = 0; d < 3; ++d) out[3 * (1 + shells_ + j) + d] += 0.5 * u[d] + chi[3 * v + d] - chi[3 * c + d];
    }
  }
}

void CorrectorTerms::values(const std::uint8_t* occ, const std::vector<int>& vacancies, int centre, double* out) const {
  if (!target_.collective) {
    features(occ, chi_x_, vacancies, centre, out);
    return;
  }
  std::fill(out, out + 3 * functions_, 0.0);
  for (int i = 0; i < lattice_.num_sites(); ++i)
    if (occ[i] != kVacancy)
      for (int d = 0; d < 3; ++d) out[3 * occ[i] + d] += chi_x_[3 * i + d];
}

void CorrectorTerms::append(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, int offset,
                            std::vector<TransitionTerm>& terms) {
  const bool changed = solver_.mobility(occ[jump.target]) != solver_.mobility(kVacancy);
  if (changed) {
    std::swap(occ[jump.vacancy], occ[jump.target]);
    const auto t0 = std::chrono::steady_clock::now();
    chi_after_ = chi_x_;
    iterations_ += solver_.solve(occ, chi_after_, true);
    ++solves_;
    seconds_ += since(t0);
    std::swap(occ[jump.vacancy], occ[jump.target]);
  }
  const std::vector<double>& after = changed ? chi_after_ : chi_x_;
  const int n = lattice_.num_sites();
  const int mover = jump.target, lands = jump.vacancy;  // the atom moves from target to the vacancy's site
  if (target_.collective) {
    if (terms.size() != 1) throw std::logic_error("a collective transition has one term");
    std::vector<double> dF(3 * static_cast<std::size_t>(species_), 0.0);
    for (int i = 0; i < n; ++i) {
      if (occ[i] == kVacancy || (!changed && i != mover)) continue;
      const int j = i == mover ? lands : i;
      for (int d = 0; d < 3; ++d) dF[3 * occ[i] + d] += after[3 * j + d] - chi_x_[3 * i + d];
    }
    for (int b = 0; b < species_; ++b)
      for (int d = 0; d < 3; ++d)
        if (dF[3 * b + d] != 0) terms[0].db.push_back(SparseEntry{offset + b, d, dF[3 * b + d]});
    return;
  }
  const std::uint8_t s = static_cast<std::uint8_t>(target_.species);
  candidates_.clear();
  auto consider = [&](int c) {
    if (occ[c] != s || stamp_[c]) return;
    stamp_[c] = 1;
    candidates_.push_back(c);
  };
  if (changed) {
    for (int c = 0; c < n; ++c) consider(c);
  } else {
    consider(mover);
    for (int k = 0; k < shells_; ++k)
      for (int q = 0; q < lattice_.coordination(k); ++q) {
        consider(lattice_.neighbour(jump.vacancy, k, q));
        consider(lattice_.neighbour(jump.target, k, q));
      }
  }
  for (int c : candidates_) stamp_[c] = 0;
  std::vector<int> vac_after = vacancies;
  for (int& v : vac_after)
    if (v == jump.vacancy) v = jump.target;
  for (std::size_t t = 0; t < terms.size(); ++t) term_of_[terms[t].centre] = static_cast<int>(t) + 1;
  std::vector<double> f0(3 * functions_), f1(3 * functions_);
  for (int c : candidates_) {
    features(occ, chi_x_, vacancies, c, f0.data());
    std::swap(occ[jump.vacancy], occ[jump.target]);
    features(occ, after, vac_after, c == mover ? lands : c, f1.data());
    std::swap(occ[jump.vacancy], occ[jump.target]);
    int t = term_of_[c] - 1;
    for (int f = 0; f < 3 * functions_; ++f) {
      const double d = f1[f] - f0[f];
      if (d == 0) continue;
      if (t < 0) {
        TransitionTerm term;
        term.centre = c;
        term.dx.assign(3, 0.0);  // an atom that stays put (the mover always has a term already)
        terms.push_back(std::move(term));
        t = static_cast<int>(terms.size()) - 1;
        term_of_[c] = t + 1;
      }
      terms[t].db.push_back(SparseEntry{offset + f / 3, f % 3, d});
    }
  }
  for (const TransitionTerm& term : terms) term_of_[term.centre] = 0;
}

}  // namespace ionfield::lattice
