#include "ionfield/box.hpp"

#include <algorithm>
#include <cmath>

namespace ionfield {
namespace {
constexpr double kPi = 3.14159265358979323846;
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
}  // namespace

Box Box::orthorhombic(double lx, double ly, double lz) {
  Box b;
  b.h = {{{lx, 0, 0}, {0, ly, 0}, {0, 0, lz}}};
  return b;
}

Box Box::from_lammps_dump_bounds(const double lo_bound[3], const double hi_bound[3], const double tilt[3],
                                 bool triclinic) {
  // LAMMPS writes the bounding box of a tilted cell; undo that to recover lo/hi (LAMMPS Howto triclinic).
  double xy = triclinic ? tilt[0] : 0, xz = triclinic ? tilt[1] : 0, yz = triclinic ? tilt[2] : 0;
  double xlo = lo_bound[0] - std::min({0.0, xy, xz, xy + xz});
  double xhi = hi_bound[0] - std::max({0.0, xy, xz, xy + xz});
  double ylo = lo_bound[1] - std::min(0.0, yz);
  double yhi = hi_bound[1] - std::max(0.0, yz);
  Box b;
  b.h = {{{xhi - xlo, 0, 0}, {xy, yhi - ylo, 0}, {xz, yz, hi_bound[2] - lo_bound[2]}}};
  b.origin = {xlo, ylo, lo_bound[2]};
  return b;
}

Box Box::from_lengths_angles(double a, double b, double c, double alpha, double beta, double gamma) {
  const double ca = std::cos(alpha * kPi / 180), cb = std::cos(beta * kPi / 180);
  const double cg = std::cos(gamma * kPi / 180), sg = std::sin(gamma * kPi / 180);
  Box box;
  // Snap right angles exactly so orthorhombic cells stay exactly orthorhombic.
  auto snap = [](double v) { return std::fabs(v) < 1e-12 ? 0.0 : v; };
  const double bx = snap(b * cg), by = b * (std::fabs(cg) < 1e-12 ? 1.0 : sg);
  const double cx = snap(c * cb);
  const double cy = snap(c * (ca - cb * cg) / (std::fabs(cg) < 1e-12 ? 1.0 : sg));
  const double cz = std::sqrt(std::max(0.0, c * c - cx * cx - cy * cy));
  box.h = {{{a, 0, 0}, {bx, by, 0}, {cx, cy, cz}}};
  return box;
}

bool Box::is_orthorhombic(double tol) const {
  const double scale = std::max({std::fabs(h[0][0]), std::fabs(h[1][1]), std::fabs(h[2][2]), 1e-300});
  return std::fabs(h[0][1]) <= tol * scale && std::fabs(h[0][2]) <= tol * scale && std::fabs(h[1][0]) <= tol * scale &&
         std::fabs(h[1][2]) <= tol * scale && std::fabs(h[2][0]) <= tol * scale && std::fabs(h[2][1]) <= tol * scale;
}

double Box::volume() const { return std::fabs(dot(h[0], cross(h[1], h[2]))); }

Vec3 Box::lengths() const { return {norm(h[0]), norm(h[1]), norm(h[2])}; }

Vec3 Box::angles_degrees() const {
  auto angle = [](const Vec3& u, const Vec3& v) {
    return std::acos(std::clamp(dot(u, v) / (norm(u) * norm(v)), -1.0, 1.0)) * 180 / kPi;
  };
  return {angle(h[1], h[2]), angle(h[0], h[2]), angle(h[0], h[1])};
}

Vec3 Box::heights() const {
  const double v = volume();
  return {v / norm(cross(h[1], h[2])), v / norm(cross(h[2], h[0])), v / norm(cross(h[0], h[1]))};
}

Mat3 Box::inverse() const {
  const Mat3& m = h;
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const double id = 1.0 / det;
  Mat3 inv;
  inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) * id;
  inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) * id;
  inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) * id;
  inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) * id;
  inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) * id;
  inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) * id;
  inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) * id;
  inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) * id;
  inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) * id;
  return inv;
}

Vec3 Box::to_fractional(const Vec3& r) const {
  const Mat3 inv = inverse();
  const Vec3 d{r[0] - origin[0], r[1] - origin[1], r[2] - origin[2]};
  Vec3 s{};
  for (int k = 0; k < 3; ++k) s[k] = d[0] * inv[0][k] + d[1] * inv[1][k] + d[2] * inv[2][k];
  return s;
}

Vec3 Box::to_cartesian(const Vec3& s) const {
  Vec3 r = origin;
  for (int k = 0; k < 3; ++k) r[k] += s[0] * h[0][k] + s[1] * h[1][k] + s[2] * h[2][k];
  return r;
}

Vec3 Box::minimum_image(const Vec3& d) const {
  const Mat3 inv = inverse();
  Vec3 s{};
  for (int k = 0; k < 3; ++k) s[k] = d[0] * inv[0][k] + d[1] * inv[1][k] + d[2] * inv[2][k];
  for (int k = 0; k < 3; ++k)
    if (periodic[k]) s[k] -= std::nearbyint(s[k]);
  Vec3 r{};
  for (int k = 0; k < 3; ++k) r[k] = s[0] * h[0][k] + s[1] * h[1][k] + s[2] * h[2][k];
  return r;
}

}  // namespace ionfield
