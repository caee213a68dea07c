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

}  // namespace ionfield::dataset
