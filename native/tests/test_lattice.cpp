// Lattice geometry, point group, energy model and KMC against known answers.
#include <cmath>
#include <set>

#include "check.hpp"
#include "ionfield/correlation.hpp"
#include "ionfield/kinetics.hpp"

using namespace ionfield::lattice;

static void geometry() {
  // Coordination numbers of the first three shells (standard crystallography).
  const int expected[3][3] = {{6, 12, 8}, {8, 6, 12}, {12, 6, 24}};
  const LatticeKind kinds[3] = {LatticeKind::SimpleCubic, LatticeKind::BCC, LatticeKind::FCC};
  const int per_cell[3] = {1, 2, 4};
  for (int k = 0; k < 3; ++k) {
    Lattice lat(kinds[k], 4, 3);
    CHECK(lat.num_sites() == per_cell[k] * 64);
    for (int s = 0; s < 3; ++s) CHECK(lat.coordination(s) == expected[k][s]);
    // Every neighbour of every site is a distinct site at the shell distance.
    for (int i = 0; i < lat.num_sites(); i += 7) {
      std::set<int> seen;
      for (int j = 0; j < lat.coordination(0); ++j) seen.insert(lat.neighbour(i, 0, j));
      CHECK(static_cast<int>(seen.size()) == lat.coordination(0));
      CHECK(seen.count(i) == 0);
    }
    // The point group maps each shell onto itself and the supercell onto itself.
    for (const IMat& g : cubic_point_group()) {
      for (int s = 0; s < 3; ++s) {
        std::set<IVec> shell(lat.shell_vectors(s).begin(), lat.shell_vectors(s).end());
        for (const IVec& v : lat.shell_vectors(s)) CHECK(shell.count(apply(g, v)) == 1);
      }
      for (int i = 0; i < lat.num_sites(); i += 5) CHECK(lat.site_at(apply(g, lat.position(i))) >= 0);
    }
  }
  // 48 distinct orthogonal integer matrices, closed under multiplication.
  const auto& group = cubic_point_group();
  CHECK(group.size() == 48);
  std::set<IMat> all(group.begin(), group.end());
  CHECK(all.size() == 48);
  for (const IMat& a : group)
    for (const IMat& b : group) {
      IMat c{};
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
      CHECK(all.count(c) == 1);
    }
  CHECK_THROWS(Lattice(LatticeKind::SimpleCubic, 2));  // ±x reach the same site
  CHECK_THROWS(Lattice(LatticeKind::FCC, 1));
  CHECK_THROWS(parse_lattice_kind("hcp"));
}

static EnergyModel ternary_model() {
  EnergyModel m;
  m.species = 3;
  m.nu = {1.0, 2.0, 0.5};
  m.e0 = {0.6, 0.7, 0.8};
  // Two shells, symmetric, arbitrary values (eV).
  const double j1[3][3] = {{-0.05, 0.02, 0.01}, {0.02, -0.03, 0.04}, {0.01, 0.04, 0.0}};
  for (int s = 0; s < 2; ++s)
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) m.pair.push_back(j1[a][b] * (s == 0 ? 1.0 : -0.4));
  return m;
}

