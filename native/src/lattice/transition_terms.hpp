#pragma once
// The terms of the functional for one transition X → X': for each relaxation vector that changes
// (one per vacancy-centred sum for collective targets, one per affected atom for tracers), the
// change of the basis functions Δb (sparse) and the displacement δx of each channel.
#include <cstdint>
#include <vector>

#include "ionfield/variational.hpp"

namespace ionfield::lattice {

struct SparseEntry {
  int function;
  int component;
  double value;
};

struct TransitionTerm {
  int centre = -1;              // tracer: the atom's site before the jump; collective: -1
  std::vector<SparseEntry> db;  // Δb = b(X') − b(X)
  std::vector<double> dx;       // channels × 3, units of a
};

// The transitions of one state entering the functional: every exit jump weighted by its rate, or
// one jump chosen as KMC would (from the stream of `state`) weighted by the escape rate W_tot.
struct Sampled {
  Jump jump;
  double weight;  // W (all exits) or W_tot (one KMC-chosen jump)
};
void sample_transitions(const RateModel& rates, std::uint8_t* occ, const std::vector<int>& vacancies, const VariationalOptions& o,
                        long long state, std::vector<Jump>& jumps, std::vector<Sampled>& out);
// 1 / (2 d N): N = sites (collective) or atoms of the tracer species.
double normalisation(const Lattice& lattice, const VariationalTarget& target, const std::vector<std::vector<std::uint8_t>>& states,
                     const EnergyModel& model);

class TermBuilder {
 public:
  TermBuilder(const Lattice& lattice, const VectorBasis* basis, const VariationalTarget& target, int species);
  int channels() const { return channels_; }
  // Fills `terms` for the jump (occ is restored before returning).
  void build(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, std::vector<TransitionTerm>& terms);

 private:
  void sum_at(const std::uint8_t* occ, int centre, std::vector<double>& into) const;
  const Lattice& lattice_;
  const VectorBasis* basis_;
  VariationalTarget target_;
  int channels_;
  int width_;  // basis size × 3
  std::vector<int> stamp_;
  int stamp_value_ = 0;
  std::vector<int> centres_;
  std::vector<double> before_, after_;
  std::vector<int> seen_;
  int seen_stamp_ = 0;
};

}  // namespace ionfield::lattice
