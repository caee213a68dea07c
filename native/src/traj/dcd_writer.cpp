// DCD writer in the CHARMM layout (little-endian, 4-byte record markers, CHARMM version 24, unit
// cell record with angle cosines), which CHARMM, NAMD, VMD and MDAnalysis read. Positions are
// written as they are (float32), so they must already be in the length unit the reader expects
// (Angstrom for CHARMM/NAMD/VMD/MDAnalysis); the box origin is not stored (DCD has none).
// Header fields are patched at close(): NSET (frames), ISTART (first step), NSAVC (steps between
// the first two frames), NSTEP (last step) and DELTA = (t1 - t0) / (s1 - s0) converted from ps to
// AKMA units, taking Frame.time as ps (DELTA = 0 when frames carry no time).
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "ionfield/error.hpp"
#include "traj/binary_input.hpp"
#include "traj/dcd_format.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
namespace {

class DcdWriter final : public TrajectoryWriter {
 public:
  explicit DcdWriter(const std::string& path) : file_(path) {}
  std::string format() const override { return "dcd"; }

  void write(const Frame& f) override {
    if (frames_ == 0) {
      if (f.natoms == 0 || f.natoms > static_cast<std::size_t>(INT32_MAX / 4))
        throw UsageError("DCD output needs between 1 and " + std::to_string(INT32_MAX / 4) + " atoms, got " +
                         std::to_string(f.natoms));
      natoms_ = f.natoms;
      write_header();
    } else if (f.natoms != natoms_) {
      throw UsageError("DCD output: frame " + std::to_string(frames_) + " has " + std::to_string(f.natoms) +
                       " atoms, frame 0 had " + std::to_string(natoms_));
    }
    const long long step = f.step >= 0 ? f.step : frames_;
    if (frames_ < 2) {
      steps_[frames_] = step;
      times_[frames_] = f.time;
    }
    last_step_ = step;

    const std::array<double, 6> cell = f.has_box ? dcd::unit_cell_from_box(f.box) : std::array<double, 6>{};
    buffer_.clear();
    put_u32(48);
    for (double v : cell) put_u64(double_to_bits(v));
    put_u32(48);
    const uint32_t bytes = static_cast<uint32_t>(4 * natoms_);
    for (int axis = 0; axis < 3; ++axis) {
      put_u32(bytes);
      for (std::size_t i = 0; i < natoms_; ++i) put_u32(float_to_bits(static_cast<float>(f.positions[3 * i + axis])));
      put_u32(bytes);
    }
    file_.write(buffer_.data(), buffer_.size());
    ++frames_;
  }

  void close() override {
    if (frames_ == 0) throw UsageError("DCD output: no frames were written (a DCD needs the atom count of a frame)");
    const long long nsavc = frames_ >= 2 && steps_[1] > steps_[0] ? steps_[1] - steps_[0] : 1;
    double delta_akma = 0;
    if (frames_ >= 2 && times_[0] >= 0 && times_[1] > times_[0] && steps_[1] > steps_[0])
      delta_akma = (times_[1] - times_[0]) / static_cast<double>(steps_[1] - steps_[0]) / dcd::kAkmaPicoseconds;
    patch_int(dcd::kNset, static_cast<uint32_t>(frames_));
    patch_int(dcd::kIstart, static_cast<uint32_t>(steps_[0]));
    patch_int(dcd::kNsavc, static_cast<uint32_t>(nsavc));
    patch_int(dcd::kNstep, static_cast<uint32_t>(last_step_));
    patch_int(dcd::kDelta, float_to_bits(static_cast<float>(delta_akma)));
    file_.commit();
  }

 private:
  void put_u32(uint32_t v) {  // little-endian
    for (int shift = 0; shift < 32; shift += 8) buffer_.push_back(static_cast<unsigned char>(v >> shift));
  }
  void put_u64(uint64_t v) {
    put_u32(static_cast<uint32_t>(v));
    put_u32(static_cast<uint32_t>(v >> 32));
  }

  void write_header() {
    buffer_.clear();
    put_u32(dcd::kHeaderBytes);
    for (char c : {'C', 'O', 'R', 'D'}) buffer_.push_back(static_cast<unsigned char>(c));
    uint32_t icntrl[20] = {0};
    icntrl[dcd::kHasUnitCell] = 1;
    icntrl[dcd::kCharmmVersion] = 24;
    for (uint32_t v : icntrl) put_u32(v);
    put_u32(dcd::kHeaderBytes);
    const char* lines[2] = {"REMARKS Created by ionfield (CHARMM-style DCD)",
                            "REMARKS lengths as given to the writer (Angstrom expected), DELTA in AKMA"};
    put_u32(4 + 80 * 2);
    put_u32(2);
    for (const char* line : lines) {
      char padded[80];
      std::memset(padded, ' ', sizeof padded);
      std::memcpy(padded, line, std::min<std::size_t>(std::strlen(line), sizeof padded));
      buffer_.insert(buffer_.end(), padded, padded + sizeof padded);
    }
    put_u32(4 + 80 * 2);
    put_u32(4);
    put_u32(static_cast<uint32_t>(natoms_));
    put_u32(4);
    file_.write(buffer_.data(), buffer_.size());
  }

  void patch_int(int index, uint32_t value) {
    const long long end = file_.tell();
    buffer_.clear();
    put_u32(value);
    file_.seek(4 + 4 + 4 * index);  // marker, "CORD", then ICNTRL words
    file_.write(buffer_.data(), 4);
    file_.seek(end);
  }

  AtomicFile file_;
  std::size_t natoms_ = 0;
  long long frames_ = 0;
  long long steps_[2] = {0, 0};
  double times_[2] = {-1, -1};
  long long last_step_ = 0;
  std::vector<unsigned char> buffer_;
};

}  // namespace

std::unique_ptr<TrajectoryWriter> make_dcd_writer(const std::string& path) { return std::make_unique<DcdWriter>(path); }

}  // namespace ionfield::detail
