// The equivariant site network: y(gX; c) = g y(X; c) for all 48 operations (tracer and
// collective outputs), training starts exactly at the linear model and never ends above it, the
// trained model is still an upper bound on held-out states, and results do not depend on threads.
#include <cmath>
#include <stdexcept>

#include "check.hpp"
#include "ionfield/site_network.hpp"

using namespace ionfield::lattice;

static EnergyModel lattice_gas(std::vector<double> rates) {
  EnergyModel m;
  m.species = static_cast<int>(rates.size());
  m.nu = rates;
  m.e0.assign(rates.size(), 0.0);
  return m;
}

// The basis both trainings start from: vacancy singlets (tracer) or species singlets (collective).
static VectorBasis first_shell_basis(const Lattice& lat, bool collective) {
  return VectorBasis(lat, collective ? singlet_clusters(lat, lat.shell_norm2(1), {0, 1}) : singlet_clusters(lat, lat.shell_norm2(1), {kVacancy}));
}

// Options whose target is species 0: its tracer, or the collective channels.
static VariationalOptions species_a_target(bool collective) {
  VariationalOptions vo;
  vo.target.collective = collective;
  vo.target.species = 0;
  return vo;
}

// Σ_a L_aa of a channels × channels functional value (what the site network minimises).
static double own_channels(const std::vector<double>& value, int channels) {
  double sum = 0;
  for (int a = 0; a < channels; ++a) sum += value[a * channels + a];
  return sum;
}

static void equivariance() {
  // A network with random weights in every layer (the output layer too): equivariance is a
  // property of the construction, not of training.
  Lattice lat(LatticeKind::FCC, 3, 3);
  SiteNetwork n;
  n.shells = 3;
  n.species = 2;
  n.inputs = 3 + 2 * 3;
  n.outputs = 2;
  std::uint64_t state = 12345;
  auto next = [&]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53 * 2 - 1;
  };
  for (int in : {n.inputs, 8}) {
    const int out = in == n.inputs ? 8 : n.outputs;
    std::vector<double> W(static_cast<std::size_t>(out) * in), b(out);
    for (double& w : W) w = next();
    for (double& x : b) x = next();
    n.W.push_back(W);
    n.b.push_back(b);
  }
  auto occ = random_occupancy(lat, {50, 50}, 8);  // 8 vacancies, so vacancies appear in environments
  double largest = 0;
  for (int c = 0; c < lat.num_sites(); c += 3) {
    const auto y = site_network_vector(n, lat, occ.data(), c);
    for (double v : y) largest = std::max(largest, std::fabs(v));
    const IVec pc = lat.position(c);
    double worst = 0;
    for (const IMat& g : cubic_point_group()) {
      std::vector<std::uint8_t> moved(occ.size());
      for (int i = 0; i < lat.num_sites(); ++i) moved[lat.site_at(add(pc, ionfield::lattice::apply(g, sub(lat.position(i), pc))))] = occ[i];
      const auto yg = site_network_vector(n, lat, moved.data(), c);
      for (int a = 0; a < 2; ++a)
        for (int d = 0; d < 3; ++d)
          worst = std::max(worst, std::fabs(yg[3 * a + d] - (g[d][0] * y[3 * a] + g[d][1] * y[3 * a + 1] + g[d][2] * y[3 * a + 2])));
    }
    CHECK(worst < 1e-12);
  }
  CHECK(largest > 1e-2);  // not a check on zero vectors
}

