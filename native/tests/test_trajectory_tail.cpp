// The bound tightened by short trajectories (ionfield/trajectory_tail.hpp): with the exact
// relaxation vector z = x + y is a martingale, so D_z(t) is the exact D at every time; with y = 0
// z is x; at short times D_z is the variational bound; on a strongly correlated binary alloy the
// converged slope agrees with whole-trajectory KMC (a separate code path) where the bound does not.
#include <cmath>
#include <memory>

#include "check.hpp"
#include "ionfield/correlation.hpp"
#include "ionfield/kinosons.hpp"
#include "ionfield/trajectory_tail.hpp"

using namespace ionfield::lattice;

namespace {

struct Setup {
  Lattice lattice;
  EnergyModel model;
  std::vector<std::vector<std::uint8_t>> training, validation;
  std::vector<int> blocks;
  Setup(int cells, std::vector<double> nu, std::vector<int> counts, int states) : lattice(LatticeKind::FCC, cells, 8) {
    model.species = static_cast<int>(nu.size());
    model.nu = nu;
    model.e0.assign(nu.size(), 0.0);
    StateSampling s;
    s.counts = counts;
    s.states = states;
    s.seed = 11;
    training = sample_states(lattice, model, 1000, s);
    s.seed = 12;
    validation = sample_states(lattice, model, 1000, s);
    for (int i = 0; i < states; ++i) blocks.push_back(i);
  }
};

VariationalOptions tracer(int species, int corrector_shells) {
  VariationalOptions o;
  o.target.species = species;
  o.corrector_shells = corrector_shells;
  return o;
}

std::unique_ptr<VectorBasis> basis_of(const Setup& s, const BasisSpec& spec) {
  return std::make_unique<VectorBasis>(s.lattice, basis_clusters(s.lattice, s.model, spec, false));
}

double z_score(const Estimate& a, double b, double b_error = 0) { return std::fabs(a.mean - b) / std::sqrt(a.error * a.error + b_error * b_error); }

void exact_relaxation_makes_a_martingale() {
  // Pure FCC 3³ with one vacancy: the vacancy singlets over the whole supercell hold the exact y
  // (the functional gives the exact f); then D_z(t) is that D at every checkpoint, while D_x(t)
  // starts near the uncorrelated value and falls.
  Setup s(3, {1.0}, {107}, 400);
  BasisSpec spec;
  spec.vacancy_shells = -1;
  auto basis = basis_of(s, spec);
  const VariationalOptions o = tracer(0, -1);
  const LinearSolution sol = solve_linear(accumulate_functional(s.lattice, s.model, basis.get(), s.training, o));
  const double exact = evaluate_functional(s.lattice, s.model, basis.get(), s.validation, sol.theta, o).value[0].mean;
  const double uncorrelated = evaluate_functional(s.lattice, s.model, nullptr, s.validation, {}, tracer(0, -1)).value[0].mean;
  CHECK_NEAR(exact / uncorrelated, exact_tracer_correlation(s.lattice).f, 1e-6);
  TailOptions t;
  t.first = 0.1;  // about one jump (12 exits at rate 1) … 3.2: ~40 jumps
  t.rounds = t.min_rounds = 6;
  const TailResult r = trajectory_tail(s.lattice, s.model, basis.get(), s.validation, sol.theta, o, t, s.blocks);
  const TailEstimates e = tail_estimates(r, s.blocks);
  CHECK(r.times.size() == 6);
  for (std::size_t k = 0; k < r.times.size(); ++k) CHECK(z_score(e.z_value[k][0], exact) < 3.5);
  CHECK(z_score(e.z_slope.back()[0], exact) < 3.5);
  CHECK(e.x_value[0][0].mean > 1.05 * exact);  // the plain displacement has not relaxed yet
}

void zero_relaxation_is_the_plain_displacement() {
  Setup s(3, {1.0, 0.1}, {54, 53}, 20);
  const VariationalOptions o = tracer(0, 0);  // the corrector's χ(c) alone (one function), θ = 0
  TailOptions t;
  t.first = 5;
  t.rounds = t.min_rounds = 3;
  const TailResult r = trajectory_tail(s.lattice, s.model, nullptr, s.validation, std::vector<double>(1, 0.0), o, t, s.blocks);
  bool same = true;
  for (std::size_t k = 0; k < r.z.size(); ++k)
    for (std::size_t i = 0; i < r.z[k].size(); ++i) same = same && r.z[k][i] == r.x[k][i];
  CHECK(same);
  CHECK(r.jumps > 0);
}

void short_times_give_the_bound_and_long_times_kmc() {
  // FCC 3³ x_B = 0.6, W_B/W_A = 1/100, tracer A with the linear basis + corrector.
  Setup s(3, {1.0, 0.01}, {43, 64}, 300);
  BasisSpec spec;
  spec.vacancy_shells = 4;
  spec.pair_first_shells = spec.pair_second_shells = 1;
  auto basis = basis_of(s, spec);
  const VariationalOptions o = tracer(0, 1);
  const LinearSolution sol = solve_linear(accumulate_functional(s.lattice, s.model, basis.get(), s.training, o));
  const Estimate bound = evaluate_functional(s.lattice, s.model, basis.get(), s.validation, sol.theta, o).value[0];
  // Short: a checkpoint after ~0.05 jumps on average: D_z(t) → the functional's value.
  TailOptions quick;
  quick.first = 0.02;
  quick.rounds = quick.min_rounds = 3;
  const TailEstimates q = tail_estimates(trajectory_tail(s.lattice, s.model, basis.get(), s.validation, sol.theta, o, quick, s.blocks), s.blocks);
  CHECK(std::fabs(q.z_value[0][0].mean - bound.mean) < 0.1 * bound.mean);
  // Long: converged slope against KMC of the same alloy.
  KmcOptions k;
  k.counts = {43, 64};
  k.steps = 200000;
  k.trajectories = 64;
  k.seed = 5;
  const KmcResult kmc = run_kmc(s.lattice, s.model, k);
  TailOptions t;
  t.first = 20;
  const TailResult r = trajectory_tail(s.lattice, s.model, basis.get(), s.validation, sol.theta, o, t, s.blocks);
  const TailEstimates e = tail_estimates(r, s.blocks);
  const Estimate d = e.z_slope.back()[0];
  std::printf("bound %.4e, tail %.4e ± %.1e (%zu checkpoints, converged %d), KMC %.4e ± %.1e\n", bound.mean, d.mean, d.error, r.times.size(),
              r.converged, kmc.tracer[0].mean, kmc.tracer[0].error);
  CHECK(bound.mean > 1.1 * kmc.tracer[0].mean);  // the case is one where the bound is far off
  CHECK(z_score(d, kmc.tracer[0].mean, kmc.tracer[0].error) < 3.5);
  CHECK(std::fabs(d.mean / kmc.tracer[0].mean - 1) < 0.05);
  // Every D_z(t) lies above the converged value (it falls towards it), within the noise.
  for (std::size_t i = 0; i < r.times.size(); ++i) CHECK(e.z_value[i][0].mean > d.mean - 3 * (d.error + e.z_value[i][0].error));
}

void bad_options_are_refused() {
  Setup s(2, {1.0}, {31}, 4);
  TailOptions t;
  t.first = 0;
  CHECK_THROWS(trajectory_tail(s.lattice, s.model, nullptr, s.validation, {}, tracer(0, -1), t, s.blocks));
  t.first = 1;
  t.rounds = 1;
  CHECK_THROWS(trajectory_tail(s.lattice, s.model, nullptr, s.validation, {}, tracer(0, -1), t, s.blocks));
  t.rounds = 3;
  CHECK_THROWS(trajectory_tail(s.lattice, s.model, nullptr, s.validation, {}, tracer(0, -1), t, {0, 1}));  // one block per state
  CHECK_THROWS(trajectory_tail(s.lattice, s.model, nullptr, s.validation, {1.0}, tracer(0, -1), t, s.blocks));  // θ of the wrong size
}

}  // namespace

int main() {
  exact_relaxation_makes_a_martingale();
  zero_relaxation_is_the_plain_displacement();
  short_times_give_the_bound_and_long_times_kmc();
  bad_options_are_refused();
  return check::summary("test_trajectory_tail");
}
