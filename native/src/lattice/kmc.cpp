// Residence-time kinetic Monte Carlo: independent trajectories from equilibrium states, with
// exact (integer) unwrapped displacements of every atom.
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "ionfield/kinetics.hpp"
#include "lattice/parallel.hpp"
#include "lattice/msd_slope.hpp"
#include "lattice/rng.hpp"
#include "lattice/tracked_jump.hpp"
#include "lattice/stats.hpp"

namespace ionfield::lattice {
namespace {

struct TrajectoryTally {
  double time = 0;
  long long jumps = 0;
  std::vector<double> tracer;      // species: Σ |Δr|² (a²)
  std::vector<double> collective;  // species²: ΔR_a·ΔR_b (a²)
  TrajectorySlopes slopes;         // the MSD-slope estimator over the lag window
};

// The step after which checkpoint k (of `intervals`) is recorded.
long long checkpoint_step(long long steps, int intervals, int k) { return (steps * k) / intervals; }

TrajectoryTally run_trajectory(const Lattice& lattice, const EnergyModel& model, const RateModel& rates, const KmcOptions& o,
                               const LagWindow& window, int intervals, long long index, const std::function<void(long long)>& tick) {
  const int S = model.species;
  auto occ = random_occupancy(lattice, o.counts, stream_seed(o.seed, 2 * index));
  swap_monte_carlo(lattice, model, o.temperature, occ, o.equilibration_sweeps, stream_seed(o.seed, 2 * index + 1));
  Rng rng(stream_seed(o.seed ^ 0x6b6d63ULL, index));
  const int n = lattice.num_sites();
  std::vector<int> atom_at(n, -1);
  std::vector<std::uint8_t> species;
  for (int i = 0; i < n; ++i)
    if (occ[i] != kVacancy) {
      atom_at[i] = static_cast<int>(species.size());
      species.push_back(occ[i]);
    }
  std::vector<long long> disp(3 * species.size(), 0);  // units of a/2
  std::vector<int> vacancies = vacancy_sites(occ);
  std::vector<Jump> jumps;
  TrajectoryTally tally;
  MsdCheckpoints checkpoints;
  checkpoints.atoms = static_cast<int>(species.size());
  checkpoints.record(disp, 0.0, 0);
  int next = 1;
  long long next_step = checkpoint_step(o.steps, intervals, next);  // no division in the step loop
  for (long long step = 0; step < o.steps; ++step) {
    jumps.clear();
    rates.exit_jumps(occ.data(), vacancies, jumps);
    if (jumps.empty()) throw std::invalid_argument("no vacancy can move (no vacancies, or no atoms next to them)");
    double total = 0;
    for (const Jump& j : jumps) total += j.rate;
    const Jump& j = jumps[pick_jump(jumps, total, rng.uniform())];
    tally.time += (o.exponential_times ? rng.exponential() : 1.0) / total;
    apply_tracked_jump(lattice, j, occ, atom_at, disp, vacancies);
    if (step + 1 == next_step) {
      checkpoints.record(disp, tally.time, step + 1);
      next_step = checkpoint_step(o.steps, intervals, ++next);
    }
    if ((step & 4095) == 4095) {
      check_cancelled();  // about a millisecond of steps between checks
      tick(4096);
    }
  }
  tick(o.steps & 4095);
  tally.jumps = o.steps;
  tally.tracer.assign(S, 0);
  tally.collective.assign(static_cast<std::size_t>(S) * S, 0);
  std::vector<double> total_disp(3 * S, 0);
  for (std::size_t a = 0; a < species.size(); ++a) {
    double r2 = 0;
    for (int d = 0; d < 3; ++d) {
      const double x = 0.5 * static_cast<double>(disp[3 * a + d]);  // a/2 → a
      r2 += x * x;
      total_disp[3 * species[a] + d] += x;
    }
    tally.tracer[species[a]] += r2;
  }
  tally.slopes = msd_slopes(checkpoints, species, S, window, 0.25 * lattice.shell_norm2(0));
  for (int a = 0; a < S; ++a)
    for (int b = 0; b < S; ++b)
      tally.collective[a * S + b] = total_disp[3 * a] * total_disp[3 * b] + total_disp[3 * a + 1] * total_disp[3 * b + 1] +
                                    total_disp[3 * a + 2] * total_disp[3 * b + 2];
  return tally;
}

}  // namespace

KmcResult run_kmc(const Lattice& lattice, const EnergyModel& model, const KmcOptions& o, const ProgressFn& progress) {
  const RateModel rates(lattice, model, o.temperature);
  if (static_cast<int>(o.counts.size()) != model.species)
    throw std::invalid_argument("counts need one value per species (" + std::to_string(model.species) + ")");
  if (o.steps < 1 || o.trajectories < 2) throw std::invalid_argument("KMC needs steps >= 1 and at least 2 trajectories (for errors)");
  long long atoms = 0;
  for (int c : o.counts) atoms += c;
  if (atoms >= lattice.num_sites()) throw std::invalid_argument("KMC needs at least one vacancy (atoms < sites)");
  const int first = o.first_trajectory, count = o.run_trajectories > 0 ? o.run_trajectories : o.trajectories - first;
  if (first < 0 || count < 1 || first + count > o.trajectories)
    throw std::invalid_argument("KMC trajectory range " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
                                " is outside 0.." + std::to_string(o.trajectories - 1));
  const auto start = std::chrono::steady_clock::now();
  const long long total_steps = o.steps * count;
  const int intervals = static_cast<int>(std::min<long long>(o.checkpoints, o.steps));
  const LagWindow window = lag_window(intervals, o.window_from, o.window_to);
  std::atomic<long long> done{0};
  std::mutex progress_mutex;
  auto tick = [&](long long k) {
    const long long now = done.fetch_add(k) + k;
    if (progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress(now, total_steps);
    }
  };
  std::vector<TrajectoryTally> tallies(count);
  parallel_for(count, o.threads, [&](long long t, int) { tallies[t] = run_trajectory(lattice, model, rates, o, window, intervals, first + t, tick); });

  const int S = model.species;
  KmcResult r;
  r.species = S;
  r.trajectories = count;
  r.total_steps = total_steps;
  r.window_lags = {window.from, window.to, intervals};
  for (const auto& t : tallies) {
    r.times.push_back(t.time);
    r.tracer_sums.insert(r.tracer_sums.end(), t.tracer.begin(), t.tracer.end());
    r.collective.insert(r.collective.end(), t.collective.begin(), t.collective.end());
    r.slope_tracer.insert(r.slope_tracer.end(), t.slopes.tracer.begin(), t.slopes.tracer.end());
    r.slope_early.insert(r.slope_early.end(), t.slopes.early.begin(), t.slopes.early.end());
    r.slope_late.insert(r.slope_late.end(), t.slopes.late.begin(), t.slopes.late.end());
    r.slope_collective.insert(r.slope_collective.end(), t.slopes.collective.begin(), t.slopes.collective.end());
    r.slope_collective_early.insert(r.slope_collective_early.end(), t.slopes.collective_early.begin(), t.slopes.collective_early.end());
    r.slope_collective_late.insert(r.slope_collective_late.end(), t.slopes.collective_late.begin(), t.slopes.collective_late.end());
    r.slope_correlation.push_back(t.slopes.correlation);
  }
  estimate_kmc(r, o.counts, lattice.num_sites(), 0.25 * lattice.shell_norm2(0), o.steps);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

void estimate_kmc(KmcResult& r, const std::vector<int>& counts, int sites, double nn2, long long steps) {
  const int S = r.species;
  const std::size_t n = r.times.size(), S2 = static_cast<std::size_t>(S) * S;
  if (static_cast<int>(counts.size()) != S || r.tracer_sums.size() != n * S || r.collective.size() != n * S2 || r.slope_tracer.size() != n * S ||
      r.slope_early.size() != n * S || r.slope_late.size() != n * S || r.slope_collective.size() != n * S2 || r.slope_correlation.size() != n ||
      r.slope_collective_early.size() != n * S2 || r.slope_collective_late.size() != n * S2)
    throw std::invalid_argument("KMC sums: need per trajectory one time, S tracer sums and slopes, S² collective sums and slopes");
  // Whole-trajectory estimator (|Δr|²/6t from the start) and the slope estimator, per trajectory,
  // then mean ± standard error over trajectories.
  std::vector<Accumulator> whole(S), whole_onsager(S2), slope(S), slope_onsager(S2), early(S), late(S), change(S), onsager_change(S2);
  Accumulator whole_corr, slope_corr;
  for (std::size_t t = 0; t < n; ++t) {
    double all = 0;
    for (int s = 0; s < S; ++s) {
      const std::size_t i = t * S + s;
      all += r.tracer_sums[i];
      if (counts[s] == 0) continue;
      const double per = 1.0 / (6.0 * counts[s]);
      whole[s].add(r.tracer_sums[i] / r.times[t] * per);
      slope[s].add(r.slope_tracer[i] * per);
      early[s].add(r.slope_early[i] * per);
      late[s].add(r.slope_late[i] * per);
      change[s].add((r.slope_late[i] - r.slope_early[i]) * per);
    }
    for (std::size_t k = 0; k < S2; ++k) {
      whole_onsager[k].add(r.collective[t * S2 + k] / (6.0 * r.times[t] * sites));
      slope_onsager[k].add(r.slope_collective[t * S2 + k] / (6.0 * sites));
      onsager_change[k].add((r.slope_collective_late[t * S2 + k] - r.slope_collective_early[t * S2 + k]) / (6.0 * sites));
    }
    whole_corr.add(all / (static_cast<double>(steps) * nn2));
    slope_corr.add(r.slope_correlation[t]);
  }
  r.tracer.clear(), r.whole_tracer.clear(), r.tracer_early.clear(), r.tracer_late.clear(), r.tracer_change.clear();
  r.onsager.clear(), r.whole_onsager.clear(), r.onsager_change.clear();
  for (int s = 0; s < S; ++s) {
    r.tracer.push_back(slope[s].estimate());
    r.whole_tracer.push_back(whole[s].estimate());
    r.tracer_early.push_back(early[s].estimate());
    r.tracer_late.push_back(late[s].estimate());
    r.tracer_change.push_back(change[s].estimate());
  }
  for (std::size_t k = 0; k < S2; ++k) {
    r.onsager.push_back(slope_onsager[k].estimate());
    r.whole_onsager.push_back(whole_onsager[k].estimate());
    r.onsager_change.push_back(onsager_change[k].estimate());
  }
  r.correlation = slope_corr.estimate();
  r.whole_correlation = whole_corr.estimate();
  const auto [from, to, intervals] = r.window_lags;
  r.window_jumps = {static_cast<double>(checkpoint_step(steps, intervals, from)), static_cast<double>(checkpoint_step(steps, intervals, to))};
  double mean_time = 0;
  for (double t : r.times) mean_time += t / static_cast<double>(n);
  r.window_times = {mean_time * from / intervals, mean_time * to / intervals};
}

}  // namespace ionfield::lattice
