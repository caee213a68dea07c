#pragma once
// A periodic simulation cell. Cell vectors are the rows of h (a = h[0], b = h[1], c = h[2]),
// in the length unit of the trajectory. LAMMPS' restricted triclinic cells are lower triangular:
// a = (lx,0,0), b = (xy,ly,0), c = (xz,yz,lz).
#include <array>

namespace ionfield {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;

struct Box {
  Mat3 h{};                                 // cell vectors as rows
  Vec3 origin{};                            // lower corner (LAMMPS xlo, ylo, zlo); 0 elsewhere
  std::array<bool, 3> periodic{true, true, true};

  static Box orthorhombic(double lx, double ly, double lz);
  // From LAMMPS bounds as written in a dump (the "bounding box" form for triclinic cells).
  static Box from_lammps_dump_bounds(const double lo_bound[3], const double hi_bound[3], const double tilt[3],
                                     bool triclinic);
  // From lengths (a,b,c) and angles (alpha,beta,gamma) in degrees, a along x, b in the xy plane.
  static Box from_lengths_angles(double a, double b, double c, double alpha, double beta, double gamma);

  bool is_orthorhombic(double tol = 1e-12) const;
  double volume() const;
  Vec3 lengths() const;                      // |a|, |b|, |c|
  Vec3 angles_degrees() const;               // alpha (b,c), beta (a,c), gamma (a,b)
  Vec3 heights() const;                      // perpendicular widths: V / |b x c|, ...
  Mat3 inverse() const;                      // rows-convention inverse: frac = (r - origin) * inv

  Vec3 to_fractional(const Vec3& r) const;   // relative to origin
  Vec3 to_cartesian(const Vec3& s) const;    // origin + s * h
  // Shortest periodic image of a displacement along periodic directions (exact for
  // displacements within half the smallest height; for very skewed cells a nearby image).
  Vec3 minimum_image(const Vec3& d) const;
};

}  // namespace ionfield
