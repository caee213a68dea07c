// λ_i(t0) for one origin: two passes over the atoms (J first, then each ion's projection on it).
#include "ionfield/dataset.hpp"

#include <stdexcept>

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

}  // namespace ionfield::dataset
