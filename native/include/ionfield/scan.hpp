#pragma once
// One pass over a trajectory that says what is in it (for `ionfield info`).
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ionfield/trajectory.hpp"

namespace ionfield {

struct TrajectorySummary {
  std::string format;
  long long frames = 0;
  std::size_t natoms = 0;
  std::vector<std::pair<std::string, std::size_t>> species;  // label -> count, first-seen order
  bool has_box = false;
  Box first_box, last_box;
  bool box_varies = false;
  long long first_step = -1;
  long long step_interval = -1;   // -1: unknown or irregular
  double first_time = -1;
  double time_interval = -1;      // in the file's time unit; -1: unknown or irregular
  bool has_ids = false, has_types = false, has_charges = false, has_images = false;
  CoordinateKind declared = CoordinateKind::Unknown;  // what the file says
  bool wrapped = false;           // every atom of every frame inside the cell (or declared wrapped)
  std::string unwrap_method;      // how ionfield will unwrap it
  std::string length_unit, time_unit, unit_style;  // TrajectoryReader's, "" when unknown
  // Frame-to-frame moves the unwrapper found suspiciously large (see Unwrapper), and the file
  // frame (0-based) of the first one (-1: none).
  std::size_t suspicious_moves = 0;
  long long first_suspicious_frame = -1;
};

// Calls progress(frames_read) every few frames; returning false cancels (throws std::runtime_error).
TrajectorySummary scan_trajectory(FrameSelection& frames, const std::function<bool(long long)>& progress = {});

// The number of frames in the file, found the cheapest way its format allows: XTC frames are
// skipped by their headers and byte counts, DCD frames by their fixed size; text formats are read
// (their frames have no length to skip by). Frames are not validated (the runs that read them
// are), so this is for planning work (shard boundaries), not for trusting a file. progress(n) is
// called every 1024 frames; returning false stops the count with an error.
long long count_frames(TrajectoryReader& reader, const std::function<bool(long long)>& progress = {});

}  // namespace ionfield
