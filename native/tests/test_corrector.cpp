// The harmonic corrector (lattice/corrector.hpp) and its functions in the variational functional:
// a uniform network has χ = 0; a fast cluster cut off by slow bonds has constant harmonic
// coordinates; χ rotates with the configuration under all 48 operations of O_h; appending the
// corrector functions starts from the linear solution (zero coefficients reproduce its value)
// and never raises the training value; the pure lattice keeps its exact correlation factor.
#include <cmath>

#include "check.hpp"
#include "ionfield/correlation.hpp"
#include "ionfield/kinosons.hpp"
#include "lattice/corrector.hpp"
#include "lattice/rng.hpp"

using namespace ionfield::lattice;

static std::vector<std::uint8_t> random_occupancy(const Lattice& lat, int a, int b, std::uint64_t seed) {
  std::vector<std::uint8_t> occ(lat.num_sites(), kVacancy);
  Rng rng(stream_seed(seed, 0));
  for (int i = 0; i < a + b; ++i) occ[i] = i < a ? 0 : 1;
  for (int i = lat.num_sites() - 1; i > 0; --i) std::swap(occ[i], occ[static_cast<int>(rng.uniform() * (i + 1))]);
  return occ;
}

static void uniform_network_has_no_corrector() {
  Lattice lat(LatticeKind::FCC, 3);
  HarmonicCorrector h(lat, {1.0, 1.0});
  std::vector<double> chi;
  h.solve(random_occupancy(lat, 50, 57, 1).data(), chi, false);
  double m = 0;
  for (double x : chi) m = std::max(m, std::fabs(x));
  CHECK(m < 1e-12);
}

static void cut_off_cluster_has_constant_harmonic_coordinates() {
  // FCC 4³: a vacancy and three fast atoms on a nearest-neighbour cluster, all else slow (10⁻⁸):
  // h = r + χ is the same on the four cluster sites (to the slow/fast ratio), so a jump inside
  // the cluster gives δx + Δχ ≈ 0.
  Lattice lat(LatticeKind::FCC, 4);
  std::vector<std::uint8_t> occ(lat.num_sites(), 1);
  const int c0 = 0, c1 = lat.neighbour(0, 0, 0);
  int c2 = -1, c3 = -1;
  for (int k = 0; k < 12 && c3 < 0; ++k) {  // two more sites adjacent to both c0 and c1
    const int s = lat.neighbour(c0, 0, k);
    if (s == c1) continue;
    for (int q = 0; q < 12; ++q)
      if (lat.neighbour(c1, 0, q) == s) (c2 < 0 ? c2 : c3) = s;
  }
  CHECK(c2 >= 0 && c3 >= 0);
  occ[c0] = kVacancy;
  occ[c1] = occ[c2] = occ[c3] = 0;
  HarmonicCorrector h(lat, {1.0, 1e-8});
  std::vector<double> chi;
  h.solve(occ.data(), chi, false);
  auto hc = [&](int s, int d) {
    IVec u = lat.wrap(sub(lat.position(s), lat.position(c0)));
    if (u[d] >= lat.period() / 2) u[d] -= lat.period();
    return 0.5 * u[d] + chi[3 * s + d] - chi[3 * c0 + d];
  };
  for (int s : {c1, c2, c3})
    for (int d = 0; d < 3; ++d) CHECK(std::fabs(hc(s, d)) < 1e-5);
  // An isolated slow bond elsewhere does not move it: χ is bounded (no runaway in the gauge).
  double m = 0;
  for (double x : chi) m = std::max(m, std::fabs(x));
  CHECK(m < lat.period());
}

