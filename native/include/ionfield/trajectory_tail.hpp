#pragma once
// The variational bound tightened by short trajectories: the relaxation-corrected displacement.
//
// For a relaxation vector y (any trial), z = x + y(X) is the displacement seen through y. For a
// reversible Markov jump process (Kipnis–Varadhan)
//
//   <|Δz(t)|²> / (2 d t) = D_var(y) − (1/(d t)) ∫₀ᵗ (t − s) C(s) ds,   C(s) = <b(X₀)·b(X_s)> ≥ 0,
//
// where b = Σ_X' W (δx + Δy) is y's residual bias and D_var(y) is the functional (the variational
// bound). So D_z(t) = <|Δz(t)|²>/(2 d t) starts at the bound (t → 0), never rises, and tends to the
// exact D for any y — the better y, the smaller b and the sooner. Plain KMC from equilibrium states
// is the special case y = 0 (D_x(t) starts at the uncorrelated value). The MSD's intercept
// (∫ s C(s) ds) is removed by the slope between t/2 and t, which converges exponentially.
//
// Memory: every segment's state is kept between checkpoints (occupancy, atom positions and
// displacements, y at the start, the corrector χ for a warm start): about 70 bytes per site per
// segment, e.g. 270 MB for 2000 validation states of FCC 8³.
//
// Segments start from the validation states (equilibrium) and run the exact residence-time
// dynamics (exponential waiting times, so that the state at a fixed time is exact). Checkpoints
// double: t_k = τ₀ 2^(k−1); y is evaluated only there. After each round every segment is extended
// to the next checkpoint, and the slope S_k of the MSD over [t_(k−1), t_k] is compared with
// S_(k−1) (paired over the segments): the run stops when two drops in a row are small — below
// `tolerance` × S_k or within twice their error — or after `rounds` checkpoints (not converged).
// At long times the slope's relative error stops shrinking with the segment length (each atom's
// |Δz|² fluctuates by O(1) of its mean), so the smallest drop a run can see is set by the number
// of segments and atoms: the last drop's error is reported as that resolution.
#include <cstdint>
#include <vector>

#include "ionfield/variational.hpp"

namespace ionfield::lattice {

struct TailOptions {
  double first = 0;        // τ₀, the first checkpoint, in the model's time unit (1/ν)
  int rounds = 10;         // at most this many checkpoints (the longest segment is τ₀ 2^(rounds−1))
  double tolerance = 0.03; // a drop of the slope below this fraction is small …
  int min_rounds = 5;      // … and the run stops after two small drops, not before this many checkpoints
  std::uint64_t seed = 1;
};

struct TailResult {
  int channels = 0;
  std::vector<double> times;   // checkpoints reached
  // Per checkpoint, per state, channels² (row-major): the normalised squared displacement
  // |Δ·|²/(2 d N) (tracer: summed over the atoms, N atoms; collective: ΔZ_a·ΔZ_b, N sites), for z
  // (through y) and for x (y = 0). Divided by the checkpoint's time it is D(t) of that state.
  std::vector<std::vector<double>> z, x;
  bool converged = false;
  long long jumps = 0;          // all segments
  long long corrector_solves = 0, corrector_iterations = 0;  // χ at the checkpoints, warm-started along each segment
  double kmc_seconds = 0, relaxation_seconds = 0;  // thread-seconds: the jumps, and y at checkpoints
};

// Estimates over blocks of states (see chain_blocks): D(t_k) = MSD/t_k at every checkpoint, and the
// slope S_k of the MSD over [t_(k−1), t_k] (k ≥ 1; S_0 = D(t_0)) with the drop S_(k−1) − S_k, per
// channel² entry. The estimate is the last slope of z.
struct TailEstimates {
  std::vector<std::vector<Estimate>> z_value, x_value;  // checkpoints × channels²
  std::vector<std::vector<Estimate>> z_slope, x_slope;  // checkpoints × channels²
  std::vector<std::vector<Estimate>> z_drop;            // checkpoints × channels² (0 for the first)
};
TailEstimates tail_estimates(const TailResult& tail, const std::vector<int>& blocks);

// theta: the linear model's coefficients (functions × channels) for `basis` plus the corrector of
// options.corrector_shells, as solved by solve_linear. One segment per state; `blocks` as for the
// validation errors (the convergence test uses them); `channel` is the diagonal entry tested.
TailResult trajectory_tail(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                           const std::vector<std::vector<std::uint8_t>>& states, const std::vector<double>& theta,
                           const VariationalOptions& options, const TailOptions& tail, const std::vector<int>& blocks, int channel = 0,
                           const ProgressFn& progress = {});

}  // namespace ionfield::lattice
