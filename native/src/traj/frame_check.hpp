#pragma once
// The one validation gate every frame passes on its way out of a FrameSelection, whatever the
// format: the readers check their own syntax (with line or byte offset), this checks that the
// numbers can be physics — finite coordinates, time and cell; a cell with volume, of bounded size
// and plausible angles; no cell that appears, vanishes or jumps between frames. Internal.
#include <string>

#include "ionfield/frame.hpp"
#include "ionfield/trajectory.hpp"

namespace ionfield {

class FrameCheck {
 public:
  explicit FrameCheck(const ReadPolicy& policy) : policy_(policy) {}
  // Throws ParseError naming the file, the frame's index in the file and the field.
  void operator()(const Frame& frame, const std::string& path, long long index);

 private:
  ReadPolicy policy_;
  bool seen_ = false;
  bool had_box_ = false;
  double last_volume_ = 0;
  long long last_index_ = -1;
};

}  // namespace ionfield
