// Jump rates ν exp(−E_a/k_BT) at the edges of double precision: a state whose every exit rate
// underflows to 0 (or a rate that overflows) must be refused with a message, never turned into
// an infinite residence time or NaN that ends up as D = 0 or null in the JSON.
#include <cmath>
#include <stdexcept>
#include <string>

#include "check.hpp"
#include "ionfield/kinetics.hpp"

using namespace ionfield::lattice;

static EnergyModel binary(double e0a, double e0b, double j_ab) {
  EnergyModel m;
  m.species = 2;
  m.nu = {1e13, 1e13};
  m.e0 = {e0a, e0b};
  if (j_ab != 0) m.pair = {0.0, j_ab, j_ab, 0.0};
  return m;
}

// The message of the std::invalid_argument thrown by `f`, or "" when nothing was thrown.
template <class F>
static std::string refusal(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

static void underflow_is_refused() {
  const Lattice lat(LatticeKind::FCC, 3);
  auto occ = random_occupancy(lat, {54, 53}, 3);
  auto vac = vacancy_sites(occ);
  std::vector<Jump> jumps;
  // 1.5 and 1.4 eV at 20 K: E_a/kT = 870 and 812, past the smallest double (exp(−745)).
  const EnergyModel cold = binary(1.5, 1.4, 0.0);
  const RateModel rates(lat, cold, 20);
  const std::string msg = refusal([&] { rates.exit_jumps(occ.data(), vac, jumps); });
  CHECK(msg.find("underflow") != std::string::npos);
  CHECK(msg.find("20 K") != std::string::npos);
  KmcOptions o;
  o.counts = {54, 53};
  o.temperature = 20;
  o.steps = 10;
  o.trajectories = 2;
  o.equilibration_sweeps = 0;
  CHECK(!refusal([&] { run_kmc(lat, cold, o); }).empty());
}

static void overflow_is_refused() {
  const Lattice lat(LatticeKind::BCC, 3);
  auto occ = random_occupancy(lat, {27, 26}, 5);
  auto vac = vacancy_sites(occ);
  std::vector<Jump> jumps;
  // A barrier of −100 eV at 1000 K: exp(+1160) overflows.
  const EnergyModel hot = binary(-100, 0.5, 0.0);
  const RateModel rates(lat, hot, 1000);
  CHECK(refusal([&] { rates.exit_jumps(occ.data(), vac, jumps); }).find("overflow") != std::string::npos);
}

static void one_underflowing_rate_is_fine() {
  // A single vanishing rate next to ordinary ones is a physically negligible jump, not an error:
  // B's barrier underflows, A's does not.
  const Lattice lat(LatticeKind::SimpleCubic, 3);
  const EnergyModel m = binary(0.5, 200.0, 0.0);
  const RateModel rates(lat, m, 1000);
  auto occ = random_occupancy(lat, {13, 13}, 9);
  auto vac = vacancy_sites(occ);
  std::vector<Jump> jumps;
  CHECK(refusal([&] { rates.exit_jumps(occ.data(), vac, jumps); }).empty());
  const double kT = kBoltzmannEv * 1000;
  for (const Jump& j : jumps) {
    if (j.species == 0) CHECK_NEAR(j.rate / (1e13 * std::exp(-0.5 / kT)), 1.0, 1e-12);
    if (j.species == 1) CHECK(j.rate == 0);
  }
}

int main() {
  underflow_is_refused();
  overflow_is_refused();
  one_underflowing_rate_is_fine();
  return check::summary("test_rate_range");
}
