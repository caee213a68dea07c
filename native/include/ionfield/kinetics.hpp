#pragma once
// Vacancy-mediated diffusion on a lattice: occupancy states, the energy model and its jump rates,
// Metropolis swap Monte Carlo for equilibrium states, and residence-time kinetic Monte Carlo.
//
// Units: energies in eV, temperatures in K, rates in the unit of the prefactors ν (time is in
// 1/ν), lengths in a (conventional lattice parameter). D and L are reported in a²·ν.
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "ionfield/lattice.hpp"

namespace ionfield::lattice {

constexpr std::uint8_t kVacancy = 255;     // occupancy code of an empty site
constexpr double kBoltzmannEv = 8.617333262e-5;  // eV/K

// E_a = E0[species] + (E_final − E_initial)/2, W = ν[species] exp(−E_a / k_B T); the energy is a
// sum of pair interactions J[shell][a][b] between atoms (vacancies interact with nothing).
// With no pair terms the rate depends only on the jumping species: the random-alloy lattice gas.
struct EnergyModel {
  int species = 1;
  std::vector<double> nu;    // per species
  std::vector<double> e0;    // per species, eV
  std::vector<double> pair;  // shells × species × species (symmetric), eV; empty = non-interacting
  int pair_shells() const { return species > 0 ? static_cast<int>(pair.size()) / (species * species) : 0; }
  double J(int shell, int a, int b) const { return pair[(static_cast<std::size_t>(shell) * species + a) * species + b]; }
  bool interacting() const { return !pair.empty(); }
  void validate(const Lattice& lattice) const;  // throws std::invalid_argument with what is wrong
};

// A random configuration with counts[s] atoms of species s and the remaining sites vacant.
std::vector<std::uint8_t> random_occupancy(const Lattice& lattice, const std::vector<int>& counts, std::uint64_t seed);
void check_occupancy(const Lattice& lattice, const EnergyModel& model, const std::vector<std::uint8_t>& occ);

// Energy of one site's atom with all its neighbours (half of each bond belongs to it).
double site_energy(const Lattice& lattice, const EnergyModel& model, const std::uint8_t* occ, int site);
double total_energy(const Lattice& lattice, const EnergyModel& model, const std::uint8_t* occ);
// Energy change of exchanging the occupants of sites i and j (exact for neighbours too).
double swap_energy_change(const Lattice& lattice, const EnergyModel& model, std::uint8_t* occ, int i, int j);

// One possible transition: the vacancy at `vacancy` exchanges with the atom at `target`, which
// moves by −jump (units of a/2); `vector` indexes the nearest-neighbour shell vectors.
struct Jump {
  int vacancy;
  int target;
  int vector;
  std::uint8_t species;
  double rate;
};

// The jump a uniform draw u ∈ [0, 1) picks with probability rate / Σ rates (jumps not empty);
// total = Σ rates.
inline std::size_t pick_jump(const std::vector<Jump>& jumps, double total, double u) {
  double pick = u * total;
  std::size_t c = 0;
  while (c + 1 < jumps.size() && pick >= jumps[c].rate) pick -= jumps[c++].rate;
  return c;
}

class RateModel {
 public:
  RateModel(const Lattice& lattice, const EnergyModel& model, double temperature);
  // Appends every exit jump of the state (each vacancy × each nearest-neighbour vector with an atom).
  void exit_jumps(std::uint8_t* occ, const std::vector<int>& vacancies, std::vector<Jump>& out) const;
  double base_rate(int species) const { return base_[species]; }
  double kT() const { return kT_; }
  const Lattice& lattice() const { return lattice_; }
  const EnergyModel& model() const { return model_; }

