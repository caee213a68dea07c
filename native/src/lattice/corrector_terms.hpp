#pragma once
// The harmonic-corrector functions of a relaxation vector (corrector.hpp) as extra basis
// functions appended after the cluster basis, and their changes in a transition.
//   Tracer of species s, atom at site c (functions 0 … shells):
//     f_0 = χ(c);   f_k = Σ_{vacancies v in shell k of c} (r_v − r_c + χ(v) − χ(c))  (k = 1 … shells),
//   the vacancy's offset in harmonic coordinates, which carries the vacancy–tracer correlation
//   across the cluster geometry; and (shells ≥ 1) the nearest-neighbour offset once more, in one of
//   z bins by the number of the vacancy's other neighbours as mobile as the vacancy (its chance to
//   swap back).
//   Collective targets (functions 0 … species−1): F_b = Σ_{atoms i of species b} χ(i).
// Each is equivariant because χ is. A jump that swaps a vacancy with an atom as mobile as the
// vacancy leaves the network, and so χ, unchanged: only the atoms near the vacancy change. Any
// other jump changes χ everywhere; it is solved again, warm-started from χ of the state.
#include <cstdint>
#include <memory>
#include <vector>

#include "lattice/corrector.hpp"
#include "lattice/transition_terms.hpp"

namespace ionfield::lattice {

// Mobilities of the corrector network: the bare exchange rate ν exp(−E0/k_BT) of each species.
std::vector<double> corrector_mobility(const EnergyModel& model, double temperature);
// Functions the corrector adds (0 when it is off: shells < 0).
int corrector_functions(const Lattice& lattice, int shells, const VariationalTarget& target, int species);

class CorrectorTerms {
 public:
  CorrectorTerms(const Lattice& lattice, const VariationalTarget& target, int species, int shells, const std::vector<double>& mobility);
  int functions() const { return functions_; }
  // χ of the state whose transitions follow (solved from zero, so it depends on the state only).
  void prepare(const std::uint8_t* occ);
  // The same, warm-started from `chi` (a χ of a nearby state; empty: from zero), which receives
  // the solution: a trajectory's states each a few jumps from the last.
  void prepare_from(const std::uint8_t* occ, std::vector<double>& chi);
  // Appends the corrector entries (functions offset … offset + functions − 1) to the terms of a
  // jump, adding terms for atoms the cluster basis left out.
  void append(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, int offset, std::vector<TransitionTerm>& terms);
  // The functions at the prepared state (3 × functions(), overwritten): tracer, for the atom at
  // `centre`; collective, F_b of every species (centre ignored).
  void values(const std::uint8_t* occ, const std::vector<int>& vacancies, int centre, double* out) const;
  long long solves() const { return solves_; }
  long long iterations() const { return iterations_; }
  double seconds() const { return seconds_; }

 private:
  void features(const std::uint8_t* occ, const std::vector<double>& chi, const std::vector<int>& vacancies, int c, double* out) const;
  const Lattice& lattice_;
  VariationalTarget target_;
  int species_, shells_, functions_;
  HarmonicCorrector solver_;
  std::vector<double> chi_x_, chi_after_;
  std::vector<int> term_of_;  // site → term index + 1 during append
  std::vector<int> candidates_;
  std::vector<char> stamp_;
  long long solves_ = 0, iterations_ = 0;
  double seconds_ = 0;
};

}  // namespace ionfield::lattice
