#include "ionfield/unwrap.hpp"

#include <algorithm>
#include <array>
#include <vector>
#include <cmath>

namespace ionfield {
namespace {
// Minimum-image unwrapping flags folded moves above this share of the suspicious fraction (0.4
// of a cell for the default 0.5).
constexpr double kAmbiguousShare = 0.8;

// Wrapped coordinates fit in one cell, give or take atoms LAMMPS has not yet re-wrapped (up to
// half the neighbour skin outside) and a cell origin the format may not store: a spread of more
// than 1.5 cells along a periodic axis means the coordinates are continuous.
constexpr double kContinuousSpan = 1.5;
// A declared-continuous file is suspected of being wrapped when an atom moves this many typical
// moves (robust standard deviations of the frame interval's moves): 8 is never reached by a
// Gaussian displacement (p < 1e-15), while a wrapped crossing moves a whole cell.
constexpr double kWrappedJumpScale = 8.0;

bool spans_too_much(const Frame& f, const Mat3& inv) {
  if (!f.has_box || f.natoms == 0) return false;
  Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
  for (std::size_t i = 0; i < f.natoms; ++i)
    for (int k = 0; k < 3; ++k) {
      const double s = f.positions[3 * i] * inv[0][k] + f.positions[3 * i + 1] * inv[1][k] + f.positions[3 * i + 2] * inv[2][k];
      lo[k] = std::min(lo[k], s);
      hi[k] = std::max(hi[k], s);
    }
  for (int k = 0; k < 3; ++k)
    if (f.box.periodic[k] && hi[k] - lo[k] > kContinuousSpan) return true;
  return false;
}
}  // namespace

const char* unwrap_method_name(UnwrapMethod m) {
  switch (m) {
    case UnwrapMethod::ImageFlags: return "image-flags";
    case UnwrapMethod::AlreadyUnwrapped: return "already-unwrapped";
    case UnwrapMethod::MinimumImage: return "minimum-image";
    default: return "none";
  }
}

Unwrapper::Unwrapper(double suspicious_fraction) : suspicious_fraction_(suspicious_fraction) {}

void Unwrapper::apply(Frame& f) {
  const std::size_t n = f.natoms;
  const bool have_images = !f.images.empty() && f.has_box;
  const bool file_unwrapped = f.coordinates == CoordinateKind::Unwrapped;
  if (frames_seen_ == 0) declared_unwrapped_ = file_unwrapped;
  if (frames_seen_ == 0)
    method_ = have_images ? UnwrapMethod::ImageFlags
              : file_unwrapped || !f.has_box ? UnwrapMethod::AlreadyUnwrapped
                                             : UnwrapMethod::MinimumImage;

  // Displacement from the previous frame, in fractional units of this frame's cell: used both to
  // unwrap (minimum image) and to flag moves too large to be resolved unambiguously.
  const Mat3 inv = f.has_box ? f.box.inverse() : Mat3{};
  const Vec3 heights = f.has_box ? f.box.heights() : Vec3{};
  std::size_t suspicious = 0;
  // A file that does not say whether it is wrapped (XYZ, DCD, XTC) is unwrapped by minimum image
  // until a frame shows it cannot be wrapped: its atoms span more than kContinuousSpan cells along
  // a periodic axis. From then on its coordinates are taken as they are (already continuous).
  // Minimum image changes nothing on continuous coordinates while moves stay below half a cell,
  // so the frames before the switch are right unless a fold happened; that is flagged.
  if (method_ == UnwrapMethod::MinimumImage && f.coordinates == CoordinateKind::Unknown && spans_too_much(f, inv)) {
    method_ = UnwrapMethod::AlreadyUnwrapped;
    // A fold shifted an atom by a whole cell vector; rounding in the accumulation is far smaller.
    const double fold = 0.25 * std::min({heights[0], heights[1], heights[2]});
    for (std::size_t i = 0; i < previous_unwrapped_.size(); i += 3) {
      bool folded = false;
      for (int k = 0; k < 3; ++k) folded |= std::fabs(previous_unwrapped_[i + k] - previous_wrapped_[i + k]) > fold;
      suspicious += folded;
    }
  }
  if (method_ == UnwrapMethod::ImageFlags) {
    for (std::size_t i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k)
        f.positions[3 * i + k] += f.images[3 * i] * f.box.h[0][k] + f.images[3 * i + 1] * f.box.h[1][k] +
                                  f.images[3 * i + 2] * f.box.h[2][k];
  }
  if (method_ == UnwrapMethod::MinimumImage) {
    if (frames_seen_ == 0) {
      previous_wrapped_ = f.positions;
      previous_unwrapped_ = f.positions;
    } else {
      for (std::size_t i = 0; i < n && !f.has_box; ++i)  // a frame without a cell: nothing to fold
        for (int k = 0; k < 3; ++k) {
          previous_unwrapped_[3 * i + k] += f.positions[3 * i + k] - previous_wrapped_[3 * i + k];
          previous_wrapped_[3 * i + k] = f.positions[3 * i + k];
          f.positions[3 * i + k] = previous_unwrapped_[3 * i + k];
        }
      for (std::size_t i = 0; i < n && f.has_box; ++i) {
        Vec3 s{};
        for (int k = 0; k < 3; ++k) {
          const double d0 = f.positions[3 * i] - previous_wrapped_[3 * i];
          const double d1 = f.positions[3 * i + 1] - previous_wrapped_[3 * i + 1];
          const double d2 = f.positions[3 * i + 2] - previous_wrapped_[3 * i + 2];
          s[k] = d0 * inv[0][k] + d1 * inv[1][k] + d2 * inv[2][k];
        }
        bool flagged = false;
        for (int k = 0; k < 3; ++k) {
          if (f.box.periodic[k]) s[k] -= std::nearbyint(s[k]);
          // Folded moves never exceed half a cell, so a true move of 0.6 cell reads as 0.4 the
          // other way. Moves near the limit mean the sampling is too coarse to be sure.
          if (f.box.periodic[k] && std::fabs(s[k]) > kAmbiguousShare * suspicious_fraction_) flagged = true;
        }
        suspicious += flagged;
        for (int k = 0; k < 3; ++k) {
          const double d = s[0] * f.box.h[0][k] + s[1] * f.box.h[1][k] + s[2] * f.box.h[2][k];
          previous_wrapped_[3 * i + k] = f.positions[3 * i + k];
          previous_unwrapped_[3 * i + k] += d;
          f.positions[3 * i + k] = previous_unwrapped_[3 * i + k];
        }
      }
    }
  } else if (f.has_box && method_ == UnwrapMethod::AlreadyUnwrapped && declared_unwrapped_) {
    // Coordinates the file calls continuous: an atom that jumps by more than half a cell while
    // the others barely move was wrapped after all. Compared like with like — against the typical
    // move in the same frame interval (a robust scale: 1.4826 × the median |move|) — so a large
    // stride, which makes every move large, never looks wrapped. (Image flags: exact, no check.)
    if (frames_seen_ > 0 && n > 0 && previous_unwrapped_.size() == 3 * n) {
      std::array<double, 3> typical{};
      std::vector<double> moves(n);
      for (int k = 0; k < 3; ++k) {
        for (std::size_t i = 0; i < n; ++i) moves[i] = std::fabs(f.positions[3 * i + k] - previous_unwrapped_[3 * i + k]);
        const std::size_t mid = (n - 1) / 2;  // the lower median: with two atoms, the smaller move
        std::nth_element(moves.begin(), moves.begin() + mid, moves.end());
        typical[k] = 1.4826 * moves[mid];
      }
      for (std::size_t i = 0; i < n; ++i) {
        bool flagged = false;
        for (int k = 0; k < 3; ++k) {
          const double d = std::fabs(f.positions[3 * i + k] - previous_unwrapped_[3 * i + k]);
          if (d > suspicious_fraction_ * heights[k] && d > kWrappedJumpScale * typical[k]) flagged = true;
        }
        suspicious += flagged;
      }
    }
    previous_unwrapped_ = f.positions;
  }
  if (suspicious && first_suspicious_frame_ < 0) first_suspicious_frame_ = frames_seen_;
  suspicious_moves_ += suspicious;
  f.images.clear();
  f.coordinates = CoordinateKind::Unwrapped;
  ++frames_seen_;
}

}  // namespace ionfield