 private:
  const Lattice& lattice_;
  const EnergyModel& model_;
  double kT_;
  std::vector<double> base_;  // ν exp(−E0/kT)
};

std::vector<int> vacancy_sites(const std::vector<std::uint8_t>& occ);

// Metropolis swap Monte Carlo: `sweeps` × num_sites attempted exchanges of two random sites with
// different occupants. Returns the acceptance ratio. Leaves a non-interacting state unchanged.
double swap_monte_carlo(const Lattice& lattice, const EnergyModel& model, double temperature, std::vector<std::uint8_t>& occ,
                        long long sweeps, std::uint64_t seed);

// Equilibrium states: independent random states for a non-interacting model (exact), otherwise
// `chains` Metropolis chains equilibrated for `equilibration_sweeps` and sampled every
// `decorrelation_sweeps`. Deterministic for a seed whatever the thread count.
struct StateSampling {
  std::vector<int> counts;
  int states = 1000;
  int chains = 16;
  long long equilibration_sweeps = 200;
  long long decorrelation_sweeps = 10;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: hardware concurrency
  // Only states [first, last) of the full sequence (last < 0: to the end): a shard of the sampling.
  // Every state depends on its index (and its chain) only, so a shard's states are the full run's;
  // a chain cut by the range is run from its start, so shards are cheapest on chain boundaries.
  int first = 0;
  int last = -1;
};
std::vector<std::vector<std::uint8_t>> sample_states(const Lattice& lattice, const EnergyModel& model, double temperature,
                                                    const StateSampling& options);

// Residence-time KMC on independent trajectories (each from its own equilibrium state).
struct KmcOptions {
  std::vector<int> counts;  // atoms per species; the rest of the sites are vacancies
  double temperature = 1000;
  long long steps = 10000;   // jumps per trajectory
  int trajectories = 16;
  long long equilibration_sweeps = 200;  // swap MC before each trajectory (interacting models)
  std::uint64_t seed = 1;
  int threads = 0;
  // Residence time per step: 1/W_tot (its mean; lower variance, same long-time averages) or an
  // exponential draw (the textbook algorithm).
  bool exponential_times = false;
  // The MSD-slope estimator (lattice/msd_slope.hpp): positions at `checkpoints` equally spaced
  // points of every trajectory; D from the slope over lags [window_from, window_to] × its length.
  int checkpoints = 32;
  double window_from = 0.1, window_to = 0.5;
  // A shard (`kmc --shard i/n`): run trajectories first_trajectory .. first_trajectory+run_trajectories-1
  // of the `trajectories` (run_trajectories 0: all). Each trajectory's seeds depend only on its
  // index, so any split gives the same per-trajectory values.
  int first_trajectory = 0;
  int run_trajectories = 0;
};

struct Estimate {
  double mean = 0, error = 0;  // error: standard error of the mean over trajectories
};

struct KmcResult {
  int species = 0;
  int trajectories = 0;
  long long total_steps = 0;
  double seconds = 0;
  // MSD-slope estimator (the default): D*_s = d<Σ_{i∈s} |Δr_i|²>/dt / (6 N_s), a²·ν; L_ab =
  // d<ΔR_a·ΔR_b>/dt / (6 N_sites), a²·ν per site, S×S row-major; the tracer correlation factor of
  // all atoms d Σ_i |Δr_i|² / d(jumps) / (nn distance²) (meaningful for a pure lattice: it is then f).
  std::vector<Estimate> tracer, onsager;
  Estimate correlation;
  // Whole-trajectory estimator (|Δr|² / 6t from the start of each trajectory; biased upwards by
  // the MSD intercept, by c/(6Dt)).
  std::vector<Estimate> whole_tracer, whole_onsager;
  Estimate whole_correlation;
  // Linearity check of the slope window: tracer D over its first and second halves, and their
  // per-trajectory difference (late − early), which should be zero within its error.
  std::vector<Estimate> tracer_early, tracer_late, tracer_change;
  // The same check for L_ab (S×S): late − early per trajectory, per site.
  std::vector<Estimate> onsager_change;
  std::array<double, 2> window_jumps{}, window_times{};  // lag window per trajectory: jumps, mean time
  std::array<int, 3> window_lags{};  // the window in checkpoint intervals: from, to, intervals
  // Per trajectory, for resampling and convergence studies: time and the raw sums.
  std::vector<double> times;
  std::vector<double> tracer_sums;   // trajectories × species: Σ_{i∈s} |Δr_i|² (a²)
  std::vector<double> collective;    // trajectories × species × species: ΔR_a·ΔR_b (a²)
  // Per trajectory, the MSD slopes over the window (a² per unit time, not yet divided by 6N):
  // tracer sums per species, and over the window's two halves; collective products; all atoms per
  // jump over the nearest-neighbour distance² (the correlation factor).
  std::vector<double> slope_tracer, slope_early, slope_late, slope_collective, slope_correlation;
  std::vector<double> slope_collective_early, slope_collective_late;  // trajectories × S²
};

using ProgressFn = std::function<void(long long done, long long total)>;

KmcResult run_kmc(const Lattice& lattice, const EnergyModel& model, const KmcOptions& options, const ProgressFn& progress = {});

// Fills every estimate of r (both estimators, the linearity check, the window in jumps and time)
// from its per-trajectory values: what run_kmc does at its end, and what merging shards does.
// nn2: squared nearest-neighbour distance (a²); steps: jumps per trajectory.
void estimate_kmc(KmcResult& r, const std::vector<int>& counts, int sites, double nn2, long long steps);

}  // namespace ionfield::lattice