static void energies() {
  Lattice lat(LatticeKind::FCC, 3, 2);
  const EnergyModel m = ternary_model();
  auto occ = random_occupancy(lat, {40, 40, 26}, 7);
  // Local swap energies equal brute-force total-energy differences, for neighbours and not.
  for (int t = 0; t < 40; ++t) {
    const int i = (t * 37) % lat.num_sites(), j = t % 3 == 0 ? lat.neighbour(i, t % 2, t % 12) : (t * 53 + 11) % lat.num_sites();
    const double before = total_energy(lat, m, occ.data());
    const double local = swap_energy_change(lat, m, occ.data(), i, j);
    std::swap(occ[i], occ[j]);
    CHECK_NEAR(local, total_energy(lat, m, occ.data()) - before, 1e-12);
  }
  // Detailed balance of the rates: W(X→X')/W(X'→X) = exp(−ΔE/kT).
  const double T = 900;
  RateModel rates(lat, m, T);
  auto vac = vacancy_sites(occ);
  std::vector<Jump> jumps;
  rates.exit_jumps(occ.data(), vac, jumps);
  CHECK(jumps.size() >= 12);
  for (const Jump& j : jumps) {
    const double e_before = total_energy(lat, m, occ.data());
    auto after = occ;
    std::swap(after[j.vacancy], after[j.target]);
    const double de = total_energy(lat, m, after.data()) - e_before;
    std::vector<Jump> back;
    rates.exit_jumps(after.data(), {j.target}, back);
    bool found = false;
    for (const Jump& b : back)
      if (b.target == j.vacancy) {
        found = true;
        CHECK_NEAR(std::log(j.rate / b.rate), -de / (kBoltzmannEv * T), 1e-10);
      }
    CHECK(found);
  }
  // Swap MC lowers the energy of an ordering alloy and keeps the composition.
  EnergyModel order;
  order.species = 2;
  order.nu = {1, 1};
  order.e0 = {0.5, 0.5};
  order.pair = {0.05, -0.05, -0.05, 0.05};
  auto ab = random_occupancy(lat, {54, 53}, 3);
  const double e0 = total_energy(lat, order, ab.data());
  const double acc = swap_monte_carlo(lat, order, 300, ab, 50, 11);
  CHECK(total_energy(lat, order, ab.data()) < e0 - 0.5);
  CHECK(acc > 0 && acc < 1);
  int count0 = 0;
  for (auto o : ab) count0 += o == 0;
  CHECK(count0 == 54);
  EnergyModel bad = order;
  bad.pair = {0.05, -0.05, 0.0, 0.05};
  CHECK_THROWS(bad.validate(lat));
}

static void kmc_known_answers() {
  // Single vacancy, pure lattice: the vacancy is a plain random walk, so the collective
  // coefficient is exactly z W λ² / (6 N) (per site); the tracer correlation factor matches the
  // exact finite-supercell value.
  for (auto kind : {LatticeKind::FCC, LatticeKind::BCC, LatticeKind::SimpleCubic}) {
    Lattice lat(kind, 3);
    EnergyModel m;
    m.species = 1;
    m.nu = {2.0};
    m.e0 = {0.0};
    KmcOptions o;
    o.counts = {lat.num_sites() - 1};
    o.steps = 20000;
    o.trajectories = 160;  // one |ΔR|² per trajectory: relative error sqrt(2/3/160) ≈ 6 %
    o.seed = 5;
    const KmcResult r = run_kmc(lat, m, o);
    const double lambda2 = 0.25 * lat.shell_norm2(0);
    const double l_exact = lat.coordination(0) * 2.0 * lambda2 / (6.0 * lat.num_sites());
    CHECK(std::fabs(r.onsager[0].mean - l_exact) < 4 * r.onsager[0].error);
    CHECK(r.onsager[0].error < 0.1 * l_exact);
    const double f = exact_tracer_correlation(lat).f;
    CHECK(std::fabs(r.correlation.mean - f) < 4 * r.correlation.error);
    CHECK(r.correlation.error < 0.03);
    // Deterministic for a seed whatever the thread count.
    o.steps = 2000;
    o.threads = 1;
    const KmcResult a = run_kmc(lat, m, o);
    o.threads = 2;
    const KmcResult b = run_kmc(lat, m, o);
    CHECK(a.tracer[0].mean == b.tracer[0].mean && a.onsager[0].mean == b.onsager[0].mean);
    // Shards of the trajectories (seeds per trajectory index): concatenated, the per-trajectory
    // sums are the whole run's bit for bit, and estimate_kmc gives its estimates exactly.
    KmcOptions first = o, rest = o;
    first.run_trajectories = 70;
    rest.first_trajectory = 70;
    const KmcResult p1 = run_kmc(lat, m, first), p2 = run_kmc(lat, m, rest);
    KmcResult joined;
    joined.species = 1;
    auto join = [](std::vector<double>& to, const std::vector<double>& x, const std::vector<double>& y) {
      to = x;
      to.insert(to.end(), y.begin(), y.end());
    };
    join(joined.times, p1.times, p2.times);
    join(joined.tracer_sums, p1.tracer_sums, p2.tracer_sums);
    join(joined.collective, p1.collective, p2.collective);
    join(joined.slope_tracer, p1.slope_tracer, p2.slope_tracer);
    join(joined.slope_collective, p1.slope_collective, p2.slope_collective);
    join(joined.slope_early, p1.slope_early, p2.slope_early);
    join(joined.slope_late, p1.slope_late, p2.slope_late);
    join(joined.slope_correlation, p1.slope_correlation, p2.slope_correlation);
    join(joined.slope_collective_early, p1.slope_collective_early, p2.slope_collective_early);
    join(joined.slope_collective_late, p1.slope_collective_late, p2.slope_collective_late);
    CHECK(joined.times == a.times && joined.tracer_sums == a.tracer_sums && joined.collective == a.collective);
    CHECK(joined.slope_tracer == a.slope_tracer && joined.slope_correlation == a.slope_correlation);
    joined.window_lags = p1.window_lags;
    estimate_kmc(joined, o.counts, lat.num_sites(), 0.25 * lat.shell_norm2(0), o.steps);
    CHECK(joined.tracer[0].mean == a.tracer[0].mean && joined.tracer[0].error == a.tracer[0].error);
    CHECK(joined.onsager[0].mean == a.onsager[0].mean && joined.correlation.error == a.correlation.error);
    CHECK(joined.whole_tracer[0].mean == a.whole_tracer[0].mean && joined.tracer_change[0].error == a.tracer_change[0].error);
    CHECK(joined.window_times == a.window_times && joined.window_jumps == a.window_jumps);
    rest.run_trajectories = 100;  // 70 + 100 > 160
    CHECK_THROWS(run_kmc(lat, m, rest));
  }
}

