#include "traj/frame_check.hpp"

#include <cmath>
#include <sstream>

#include "ionfield/error.hpp"

namespace ionfield {
namespace {

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

double signed_volume(const Box& b) {
  const Mat3& m = b.h;
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

}  // namespace

void FrameCheck::operator()(const Frame& f, const std::string& path, long long index) {
  auto fail = [&](const std::string& what) { throw ParseError(path, index, -1, -1, what); };
  static const char* axis = "xyz";
  for (std::size_t i = 0; i < f.natoms; ++i)
    for (int k = 0; k < 3; ++k)
      if (!std::isfinite(f.positions[3 * i + k]))
        fail("atom " + std::to_string(i + 1) + (f.ids.empty() ? "" : " (id " + std::to_string(f.ids[i]) + ")") +
             " has the coordinate " + axis[k] + " = " + number(f.positions[3 * i + k]) + "; expected a finite number");
  if (std::isnan(f.time) || std::isinf(f.time)) fail("the frame's time is " + number(f.time) + "; expected a finite number");

  if (f.has_box) {
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 3; ++k)
        if (!std::isfinite(f.box.h[i][k]) || !std::isfinite(f.box.origin[k]))
          fail(std::string("the cell holds a non-finite number (") + (std::isfinite(f.box.h[i][k]) ? "origin" : "cell vector") +
               " component " + number(std::isfinite(f.box.h[i][k]) ? f.box.origin[k] : f.box.h[i][k]) +
               "); expected finite cell vectors");
    const Vec3 lengths = f.box.lengths();
    for (int k = 0; k < 3; ++k)
      if (lengths[k] > kMaxBoxLength)
        fail(std::string("cell vector ") + "abc"[k] + " is " + number(lengths[k]) + " long; ionfield accepts at most " +
             number(kMaxBoxLength) + " (in the file's length unit) — a corrupt cell?");
    const double volume = signed_volume(f.box);
    const double scale = lengths[0] * lengths[1] * lengths[2];
    if (!(std::fabs(volume) > 1e-9 * scale) || !(scale > 0))
      fail("the cell has no volume (lengths " + number(lengths[0]) + ", " + number(lengths[1]) + ", " + number(lengths[2]) +
           "; volume " + number(volume) + "): its vectors are zero or lie in a plane");
    if (volume < 0)
      fail("the cell vectors are left-handed (a·(b×c) = " + number(volume) +
           " < 0; a negative cell length?); expected a right-handed cell as MD codes write it");
    if (!policy_.allow_skewed_cells) {
      const Vec3 angles = f.box.angles_degrees();
      for (int k = 0; k < 3; ++k)
        if (angles[k] < kMinCellAngle || angles[k] > 180 - kMinCellAngle)
          fail(std::string("cell angle ") + (k == 0 ? "alpha" : k == 1 ? "beta" : "gamma") + " is " + number(angles[k]) +
               " degrees; MD cells keep every angle within " + number(kMinCellAngle) + "–" + number(180 - kMinCellAngle) +
               " (pass --allow skewed-cells if this cell is real)");
    }
    // A shrink-wrapped (non-periodic) cell follows the atoms, so only periodic cells must hold still.
    const bool periodic = f.box.periodic[0] && f.box.periodic[1] && f.box.periodic[2];
    if (seen_ && had_box_ && periodic && !policy_.allow_box_jumps) {
      const double ratio = std::fabs(volume) / last_volume_;
      if (ratio > kMaxBoxJump || ratio < 1 / kMaxBoxJump)
        fail("the cell volume jumps from " + number(last_volume_) + " (frame " + std::to_string(last_index_) + ") to " +
             number(std::fabs(volume)) + ", a factor of " + number(ratio) + "; ionfield accepts at most " +
             number(kMaxBoxJump) + " between read frames (pass --allow box-jumps if the cell really changes so fast)");
    }
    last_volume_ = std::fabs(volume);
  }
  if (seen_ && f.has_box != had_box_)
    fail(f.has_box ? "the frame has a cell, but frame " + std::to_string(last_index_) + " had none"
                   : "the frame has no cell (all zeros), but frame " + std::to_string(last_index_) + " had one");
  seen_ = true;
  had_box_ = f.has_box;
  last_index_ = index;
}

}  // namespace ionfield
