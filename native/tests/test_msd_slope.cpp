// The MSD-slope estimator on synthetic walks with a known D and a known intercept: every atom makes
// one large jump in the first checkpoint interval (the "ballistic" start), then a lattice random
// walk. |Δr|²/6t over the whole run is biased by c/(6t); the slope over the lag window is not.
#include <cmath>

#include "check.hpp"
#include "lattice/msd_slope.hpp"
#include "lattice/rng.hpp"

using namespace ionfield::lattice;

static void known_slope_and_intercept() {
  const int atoms = 2000, intervals = 32, steps_per_interval = 50;
  Rng rng(stream_seed(17, 0));
  MsdCheckpoints c;
  c.atoms = atoms;
  std::vector<long long> pos(3 * atoms, 0);
  c.record(pos, 0.0, 0);
  const long long kick = 20;  // a/2 units: 10 a along x for every atom, in the first interval
  for (int k = 1; k <= intervals; ++k) {
    for (int i = 0; i < atoms; ++i) {
      if (k == 1) pos[3 * i] += (rng.uniform() < 0.5 ? -kick : kick);
      for (int s = 0; s < steps_per_interval; ++s) pos[3 * i + static_cast<int>(3 * rng.uniform())] += rng.uniform() < 0.5 ? -2 : 2;  // ±a
    }
    c.record(pos, static_cast<double>(k * steps_per_interval), static_cast<long long>(k) * steps_per_interval);
  }
  // One ±a step per unit time: |Δr|² grows by a² per unit time, D = 1/6 per atom; intercept 100 a².
  const LagWindow w = lag_window(intervals, 0.1, 0.5);
  const TrajectorySlopes s = msd_slopes(c, std::vector<std::uint8_t>(atoms, 0), 1, w, 1.0);
  const double d = s.tracer[0] / (6.0 * atoms);
  CHECK(std::fabs(d - 1.0 / 6.0) < 0.03 / 6.0);
  CHECK(std::fabs(s.early[0] / s.late[0] - 1) < 0.1);
  // The collective halves are fitted over the same lags as the tracer halves.
  CHECK(s.collective_early.size() == 1 && s.collective_late.size() == 1 && std::isfinite(s.collective_early[0]));
  double whole = 0;
  const std::size_t last = static_cast<std::size_t>(intervals) * atoms * 3;
  for (int i = 0; i < 3 * atoms; ++i) whole += 0.25 * static_cast<double>(c.positions[last + i] * c.positions[last + i]);
  const double d_whole = whole / (6.0 * atoms * c.times.back());
  CHECK(d_whole / (1.0 / 6.0) - 1 > 0.05);  // (1600 + 100)/1600: 6 % high
  // Window checks: at least 3 lags, inside the run.
  CHECK_THROWS(lag_window(32, 0.5, 0.5));
  CHECK_THROWS(lag_window(3, 0.1, 0.9));
  CHECK_THROWS(lag_window(8, 0.1, 0.2));
}

int main() {
  known_slope_and_intercept();
  return check::summary("test_msd_slope");
}
