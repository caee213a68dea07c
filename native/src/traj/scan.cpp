#include "ionfield/scan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "ionfield/cancel.hpp"
#include "ionfield/unwrap.hpp"

namespace ionfield {
namespace {

bool same_box(const Box& a, const Box& b) {
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k)
      if (std::fabs(a.h[i][k] - b.h[i][k]) > 1e-9 * (1 + std::fabs(a.h[i][k]))) return false;
  return true;
}

}  // namespace

long long count_frames(TrajectoryReader& reader, const std::function<bool(long long)>& progress) {
  while (reader.skip_next()) {
    const long long n = reader.next_frame_index();
    if ((n & 1023) == 0 && progress && !progress(n)) throw Cancelled();
  }
  return reader.next_frame_index();
}

TrajectorySummary scan_trajectory(FrameSelection& frames, const std::function<bool(long long)>& progress) {
  TrajectorySummary s;
  s.format = frames.reader().format();
  Frame f;
  long long previous_step = -1;
  double previous_time = -1;
  bool steps_regular = true, times_regular = true;
  Unwrapper unwrapper;
  while (frames.read_next(f)) {
    if (s.frames == 0) {
      s.natoms = f.natoms;
      s.has_box = f.has_box;
      s.first_box = f.box;
      s.first_step = f.step;
      s.first_time = f.time;
      s.has_ids = !f.ids.empty();
      s.has_types = !f.types.empty();
      s.has_charges = !f.charges.empty();
      s.has_images = !f.images.empty();
      s.declared = f.coordinates;
      for (const std::string& t : f.types) {
        bool found = false;
        for (auto& entry : s.species)
          if (entry.first == t) {
            ++entry.second;
            found = true;
            break;
          }
        if (!found) s.species.emplace_back(t, 1);
      }
    } else {
      if (f.has_box && !same_box(f.box, s.first_box)) s.box_varies = true;
      if (f.step >= 0 && previous_step >= 0) {
        const long long d = f.step - previous_step;
        if (s.frames == 1) s.step_interval = d;
        else if (d != s.step_interval) steps_regular = false;
      }
      if (f.time >= 0 && previous_time >= 0) {
        const double d = f.time - previous_time;
        if (s.frames == 1) s.time_interval = d;
        // Binary formats store times as float32: allow a few ulps of the times themselves.
        else if (std::fabs(d - s.time_interval) >
                 1e-6 * std::fabs(s.time_interval) + 5e-7 * std::max(std::fabs(f.time), std::fabs(previous_time)) + 1e-12)
          times_regular = false;
      }
    }
    unwrapper.apply(f);
    if (unwrapper.suspicious_moves() > s.suspicious_moves) {
      if (s.first_suspicious_frame < 0) s.first_suspicious_frame = frames.reader().next_frame_index() - 1;
      s.suspicious_moves = unwrapper.suspicious_moves();
    }
    s.last_box = f.box;
    previous_step = f.step;
    previous_time = f.time;
    ++s.frames;
    if (progress && (s.frames % 64 == 0) && !progress(s.frames)) throw Cancelled();
  }
  s.length_unit = frames.reader().length_unit();
  s.time_unit = frames.reader().time_unit();
  s.unit_style = frames.reader().unit_style();
  // XTC fixes its units (GROMACS nm and ps) whatever wrote it.
  if (s.format == "xtc" && s.length_unit.empty()) s.length_unit = "nm";
  if (s.format == "xtc" && s.time_unit.empty()) s.time_unit = "ps";
  if (!steps_regular) s.step_interval = -1;
  if (!times_regular) s.time_interval = -1;
  else if (s.frames > 1 && s.time_interval >= 0 && previous_time >= 0)
    s.time_interval = (previous_time - s.first_time) / static_cast<double>(s.frames - 1);  // mean: less rounding
  switch (s.declared) {
    case CoordinateKind::Wrapped: s.wrapped = true; break;
    case CoordinateKind::Unwrapped: s.wrapped = false; break;
    // Files that do not say: wrapped unless some frame spreads over more than 1.5 cells, which
    // is what the Unwrapper decides too (it then keeps the coordinates as they are).
    default: s.wrapped = s.has_box && s.frames > 0 && unwrapper.method() == UnwrapMethod::MinimumImage;
  }
  s.unwrap_method = unwrap_method_name(unwrapper.method());
  if (progress) progress(s.frames);
  return s;
}

}  // namespace ionfield
