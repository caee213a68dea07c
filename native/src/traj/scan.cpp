#include "ionfield/scan.hpp"

#include <cmath>
#include <stdexcept>

#include "ionfield/unwrap.hpp"

namespace ionfield {
namespace {

bool same_box(const Box& a, const Box& b) {
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k)
      if (std::fabs(a.h[i][k] - b.h[i][k]) > 1e-9 * (1 + std::fabs(a.h[i][k]))) return false;
  return true;
}

// True if every atom lies in the cell, allowing for the rounding of the file's precision.
bool all_inside(const Frame& f) {
  const Mat3 inv = f.box.inverse();
  const double tol = 1e-4;
  for (std::size_t i = 0; i < f.natoms; ++i) {
    const double d[3] = {f.positions[3 * i] - f.box.origin[0], f.positions[3 * i + 1] - f.box.origin[1],
                         f.positions[3 * i + 2] - f.box.origin[2]};
    for (int k = 0; k < 3; ++k) {
      if (!f.box.periodic[k]) continue;
      const double s = d[0] * inv[0][k] + d[1] * inv[1][k] + d[2] * inv[2][k];
      if (s < -tol || s > 1 + tol) return false;
    }
  }
  return true;
}

}  // namespace

TrajectorySummary scan_trajectory(FrameSelection& frames, const std::function<bool(long long)>& progress) {
  TrajectorySummary s;
  s.format = frames.reader().format();
  Frame f;
  bool every_frame_inside = true;
  long long previous_step = -1;
  double previous_time = -1;
  bool steps_regular = true, times_regular = true;
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
        else if (std::fabs(d - s.time_interval) > 1e-6 * std::fabs(s.time_interval) + 1e-12) times_regular = false;
      }
    }
    if (f.has_box && s.declared == CoordinateKind::Unknown && every_frame_inside) every_frame_inside = all_inside(f);
    s.last_box = f.box;
    previous_step = f.step;
    previous_time = f.time;
    ++s.frames;
    if (progress && (s.frames % 64 == 0) && !progress(s.frames)) throw std::runtime_error("cancelled");
  }
  if (!steps_regular) s.step_interval = -1;
  if (!times_regular) s.time_interval = -1;
  switch (s.declared) {
    case CoordinateKind::Wrapped: s.wrapped = true; break;
    case CoordinateKind::Unwrapped: s.wrapped = false; break;
    default: s.wrapped = s.has_box && s.frames > 0 && every_frame_inside;
  }
  if (s.has_images) s.unwrap_method = unwrap_method_name(UnwrapMethod::ImageFlags);
  else if (!s.wrapped || !s.has_box) s.unwrap_method = unwrap_method_name(UnwrapMethod::AlreadyUnwrapped);
  else s.unwrap_method = unwrap_method_name(UnwrapMethod::MinimumImage);
  if (progress) progress(s.frames);
  return s;
}

}  // namespace ionfield
