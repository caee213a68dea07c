// λ_i(t0) for one origin: two passes over the atoms (J first, then each ion's projection on it).
#include "ionfield/dataset.hpp"

#include <stdexcept>
#include <vector>

namespace ionfield::dataset {

namespace {
// Neumaier summation: the sum rule is checked to round-off, so the sums must not lose digits.
struct Kahan {
  double sum = 0, carry = 0;
  void add(double x) {
    const double t = sum + x;
    carry += (sum >= x || sum <= -x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  double value() const { return sum + carry; }
};
}  // namespace

OriginResult local_conductivity(const double* r0, const double* r1, const double* charges, std::size_t natoms, double K,
                                double tau, double* lambda) {
  if (!(tau > 0)) throw std::invalid_argument("local_conductivity: tau must be positive");
  Kahan jx, jy, jz;
  for (std::size_t i = 0; i < natoms; ++i) {
    const double z = charges[i];
    jx.add(z * (r1[3 * i] - r0[3 * i]));
    jy.add(z * (r1[3 * i + 1] - r0[3 * i + 1]));
    jz.add(z * (r1[3 * i + 2] - r0[3 * i + 2]));
  }
  const double J[3] = {jx.value(), jy.value(), jz.value()};
  const double scale = K * static_cast<double>(natoms) / tau;
  Kahan total;
  for (std::size_t i = 0; i < natoms; ++i) {
    const double z = charges[i];
    const double dot = (r1[3 * i] - r0[3 * i]) * J[0] + (r1[3 * i + 1] - r0[3 * i + 1]) * J[1] + (r1[3 * i + 2] - r0[3 * i + 2]) * J[2];
    lambda[i] = scale * z * dot;
    total.add(lambda[i]);
  }
  OriginResult r;
  r.j2 = J[0] * J[0] + J[1] * J[1] + J[2] * J[2];
  r.lambda_sum = total.value();
  return r;
}

OriginResult local_conductivity_difference(const double* r0, const double* ra, const double* rb, const double* charges,
                                           std::size_t natoms, double K, double tau_a, double tau_b, double* lambda) {
  if (!(tau_a > 0) || !(tau_b > tau_a)) throw std::invalid_argument("local_conductivity_difference: need 0 < tau_a < tau_b");
  std::vector<double> short_lag(natoms);
  const OriginResult a = local_conductivity(r0, ra, charges, natoms, K, tau_a, short_lag.data());
  const OriginResult b = local_conductivity(r0, rb, charges, natoms, K, tau_b, lambda);
  // τ λ(τ) = K N z_i Δr_i·J: undo each lag's 1/τ, subtract, divide by the lag difference.
  const double wb = tau_b / (tau_b - tau_a), wa = tau_a / (tau_b - tau_a);
  Kahan total;
  for (std::size_t i = 0; i < natoms; ++i) {
    lambda[i] = wb * lambda[i] - wa * short_lag[i];
    total.add(lambda[i]);
  }
  OriginResult r;
  r.j2 = b.j2 - a.j2;
  r.lambda_sum = total.value();
  return r;
}

}  // namespace ionfield::dataset
