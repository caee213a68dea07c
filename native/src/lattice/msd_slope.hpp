#pragma once
// The slope estimator of KMC diffusion coefficients. A trajectory's mean-squared displacement
// grows as 6 D t + c at long times: the intercept c (the faster, less correlated start of every
// walk, and atoms trapped in finite clusters) biases |Δr|²/(6t) over the whole run upwards by
// c / (6 D t). The slope of the MSD over a window of lags removes it. Positions are recorded at
// M + 1 equally spaced checkpoints; for each lag ℓ (in checkpoints) the MSD is averaged over every
// time origin of the trajectory, and D is the least-squares slope of MSD(ℓ) against the mean time
// lag over ℓ ∈ [from, to]. Errors come from the spread over independent trajectories, as before.
#include <cstdint>
#include <vector>

namespace ionfield::lattice {

// Unwrapped positions (units of a/2, as the KMC tracks them) of every atom at each checkpoint.
struct MsdCheckpoints {
  int atoms = 0;
  std::vector<std::int64_t> positions;  // checkpoints × atoms × 3
  std::vector<double> times;            // clock at each checkpoint
  std::vector<long long> jumps;         // jumps done at each checkpoint
  int count() const { return static_cast<int>(times.size()); }
  void record(const std::vector<long long>& displacement, double time, long long jump_count) {
    positions.insert(positions.end(), displacement.begin(), displacement.end());
    times.push_back(time);
    jumps.push_back(jump_count);
  }
};

// Lags (in checkpoint intervals) of the fit: from ≥ 1, to > from, both ≤ intervals.
struct LagWindow {
  int from = 1, to = 2;
  int middle() const { return (from + to) / 2; }
};
LagWindow lag_window(int intervals, double from_fraction, double to_fraction);

// One trajectory's slopes: tracer per species (Σ_{i∈s} |Δr|² per unit time, a²/time), collective
// ΔR_a·ΔR_b per unit time (species²), the pure-lattice correlation (all atoms, per jump, in units
// of the nearest-neighbour distance²), and the tracer slopes over the two halves of the window
// (the linearity check).
struct TrajectorySlopes {
  std::vector<double> tracer, collective, early, late, collective_early, collective_late;
  double correlation = 0;
};
TrajectorySlopes msd_slopes(const MsdCheckpoints& c, const std::vector<std::uint8_t>& species, int species_count, const LagWindow& w,
                            double nn2);

}  // namespace ionfield::lattice
