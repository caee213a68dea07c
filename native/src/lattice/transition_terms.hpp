#pragma once
// The terms of the functional for one transition X → X': for each relaxation vector that changes
// (one per vacancy-centred sum for collective targets, one per affected atom for tracers), the
// change of the basis functions Δb (sparse) and the displacement δx of each channel.
#include <cstdint>
#include <memory>
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

class CorrectorTerms;

class TermBuilder {
 public:
  // corrector_shells ≥ 0 appends the harmonic-corrector functions (corrector_terms.hpp) after the
  // cluster basis; their network uses the model's bare rates at the options' temperature.
  TermBuilder(const Lattice& lattice, const VectorBasis* basis, const VariationalTarget& target, int species);
  TermBuilder(const Lattice& lattice, const VectorBasis* basis, const EnergyModel& model, const VariationalOptions& options);
  ~TermBuilder();
  int channels() const { return channels_; }
  // Cluster-basis functions plus corrector functions.
  int functions() const;
  // Call once per state before building its jumps (solves the corrector of the state).
  void prepare(const std::uint8_t* occ);
  // prepare, with the corrector warm-started from (and returning) `chi` (CorrectorTerms::prepare_from).
  void prepare_from(const std::uint8_t* occ, std::vector<double>& chi);
  // Fills `terms` for the jump (occ is restored before returning).
  void build(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, std::vector<TransitionTerm>& terms);
  const CorrectorTerms* corrector() const { return corrector_.get(); }
  // The functions themselves (not their change) at the state last prepared, per Cartesian
  // component: out[3 f + d] (functions() × 3). Tracer: the relaxation vector of the atom at
  // `centre`; collective: the species-independent sum over the vacancies (centre ignored).
  void values(const std::uint8_t* occ, const std::vector<int>& vacancies, int centre, double* out);

 private:
  void build_basis(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, std::vector<TransitionTerm>& terms);
  std::unique_ptr<CorrectorTerms> corrector_;
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
  // A fresh stamp for `seen_` (sized to the basis images; cleared when the stamp wraps).
  int next_seen_stamp();
};

}  // namespace ionfield::lattice
