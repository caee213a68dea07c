// CHARMM / NAMD / LAMMPS DCD reader. Either byte order and 4- or 8-byte record markers (detected
// from the first marker, which must frame the 84-byte header). Frames have a fixed size, so the
// frame count comes from the file size (headers written by LAMMPS or NAMD during a run may say 0)
// and skip_next() is a seek. Positions are float32 in the writer's length unit (Angstrom for
// CHARMM/NAMD; the LAMMPS unit style for LAMMPS). DCD has no atom types, ids or origin.
// Time: step = ISTART + i * NSAVC; time = step * DELTA, converted from AKMA units to ps for
// CHARMM/NAMD files; for LAMMPS files (title "Written by LAMMPS") DELTA is LAMMPS' dt, so time
// stays in the LAMMPS time unit of the run.
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "ionfield/error.hpp"
#include "traj/binary_input.hpp"
#include "traj/dcd_format.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
namespace {

class DcdReader final : public TrajectoryReader {
 public:
  DcdReader(const std::string& path, const ReadPolicy& policy) : TrajectoryReader(path), in_(path), policy_(policy) {
    read_header();
  }
  std::string format() const override { return "dcd"; }

  bool read_next(Frame& frame) override {
    if (in_.at_end()) return false;
    const long long start = in_.offset();
    if (frame_bytes_ > in_.remaining())
      fail(start, "file ends " + std::to_string(in_.remaining()) + " bytes into this frame; a frame has " +
                      std::to_string(frame_bytes_) + " bytes (truncated file?)");
    frame.resize(natoms_);
    frame.has_box = false;
    frame.box = Box{};
    if (has_cell_) {
      read_record(cell_bytes_, 48, "the unit cell record (6 doubles)");
      double cell[6];
      for (int k = 0; k < 6; ++k) cell[k] = bits_to_double(load_u64(cell_bytes_.data() + 8 * k, big_endian_));
      if (cell[0] != 0 || cell[2] != 0 || cell[5] != 0) {
        try {
          frame.box = dcd::box_from_unit_cell(cell);
        } catch (const std::domain_error& e) {
          fail(start + marker_bytes_, e.what());
        }
        frame.has_box = true;
      }
    }
    for (int axis = 0; axis < 3; ++axis) {
      static const char* what[3] = {"the X coordinates", "the Y coordinates", "the Z coordinates"};
      read_record(coords_, 4 * natoms_, what[axis]);
      const unsigned char* p = coords_.data();
      for (std::size_t i = 0; i < natoms_; ++i) frame.positions[3 * i + axis] = bits_to_float(load_u32(p + 4 * i, big_endian_));
    }
    if (has_4d_) read_record(coords_, 4 * natoms_, "the fourth-dimension coordinates");
    frame.step = istart_ + next_frame_ * nsavc_;
    frame.time = static_cast<double>(frame.step) * time_per_step_;
    frame.coordinates = CoordinateKind::Unknown;
    ++next_frame_;
    return true;
  }

  bool skip_next() override {
    if (in_.at_end()) return false;
    if (frame_bytes_ > in_.remaining())
      fail(in_.offset(), "file ends " + std::to_string(in_.remaining()) + " bytes into this frame; a frame has " +
                             std::to_string(frame_bytes_) + " bytes (truncated file?)");
    in_.seek(in_.offset() + frame_bytes_, next_frame_, "the next frame");
    ++next_frame_;
    return true;
  }

 private:
  [[noreturn]] void fail(long long at, const std::string& what) const { in_.fail(next_frame_, at, what); }

  uint64_t read_marker(const char* what) {
    unsigned char b[8];
    in_.read(b, marker_bytes_, next_frame_, what);
    return marker_bytes_ == 8 ? load_u64(b, big_endian_) : load_u32(b, big_endian_);
  }

  // One Fortran record of exactly `expected` bytes into `body`.
  void read_record(std::vector<unsigned char>& body, std::size_t expected, const char* what) {
    const long long at = in_.offset();
    const uint64_t head = read_marker("a record marker");
    if (head != expected)
      fail(at, std::string("expected a record of ") + std::to_string(expected) + " bytes holding " + what +
                   ", but its marker says " + std::to_string(head));
    body.resize(expected);
    in_.read(body.data(), expected, next_frame_, what);
    const long long tail_at = in_.offset();
    const uint64_t tail = read_marker("a record's closing marker");
    if (tail != expected)
      fail(tail_at, std::string("the record holding ") + what + " should end with the marker " + std::to_string(expected) +
                        ", got " + std::to_string(tail));
  }