static void corrector_is_equivariant() {
  Lattice lat(LatticeKind::FCC, 3);
  const auto occ = random_occupancy(lat, 40, 67, 3);
  HarmonicCorrector h(lat, {1.0, 0.01});
  std::vector<double> chi;
  h.solve(occ.data(), chi, false);
  int checked = 0;
  for (const IMat& g : cubic_point_group()) {
    std::vector<std::uint8_t> rotated(occ.size());
    for (int s = 0; s < lat.num_sites(); ++s) rotated[lat.site_at(apply(g, lat.position(s)))] = occ[s];
    std::vector<double> chi_g;
    h.solve(rotated.data(), chi_g, false);
    double worst = 0;
    for (int s = 0; s < lat.num_sites(); ++s) {
      const int t = lat.site_at(apply(g, lat.position(s)));
      for (int d = 0; d < 3; ++d) {
        double gx = 0;
        for (int e = 0; e < 3; ++e) gx += g[d][e] * chi[3 * s + e];
        worst = std::max(worst, std::fabs(chi_g[3 * t + d] - gx));
      }
    }
    CHECK(worst < 1e-8);
    ++checked;
  }
  CHECK(checked == 48);
}

static void starts_at_the_linear_solution() {
  Lattice lat(LatticeKind::FCC, 3, 2);
  EnergyModel m;
  m.species = 2;
  m.nu = {1.0, 0.01};
  m.e0 = {0.0, 0.0};
  StateSampling ss;
  ss.counts = {32, 75};
  ss.states = 60;
  ss.seed = 4;
  const auto states = sample_states(lat, m, 1000, ss);
  VectorBasis basis(lat, singlet_clusters(lat, lat.shell_norm2(1), {kVacancy}));
  for (bool collective : {false, true}) {
    VariationalOptions vo;
    vo.target.collective = collective;
    const auto q = accumulate_functional(lat, m, &basis, states, vo);
    const auto lin = solve_linear(q);
    vo.corrector_shells = 2;
    const auto qc = accumulate_functional(lat, m, &basis, states, vo);
    CHECK(qc.functions == q.functions + (collective ? 2 : 3 + lat.coordination(0)));
    // θ of the linear model, corrector coefficients 0: the same value (the same terms).
    std::vector<double> padded(static_cast<std::size_t>(qc.functions) * qc.channels, 0.0);
    for (std::size_t i = 0; i < lin.theta.size(); ++i) padded[i] = lin.theta[i];
    const double v_lin = functional_value(q, lin.theta)[0], v_pad = functional_value(qc, padded)[0];
    CHECK_NEAR(v_pad, v_lin, 1e-12 * v_lin);
    // The joint minimum is lower, clearly so at this rate contrast.
    const double v_c = functional_value(qc, solve_linear(qc).theta)[0];
    CHECK(v_c < 0.97 * v_lin);
    // Evaluation at fixed θ reproduces the quadratic form with the corrector terms too.
    const auto ev = evaluate_functional(lat, m, &basis, states, solve_linear(qc).theta, vo);
    CHECK_NEAR(ev.value[0].mean, v_c, 1e-9 * v_c);
  }
}

static void pure_lattice_keeps_its_exact_f() {
  // A pure lattice has a uniform network (χ = 0): the corrector adds nothing beyond the complete
  // vacancy basis, which is exact.
  Lattice lat(LatticeKind::BCC, 3, 2);
  EnergyModel m;
  m.species = 1;
  m.nu = {1.0};
  m.e0 = {0.0};
  StateSampling ss;
  ss.counts = {lat.num_sites() - 1};
  ss.states = 1;
  const auto states = sample_states(lat, m, 1000, ss);
  VectorBasis complete(lat, singlet_clusters(lat, 1 << 30, {kVacancy}));
  VariationalOptions vo;
  vo.corrector_shells = 2;
  const auto q = accumulate_functional(lat, m, &complete, states, vo);
  const double f = functional_value(q, solve_linear(q).theta)[0] / functional_value(q, {})[0];
  CHECK_NEAR(f, exact_tracer_correlation(lat).f, 1e-9);
}

int main() {
  uniform_network_has_no_corrector();
  cut_off_cluster_has_constant_harmonic_coordinates();
  corrector_is_equivariant();
  starts_at_the_linear_solution();
  pure_lattice_keeps_its_exact_f();
  return check::summary("test_corrector");
}