static void slope_removes_the_intercept() {
  // Pure FCC 3×3×3 (108 sites), 40 jumps per atom: the MSD slope over lags 0.2–0.6 of the run
  // gives the exact finite-supercell f and D* (the intercept is negligible on a pure lattice, so the
  // whole-trajectory estimator agrees too; test_msd_slope.cpp shows the bias the slope removes).
  Lattice lat(LatticeKind::FCC, 3);
  EnergyModel m;
  m.species = 1;
  m.nu = {1.0};
  m.e0 = {0.0};
  KmcOptions o;
  o.counts = {lat.num_sites() - 1};
  o.steps = 40 * lat.num_sites();
  o.trajectories = 400;
  o.seed = 9;
  o.window_from = 0.2;
  o.window_to = 0.6;
  const KmcResult r = run_kmc(lat, m, o);
  const double f = exact_tracer_correlation(lat).f;
  CHECK(std::fabs(r.correlation.mean - f) < 3.5 * r.correlation.error);
  CHECK(std::fabs(r.whole_correlation.mean - f) < 3.5 * r.whole_correlation.error);
  // D* from the slope agrees with f·(uncorrelated D*) = f · z W λ² / (6 (N − 1)) · (one vacancy).
  const double lambda2 = 0.25 * lat.shell_norm2(0);
  const double d_exact = f * lat.coordination(0) * lambda2 / (6.0 * (lat.num_sites() - 1));
  CHECK(std::fabs(r.tracer[0].mean - d_exact) < 3.5 * r.tracer[0].error);
  // The window halves agree (the MSD is linear there).
  CHECK(std::fabs(r.tracer_change[0].mean) < 3.5 * r.tracer_change[0].error);
  // The window is refused when it is empty or backwards.
  o.window_from = 0.5;
  o.window_to = 0.4;
  CHECK_THROWS(run_kmc(lat, m, o));
}

static void exact_correlation() {
  // Converges to the infinite-lattice values as the supercell grows (1/N_sites trend).
  for (auto kind : {LatticeKind::FCC, LatticeKind::BCC, LatticeKind::SimpleCubic}) {
    const double f8 = exact_tracer_correlation(Lattice(kind, 8)).f;
    const double f12 = exact_tracer_correlation(Lattice(kind, 12)).f;
    const double known = known_correlation_factor(kind);
    CHECK(f12 > known && f8 > f12);
    CHECK_NEAR(f12, known, 0.0012);
  }
}

int main() {
  geometry();
  energies();
  kmc_known_answers();
  slope_removes_the_intercept();
  exact_correlation();
  return check::summary("test_lattice");
}