  void read_header() {
    // The header record is 84 bytes starting with "CORD": its marker (4 or 8 bytes, either byte
    // order) is followed directly by "CORD", which tells the marker width apart.
    unsigned char first[12] = {0};
    if (in_.size() < 12) in_.fail(-1, 0, "file too short for a DCD header (" + std::to_string(in_.size()) + " bytes)");
    in_.read(first, 12, -1, "the first record marker");
    if (std::memcmp(first + 4, "CORD", 4) == 0 && load_u32(first, false) == dcd::kHeaderBytes) {
      marker_bytes_ = 4, big_endian_ = false;
    } else if (std::memcmp(first + 4, "CORD", 4) == 0 && load_u32(first, true) == dcd::kHeaderBytes) {
      marker_bytes_ = 4, big_endian_ = true;
    } else if (std::memcmp(first + 8, "CORD", 4) == 0 && load_u64(first, false) == dcd::kHeaderBytes) {
      marker_bytes_ = 8, big_endian_ = false;
    } else if (std::memcmp(first + 8, "CORD", 4) == 0 && load_u64(first, true) == dcd::kHeaderBytes) {
      marker_bytes_ = 8, big_endian_ = true;
    } else {
      in_.fail(-1, 0, "not a DCD file: expected a record marker of 84 (4- or 8-byte integer, either byte order) "
                      "followed by 'CORD'");
    }
    in_.seek(0, -1, "the header");
    std::vector<unsigned char> rec;
    read_record_header(rec, dcd::kHeaderBytes, "the 'CORD' header");
    auto icntrl = [&](int k) { return static_cast<int32_t>(load_u32(rec.data() + 4 + 4 * k, big_endian_)); };
    const int32_t nset = icntrl(dcd::kNset);
    istart_ = icntrl(dcd::kIstart);
    nsavc_ = icntrl(dcd::kNsavc);
    if (nsavc_ <= 0) {
      // Some writers leave NSAVC at 0; taking it as 1 makes steps count frames, which turns D wrong
      // by the real NSAVC unless the user knows the time between frames, so it needs consent.
      if (!policy_.allow_dcd_nsavc)
        in_.fail(-1, marker_bytes_ + 4 + 4 * dcd::kNsavc,
                 "the header's NSAVC (steps between frames) is " + std::to_string(nsavc_) +
                     "; expected a positive number. Pass --allow dcd-nsavc to count steps in frames, with "
                     "--frame-interval for the real time between frames");
      nsavc_ = 1;
    }
    const int32_t namnf = icntrl(dcd::kNamnf);
    const bool charmm = icntrl(dcd::kCharmmVersion) != 0;
    double delta;
    if (charmm) {
      delta = bits_to_float(load_u32(rec.data() + 4 + 4 * dcd::kDelta, big_endian_));
      has_cell_ = icntrl(dcd::kHasUnitCell) != 0;
      has_4d_ = icntrl(dcd::kHas4D) != 0;
    } else {  // X-PLOR: DELTA is a double, no unit cell or 4D records
      delta = bits_to_double(load_u64(rec.data() + 4 + 4 * dcd::kDelta, big_endian_));
    }

    // Title: an integer count, then 80-character lines.
    const long long title_at = in_.offset();
    const uint64_t title_len = read_marker("the title record marker");
    if (title_len < 4)  // unsigned: 8-byte markers can exceed 2^63
      in_.fail(-1, title_at, "expected a title record (4 + 80 * lines bytes), marker says " + std::to_string(title_len));
    // Compared without adding to title_len, which an 8-byte marker can push past 2^64 - 8.
    const uint64_t remaining = static_cast<uint64_t>(in_.remaining());
    if (title_len > remaining || remaining - title_len < static_cast<uint64_t>(marker_bytes_))
      in_.fail(-1, title_at, "the file ends inside the title record: its marker says " + std::to_string(title_len) +
                                 " bytes, but only " + std::to_string(in_.remaining()) + " remain (truncated file?)");
    rec.resize(title_len);
    in_.read(rec.data(), title_len, -1, "the title");
    if (read_marker("the title's closing marker") != title_len)
      in_.fail(-1, in_.offset() - marker_bytes_, "the title record's closing marker does not match its length");
    const std::string title(reinterpret_cast<const char*>(rec.data()) + 4, title_len - 4);
    lammps_ = title.find("LAMMPS") != std::string::npos;
    time_per_step_ = lammps_ ? delta : delta * dcd::kAkmaPicoseconds;

    read_record_header(rec, 4, "the number of atoms");
    const int32_t natoms = static_cast<int32_t>(load_u32(rec.data(), big_endian_));
    if (natoms <= 0) in_.fail(-1, in_.offset() - 4 - marker_bytes_, "expected a positive number of atoms, got " + std::to_string(natoms));
    if (namnf != 0)
      in_.fail(-1, marker_bytes_ + 4 + 4 * dcd::kNamnf,
               "this DCD has " + std::to_string(namnf) + " fixed atoms (NAMNF), which ionfield does not support; "
               "write all atoms in every frame");
    natoms_ = static_cast<std::size_t>(natoms);
    const long long record = 2LL * marker_bytes_;
    frame_bytes_ = 3 * (record + 4LL * natoms) + (has_cell_ ? record + 48 : 0) + (has_4d_ ? record + 4LL * natoms : 0);
    // The file size decides how many frames there are (LAMMPS and NAMD leave NSET at 0 or stale
    // while running), so NSET is not used; a partial last frame is reported when it is read.
    (void)nset;
  }

  void read_record_header(std::vector<unsigned char>& body, std::size_t expected, const char* what) {
    const long long saved = next_frame_;
    next_frame_ = -1;
    read_record(body, expected, what);
    next_frame_ = saved;
  }

  BinaryInput in_;
  ReadPolicy policy_;
  int marker_bytes_ = 4;
  bool big_endian_ = false;
  bool has_cell_ = false, has_4d_ = false, lammps_ = false;
  long long istart_ = 0, nsavc_ = 1;
  double time_per_step_ = 0;
  std::size_t natoms_ = 0;
  long long frame_bytes_ = 0;
  std::vector<unsigned char> cell_bytes_, coords_;
};

}  // namespace

std::unique_ptr<TrajectoryReader> make_dcd_reader(const std::string& path, const ReadPolicy& policy) {
  return std::make_unique<DcdReader>(path, policy);
}

}  // namespace ionfield::detail
