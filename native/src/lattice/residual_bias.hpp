#pragma once
// The scaled residual bias of sohamch/MDMC, used as one more basis vector on top of a fitted y:
//   b(X) = Σ_X' (W(X→X') / W_tot(X)) (δx + y(X') − y(X))
// (per atom for tracers, per channel for collective targets). Its coefficient c minimises the
// quadratic functional along that single direction.
#include <map>
#include <vector>

#include "lattice/transition_terms.hpp"

namespace ionfield::lattice {

// One relaxation vector's residual for a transition: r = δx + Δy and the change of the residual
// bias Δb_res = b(X') − b(X) (both channels × 3).
struct RefinedTerm {
  std::vector<double> r, dres;
};

class ResidualBias {
 public:
  ResidualBias(const RateModel& rates, TermBuilder& builder, const std::vector<double>& theta, int channels)
      : rates_(rates), builder_(builder), theta_(theta), channels_(channels) {}
  // r = δx + θ·Δb for a term.
  std::vector<double> residual(const TransitionTerm& t) const;
  // b(X) for every owner (tracer: atom site in X; collective: key -1).
  void at_state(std::uint8_t* occ, const std::vector<int>& vacancies, std::map<int, std::vector<double>>& out);
  // The refined terms of jump X → X', given b(X) (computed by at_state on X).
  void refine(std::uint8_t* occ, const std::vector<int>& vacancies, const Jump& jump, const std::map<int, std::vector<double>>& at_x,
              std::vector<RefinedTerm>& out);

 private:
  const RateModel& rates_;
  TermBuilder& builder_;
  const std::vector<double>& theta_;
  int channels_;
  std::vector<Jump> jumps_;
  std::vector<TransitionTerm> terms_;
};

}  // namespace ionfield::lattice
