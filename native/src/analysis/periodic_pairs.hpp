#pragma once
// Visits every pair (i < j) of atoms closer than r_cut, through the periodic images of the cell.
// Brute force over pairs, O(N^2) per frame: the analyses run on ion sets of at most a few thousand
// ions, where this is milliseconds; a cell list would pay off only beyond that.
#include <cmath>
#include <cstddef>
#include <string>

#include "ionfield/box.hpp"
#include "ionfield/error.hpp"

namespace ionfield::analysis_detail {

// Throws unless r_cut <= half the smallest perpendicular width of the cell: then each pair has at
// most one image closer than r_cut, which the 27 neighbouring images of the wrapped fractional
// difference are sure to contain, for any (also very skewed) triclinic cell.
inline void require_cutoff_fits(const Box& box, double r_cut, const char* what) {
  if (!(r_cut > 0)) throw UsageError(std::string(what) + " must be positive");
  const Vec3 h = box.heights();
  const double hmin = std::fmin(h[0], std::fmin(h[1], h[2]));
  if (!(r_cut <= 0.5 * hmin + 1e-12 * hmin))
    throw UsageError(std::string(what) + " = " + std::to_string(r_cut) + " exceeds half the smallest cell width (" +
                     std::to_string(0.5 * hmin) + "); choose a smaller range");
}

template <typename Visit>
void for_each_close_pair(const double* xyz, std::size_t natoms, const Box& box, double r_cut, const bool* include,
                         Visit&& visit) {
  const Mat3 inv = box.inverse();
  const Mat3& hm = box.h;
  const double rc2 = r_cut * r_cut;
  const bool orthorhombic = box.is_orthorhombic();
  for (std::size_t i = 0; i < natoms; ++i) {
    if (include && !include[i]) continue;
    for (std::size_t j = i + 1; j < natoms; ++j) {
      if (include && !include[j]) continue;
      Vec3 d{xyz[3 * j] - xyz[3 * i], xyz[3 * j + 1] - xyz[3 * i + 1], xyz[3 * j + 2] - xyz[3 * i + 2]};
      Vec3 s{};
      for (int k = 0; k < 3; ++k) {
        s[k] = d[0] * inv[0][k] + d[1] * inv[1][k] + d[2] * inv[2][k];
        if (box.periodic[k]) s[k] -= std::nearbyint(s[k]);
      }
      // The wrapped image first: within r_cut it is the only image there is (see above); in an
      // orthorhombic cell it is the nearest image anyway. Only a skewed cell with the wrapped image
      // beyond r_cut needs the 26 neighbouring images.
      auto image_r2 = [&](int a, int b, int c) {
        const double f0 = s[0] + a, f1 = s[1] + b, f2 = s[2] + c;
        double r2 = 0;
        for (int k = 0; k < 3; ++k) {
          const double x = f0 * hm[0][k] + f1 * hm[1][k] + f2 * hm[2][k];
          r2 += x * x;
        }
        return r2;
      };
      double best = image_r2(0, 0, 0);
      bool found = best < rc2;
      if (!found && !orthorhombic) {
        best = rc2;
        for (int a = -1; a <= 1; ++a) {
          if (a && !box.periodic[0]) continue;
          for (int b = -1; b <= 1; ++b) {
            if (b && !box.periodic[1]) continue;
            for (int c = -1; c <= 1; ++c) {
              if ((c && !box.periodic[2]) || (a == 0 && b == 0 && c == 0)) continue;
              const double r2 = image_r2(a, b, c);
              if (r2 < best) {
                best = r2;
                found = true;
              }
            }
          }
        }
      }
      if (found) visit(i, j, std::sqrt(best));
    }
  }
}

}  // namespace ionfield::analysis_detail
