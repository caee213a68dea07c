#pragma once
// Local molar conductivity targets of the training set (SCIENCE.md, "The local decomposition"):
//   λ_i(t0) = K N z_i Δr_i(t0,τ)·J(t0,τ) / τ,   J = Σ_j z_j Δr_j,
// so that the mean over ions equals K |J|²/τ, the Einstein–Helfand estimate of Λ from that origin.
#include <cstddef>

namespace ionfield::dataset {

struct OriginResult {
  double j2 = 0;           // |J(t0,τ)|²
  double lambda_sum = 0;   // Σ_i λ_i (compensated sum), = N K |J|²/τ up to round-off
};

/**
 * λ_i for one origin. r0 and r1: unwrapped positions (natoms × 3) at t0 and t0 + τ; charges per
 * atom; K the prefactor (1/(6 T n_f) in LJ units); lambda: natoms values out.
 */
OriginResult local_conductivity(const double* r0, const double* r1, const double* charges, std::size_t natoms, double K,
                                double tau, double* lambda);

/**
 * The two-lag target (issue 13): the difference of the lag-τb and lag-τa decompositions,
 *   λ_i(t0) = K N z_i [Δr_i(τb)·J(τb) − Δr_i(τa)·J(τa)] / (τb − τa),   0 < τa < τb,
 * whose mean over ions is K (|J(τb)|² − |J(τa)|²)/(τb − τa): a two-point Einstein–Helfand slope
 * without the intercept that the ballistic-to-diffusive crossover leaves in |J(τ)|²/τ. The sum
 * rule stays exact per origin. ra, rb: positions at t0 + τa and t0 + τb. In the result, j2 is the
 * difference |J(τb)|² − |J(τa)|² (what the mean of λ equals K j2 / (τb − τa) for).
 */
OriginResult local_conductivity_difference(const double* r0, const double* ra, const double* rb, const double* charges,
                                           std::size_t natoms, double K, double tau_a, double tau_b, double* lambda);

}  // namespace ionfield::dataset
