// Box geometry: LAMMPS bounding-box conversion, fractional coordinates, minimum image.
#include <algorithm>

#include "check.hpp"
#include "ionfield/box.hpp"

using namespace ionfield;

int main() {
  // A triclinic LAMMPS cell: lo/hi of the bounding box as LAMMPS writes them.
  const double xy = 1.5, xz = -0.5, yz = 0.75;
  const double xlo = 0, xhi = 10, ylo = 0, yhi = 8, zlo = 0, zhi = 6;
  const double lo_b[3] = {xlo + std::min({0.0, xy, xz, xy + xz}), ylo + std::min(0.0, yz), zlo};
  const double hi_b[3] = {xhi + std::max({0.0, xy, xz, xy + xz}), yhi + std::max(0.0, yz), zhi};
  const double tilt[3] = {xy, xz, yz};
  Box b = Box::from_lammps_dump_bounds(lo_b, hi_b, tilt, true);
  CHECK_NEAR(b.h[0][0], 10.0, 1e-12);
  CHECK_NEAR(b.h[1][0], xy, 1e-12);
  CHECK_NEAR(b.h[1][1], 8.0, 1e-12);
  CHECK_NEAR(b.h[2][0], xz, 1e-12);
  CHECK_NEAR(b.h[2][1], yz, 1e-12);
  CHECK_NEAR(b.h[2][2], 6.0, 1e-12);
  CHECK_NEAR(b.volume(), 480.0, 1e-9);
  CHECK(!b.is_orthorhombic());

  // Fractional round trip.
  const Vec3 r{3.3, -1.2, 7.9};
  const Vec3 back = b.to_cartesian(b.to_fractional(r));
  for (int k = 0; k < 3; ++k) CHECK_NEAR(back[k], r[k], 1e-12);

  // Minimum image of a lattice vector plus a small displacement is the small displacement.
  const Vec3 small{0.1, -0.2, 0.3};
  Vec3 d{};
  for (int k = 0; k < 3; ++k) d[k] = small[k] + 2 * b.h[0][k] - b.h[1][k] + 3 * b.h[2][k];
  const Vec3 m = b.minimum_image(d);
  for (int k = 0; k < 3; ++k) CHECK_NEAR(m[k], small[k], 1e-10);

  // Lengths and angles reproduce a cell built from them.
  Box c = Box::from_lengths_angles(5, 6, 7, 80, 95, 105);
  const Vec3 l = c.lengths(), a = c.angles_degrees();
  CHECK_NEAR(l[0], 5, 1e-12);
  CHECK_NEAR(l[1], 6, 1e-12);
  CHECK_NEAR(l[2], 7, 1e-12);
  CHECK_NEAR(a[0], 80, 1e-9);
  CHECK_NEAR(a[1], 95, 1e-9);
  CHECK_NEAR(a[2], 105, 1e-9);
  Box o = Box::from_lengths_angles(5, 6, 7, 90, 90, 90);
  CHECK(o.is_orthorhombic());
  return check::summary("test_box");
}
