// Conversions between ionfield's cell matrix and the DCD unit cell record.
#include <cmath>
#include <stdexcept>
#include <string>

#include "traj/dcd_format.hpp"

namespace ionfield::detail::dcd {
namespace {
constexpr double kPi = 3.14159265358979323846;
// 90 - asin(c) instead of acos(c): exactly 90 degrees for c = 0, as the cosine form intends.
double angle_from_cosine(double c) { return 90.0 - std::asin(c) * 180.0 / kPi; }
}  // namespace

Box box_from_unit_cell(const double cell[6]) {
  const double a = cell[0], b = cell[2], c = cell[5];
  double gamma = cell[1], beta = cell[3], alpha = cell[4];
  auto values = [&] {
    return "(A B C = " + std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(c) + ", angle words " +
           std::to_string(alpha) + " " + std::to_string(beta) + " " + std::to_string(gamma) + ")";
  };
  for (double v : {a, b, c, alpha, beta, gamma})
    if (!std::isfinite(v)) throw std::domain_error("the unit cell record holds a non-finite number " + values());
  if (!(a > 0 && b > 0 && c > 0)) throw std::domain_error("the unit cell lengths must be positive " + values());
  const bool cosines = std::fabs(alpha) <= 1 && std::fabs(beta) <= 1 && std::fabs(gamma) <= 1;
  if (cosines) {
    alpha = angle_from_cosine(alpha);
    beta = angle_from_cosine(beta);
    gamma = angle_from_cosine(gamma);
  } else {
    for (double v : {alpha, beta, gamma})
      if (!(v > 0 && v < 180))
        throw std::domain_error("the unit cell angles are neither cosines (all within [-1, 1]) nor degrees in (0, 180) " +
                                values());
  }
  // The three angles close into a cell only if the Gram matrix is positive definite.
  const double ca = std::cos(alpha * kPi / 180), cb = std::cos(beta * kPi / 180), cg = std::cos(gamma * kPi / 180);
  if (!(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg > 1e-12))
    throw std::domain_error("the unit cell angles do not form a cell (no volume) " + values());
  return Box::from_lengths_angles(a, b, c, alpha, beta, gamma);
}

std::array<double, 6> unit_cell_from_box(const Box& box) {
  const Vec3 l = box.lengths();
  auto cosine = [](const Vec3& u, const Vec3& v, double lu, double lv) {
    return lu > 0 && lv > 0 ? (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (lu * lv) : 0.0;
  };
  const double cos_alpha = cosine(box.h[1], box.h[2], l[1], l[2]);
  const double cos_beta = cosine(box.h[0], box.h[2], l[0], l[2]);
  const double cos_gamma = cosine(box.h[0], box.h[1], l[0], l[1]);
  return {l[0], cos_gamma, l[1], cos_beta, cos_alpha, l[2]};
}

}  // namespace ionfield::detail::dcd
