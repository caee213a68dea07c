#pragma once
// Turns wrapped coordinates into continuous ones, frame after frame.
#include <cstddef>
#include <vector>

#include "ionfield/frame.hpp"

namespace ionfield {

enum class UnwrapMethod { None, ImageFlags, AlreadyUnwrapped, MinimumImage };
const char* unwrap_method_name(UnwrapMethod m);

class Unwrapper {
 public:
  // Fraction of a cell height beyond which a frame-to-frame move is reported as suspicious:
  // minimum-image continuity cannot tell such a move from one in the opposite direction.
  // In files declared unwrapped a move is flagged above this fraction of the cell height (the file
  // may be wrapped after all); with minimum-image unwrapping the folded move can never exceed one
  // half, so moves above 0.8 x this fraction of a cell vector (0.4) are flagged instead. Image
  // flags unwrap any move exactly and are not checked.
  explicit Unwrapper(double suspicious_fraction = 0.5);
  // Rewrites frame.positions as unwrapped coordinates and sets frame.coordinates = Unwrapped.
  // Image flags win when present; otherwise coordinates the file marks unwrapped are kept;
  // otherwise the minimum-image displacement from the previous frame is accumulated — until, in
  // a file that does not say (CoordinateKind::Unknown), a frame spreads over more than 1.5 cells:
  // such coordinates are continuous already and are kept from then on (method() turns to
  // AlreadyUnwrapped).
  void apply(Frame& frame);
  UnwrapMethod method() const { return method_; }
  // Atom-frame moves larger than suspicious_fraction of a cell height seen so far, and the
  // first frame (0-based count of frames passed to apply) where one happened (-1: none).
  std::size_t suspicious_moves() const { return suspicious_moves_; }
  long long first_suspicious_frame() const { return first_suspicious_frame_; }

 private:
  double suspicious_fraction_;
  UnwrapMethod method_ = UnwrapMethod::None;
  bool declared_unwrapped_ = false;  // the file itself says its coordinates are continuous
  std::vector<double> previous_wrapped_;
  std::vector<double> previous_unwrapped_;
  long long frames_seen_ = 0;
  std::size_t suspicious_moves_ = 0;
  long long first_suspicious_frame_ = -1;
};

}  // namespace ionfield