static void training(bool collective) {
  Lattice lat(LatticeKind::FCC, 3, 2);
  const EnergyModel m = lattice_gas({1.0, 0.1});
  StateSampling ss;
  ss.counts = {54, 53};
  ss.states = 60;
  ss.seed = 5;
  const auto states = sample_states(lat, m, 1000, ss);
  ss.seed = 6;
  ss.states = 400;
  const auto held_out = sample_states(lat, m, 1000, ss);
  VariationalOptions vo = species_a_target(collective);
  const VectorBasis basis = first_shell_basis(lat, collective);
  const auto q = accumulate_functional(lat, m, &basis, states, vo);
  const auto theta = solve_linear(q).theta;
  const auto linear = functional_value(q, theta);
  const int ch = collective ? 2 : 1;
  const double linear_sum = own_channels(linear, ch);
  const SiteNetworkData data = cache_site_network(lat, m, &basis, theta, states, vo, 2);
  SiteNetworkOptions so;
  so.hidden = 8;
  so.epochs = 0;
  const SiteNetwork start = train_site_network(data, so, 1);
  CHECK_NEAR(start.training_value, linear_sum, 1e-10 * linear_sum);
  const Evaluation e0 = evaluate_site_network(start, data, false);
  for (int i = 0; i < ch * ch; ++i) CHECK_NEAR(e0.value[i].mean, linear[i], 1e-10 * std::fabs(linear[0]));
  so.epochs = 80;
  const SiteNetwork trained = train_site_network(data, so, 1);
  CHECK(trained.training_value < 0.995 * linear_sum);
  // Same cache and training with 1 or all threads (fixed lanes): identical.
  VariationalOptions vo1 = vo;
  vo1.threads = 1;
  const SiteNetworkData data1 = cache_site_network(lat, m, &basis, theta, states, vo1, 2);
  CHECK(data1.rows.size() == data.rows.size() && data1.environments == data.environments);
  CHECK(train_site_network(data1, so, 1).training_value == trained.training_value);
  // Held-out states: the trained network is no worse than the linear model within errors, and it
  // remains an upper bound of the KMC reference (within 3σ of the combined error).
  const SiteNetworkData valid = cache_site_network(lat, m, &basis, theta, held_out, vo, 2);
  const Evaluation ev = evaluate_site_network(trained, valid, true);
  const Evaluation lin = evaluate_site_network(start, valid, false);
  CHECK(ev.value[0].mean < lin.value[0].mean + 3 * lin.value[0].error);
  KmcOptions ko;
  ko.counts = ss.counts;
  ko.steps = 40000;
  ko.trajectories = 48;
  ko.seed = 21;
  const KmcResult kmc = run_kmc(lat, m, ko);
  const Estimate ref = collective ? kmc.onsager[0] : kmc.tracer[0];
  CHECK(ev.value[0].mean > ref.mean - 3 * std::hypot(ref.error, ev.value[0].error));
  CHECK(ev.value[0].mean < 1.5 * ref.mean);  // and it is a useful bound, not a trivial one
  double kin = 0;
  for (const auto& k : ev.kinosons) kin += k.value;
  CHECK_NEAR(kin / static_cast<double>(held_out.size()), ev.value[0].mean, 1e-9 * ev.value[0].mean);
}

// On top of the harmonic corrector (tracer and collective): the untrained network is exactly the
// linear model with the corrector's functions (whose joint solution is below the basis alone), and
// training lowers it. Equivariance needs no new test: the sum of two equivariant parts (the site
// network's, above, and the corrector's, test_corrector) is equivariant.
static void on_corrector(bool collective) {
  Lattice lat(LatticeKind::FCC, 3, 2);
  const EnergyModel m = lattice_gas({1.0, 0.01});
  StateSampling ss;
  ss.counts = {40, 67};  // the fast species near its percolation threshold, where the corrector matters
  ss.states = 60;
  ss.seed = 9;
  const auto states = sample_states(lat, m, 1000, ss);
  VariationalOptions vo = species_a_target(collective);
  const VectorBasis basis = first_shell_basis(lat, collective);
  const int ch = collective ? 2 : 1;
  auto own = [ch](const std::vector<double>& v) { return own_channels(v, ch); };
  const auto plain = accumulate_functional(lat, m, &basis, states, vo);
  const double plain_value = own(functional_value(plain, solve_linear(plain).theta));
  vo.corrector_shells = 2;
  const auto q = accumulate_functional(lat, m, &basis, states, vo);
  CHECK(q.functions > basis.size());
  const auto theta = solve_linear(q).theta;
  const auto linear = functional_value(q, theta);
  CHECK(own(linear) < 0.99 * plain_value);
  const SiteNetworkData data = cache_site_network(lat, m, &basis, theta, states, vo, 2);
  SiteNetworkOptions so;
  so.hidden = 8;
  so.epochs = 0;
  const SiteNetwork start = train_site_network(data, so, 1);
  CHECK_NEAR(start.training_value, own(linear), 1e-9 * own(linear));
  so.epochs = 60;
  CHECK(train_site_network(data, so, 1).training_value < start.training_value);
  // The linear coefficients must match the corrector-extended basis.
  bool refused = false;
  try {
    cache_site_network(lat, m, &basis, solve_linear(plain).theta, states, vo, 2);
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  CHECK(refused);
}

int main() {
  equivariance();
  training(false);
  training(true);
  on_corrector(false);
  on_corrector(true);
  return check::summary("site network");
}
