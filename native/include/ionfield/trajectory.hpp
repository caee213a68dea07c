#pragma once
// Streaming trajectory readers and writers: one frame in memory at a time, whatever the length.
#include <memory>
#include <string>
#include <vector>

#include "ionfield/frame.hpp"

namespace ionfield {

class TrajectoryReader {
 public:
  virtual ~TrajectoryReader() = default;
  // Reads the next frame into `frame`; false at a clean end of file. Throws ParseError on bad data.
  virtual bool read_next(Frame& frame) = 0;
  // Skips the next frame without decoding coordinates where the format allows; false at the end.
  virtual bool skip_next();
  // Format name: "lammps-dump", "xyz", "dcd", "xtc".
  virtual std::string format() const = 0;
  // Units of the numbers the reader returns, as far as the file says (after the first frame):
  // e.g. "A", "nm", "fs", "ps"; "" when the file does not say. unit_style() is the LAMMPS
  // `units` style when a dump names it (ITEM: UNITS), else "".
  virtual std::string length_unit() const { return ""; }
  virtual std::string time_unit() const { return ""; }
  virtual std::string unit_style() const { return ""; }
  // Index (0-based) of the frame that read_next would return next.
  long long next_frame_index() const { return next_frame_; }
  const std::string& path() const { return path_; }

 protected:
  explicit TrajectoryReader(std::string path) : path_(std::move(path)) {}
  std::string path_;
  long long next_frame_ = 0;
};

class TrajectoryWriter {
 public:
  virtual ~TrajectoryWriter() = default;
  virtual void write(const Frame& frame) = 0;
  // Flushes and atomically moves the finished file into place. Without close(), nothing is left
  // at the destination (the temporary file is removed), so a failed run never half-writes.
  virtual void close() = 0;
  virtual std::string format() const = 0;
};

// Known format names, and the one that a path's extension implies ("" if none).
const std::vector<std::string>& known_formats();
std::string format_from_path(const std::string& path);

// What the readers accept beyond the strict default. Each flag lets through input that is possible
// but usually a sign of a broken file (docs/formats.md, "Validation"); callers record what they set.
struct ReadPolicy {
  bool allow_box_jumps = false;     // the cell volume changes by more than kMaxBoxJump between read frames
  bool allow_dcd_nsavc = false;     // DCD header NSAVC <= 0: steps then count frames
  bool allow_skewed_cells = false;  // cell angles outside [kMinCellAngle, 180 - kMinCellAngle] degrees
};
constexpr double kMaxBoxJump = 1.5;        // largest accepted volume ratio between consecutive read frames
constexpr double kMinCellAngle = 30.0;     // degrees; LAMMPS and GROMACS keep cells far less skewed
constexpr double kMaxBoxLength = 1e6;      // in the file's length unit: 100 um in Angstrom, 1 mm in nm

// Opens a reader; format "auto" looks at the extension (after stripping ".gz"), then the content.
std::unique_ptr<TrajectoryReader> open_trajectory(const std::string& path, const std::string& format = "auto",
                                                  const ReadPolicy& policy = {});
std::unique_ptr<TrajectoryWriter> create_trajectory_writer(const std::string& path, const std::string& format = "auto");

// Format-specific writer settings.
struct WriterOptions {
  float xtc_precision = 1000.0f;  // XTC stores round(x * precision): 1000 keeps 0.001 nm
};
std::unique_ptr<TrajectoryWriter> create_trajectory_writer(const std::string& path, const std::string& format,
                                                           const WriterOptions& options);

// Every frame a FrameSelection returns has passed check_frame (traj/frame_check.hpp): finite
// coordinates, time and cell, a cell with volume, and no cell jumps unless the policy allows them.
class FrameCheck;

// Frames start, start+stride, ... < stop (stop < 0: to the end), skipping cheaply in between.
class FrameSelection {
 public:
  FrameSelection(std::unique_ptr<TrajectoryReader> reader, long long start, long long stop, long long stride,
                 const ReadPolicy& policy = {});
  ~FrameSelection();
  bool read_next(Frame& frame);
  TrajectoryReader& reader() { return *reader_; }

 private:
  std::unique_ptr<TrajectoryReader> reader_;
  long long start_, stop_, stride_;
  bool first_ = true;
  std::unique_ptr<FrameCheck> check_;
};

}  // namespace ionfield
