// GROMACS XTC reader. Units are the file's: positions and box in nm, time in ps. Frames with
// up to 9 atoms are plain floats; larger ones use the compressed block (traj/xtc_codec.hpp).
// skip_next() reads only the 92-byte frame header and seeks past the compressed bytes.
#include <cmath>
#include <string>
#include <vector>

#include "ionfield/error.hpp"
#include "traj/binary_input.hpp"
#include "traj/readers.hpp"
#include "traj/xtc_codec.hpp"
#include "traj/xtc_format.hpp"

namespace ionfield::detail {
namespace {

class XtcReader final : public TrajectoryReader {
 public:
  explicit XtcReader(const std::string& path) : TrajectoryReader(path), in_(path) {
    if (in_.size() == 0) in_.fail(-1, 0, "empty file; expected XTC frames (magic number 1995)");
  }
  std::string format() const override { return "xtc"; }

  bool read_next(Frame& frame) override { return read_frame(&frame); }
  bool skip_next() override { return read_frame(nullptr); }

 private:
  int32_t read_int(const char* what) {
    unsigned char b[4];
    in_.read(b, 4, next_frame_, what);
    return static_cast<int32_t>(load_u32(b, true));
  }
  float read_float(const char* what) {
    unsigned char b[4];
    in_.read(b, 4, next_frame_, what);
    return bits_to_float(load_u32(b, true));
  }
  [[noreturn]] void fail(long long at, const std::string& what) const { in_.fail(next_frame_, at, what); }

  bool read_frame(Frame* out) {
    if (in_.at_end()) return false;
    const long long start = in_.offset();
    const int32_t magic = read_int("the frame's magic number");
    if (magic == xtc::kMagicLargeFrames)
      fail(start, "this XTC frame uses the GROMACS 2023 large-system layout (magic 2023), which ionfield does not read yet");
    if (magic != xtc::kMagic)
      fail(start, "expected the XTC magic number 1995 at the start of a frame, got " + std::to_string(magic) +
                      (next_frame_ == 0 ? " (not an XTC file?)" : " (corrupt file or garbage after the last frame?)"));
    const int32_t natoms = read_int("the number of atoms");
    if (natoms < 0) fail(start + 4, "negative number of atoms (" + std::to_string(natoms) + ")");
    if (first_natoms_ >= 0 && natoms != first_natoms_)
      fail(start + 4, "frame has " + std::to_string(natoms) + " atoms; frame 0 had " + std::to_string(first_natoms_) +
                          " (ionfield needs the same atoms in every frame)");
    const int32_t step = read_int("the step");
    const float time = read_float("the time");
    float box[9];
    for (float& b : box) b = read_float("the 3x3 box");
    const int32_t lsize = read_int("the coordinate count");
    if (lsize != natoms)
      fail(start + 52, "the coordinate block says " + std::to_string(lsize) + " atoms but the frame header says " +
                           std::to_string(natoms));
    const std::size_t n = static_cast<std::size_t>(natoms);

    if (n <= xtc::kMaxUncompressedAtoms) {
      if (!out) {
        in_.seek(in_.offset() + static_cast<long long>(12 * n), next_frame_, "the end of the frame's coordinates");
      } else {
        fill_header(*out, n, step, time, box);
        for (std::size_t i = 0; i < 3 * n; ++i) out->positions[i] = read_float("uncompressed coordinates");
      }
    } else {
      const float precision = read_float("the precision");
      if (!(std::isfinite(precision) && precision > 0))
        fail(in_.offset() - 4, "expected a positive precision, got " + std::to_string(precision));
      int32_t minint[3], maxint[3];
      for (int32_t& v : minint) v = read_int("the integer bounding box");
      for (int32_t& v : maxint) v = read_int("the integer bounding box");
      const int32_t smallidx = read_int("the small-coordinate size index");
      const long long count_at = in_.offset();
      const uint32_t nbytes = static_cast<uint32_t>(read_int("the compressed byte count"));
      const std::size_t stored = xtc::padded4(nbytes);
      if (static_cast<long long>(stored) > in_.remaining())
        fail(count_at, "the file ends inside the frame's compressed coordinates: they take " + std::to_string(stored) +
                           " bytes (" + std::to_string(nbytes) + " padded to a multiple of 4), but only " +
                           std::to_string(in_.remaining()) + " remain (truncated file?)");
      // Every atom takes at least 2 bits (a 1-bit full coordinate and its flag), which bounds what
      // a corrupt header can make us allocate.
      if (n > 4 * static_cast<std::size_t>(nbytes))
        fail(start + 4, "the frame says " + std::to_string(n) + " atoms but holds only " + std::to_string(nbytes) +
                            " compressed bytes (at least 2 bits per atom are needed)");
      if (!out) {
        in_.seek(in_.offset() + static_cast<long long>(stored), next_frame_, "the end of the compressed coordinates");
      } else {
        buffer_.resize(stored);
        const long long block_at = in_.offset();
        in_.read(buffer_.data(), stored, next_frame_, "compressed coordinates");
        ints_.resize(3 * n);
        try {
          xtc::decode(buffer_.data(), nbytes, n, minint, maxint, smallidx, ints_.data());
        } catch (const xtc::CodecError& e) {
          fail(block_at + static_cast<long long>(e.byte), std::string("bad compressed coordinates: ") + e.what());
        }
        fill_header(*out, n, step, time, box);
        const double scale = 1.0 / precision;
        for (std::size_t i = 0; i < 3 * n; ++i) out->positions[i] = ints_[i] * scale;
      }
    }
    if (first_natoms_ < 0) first_natoms_ = natoms;
    ++next_frame_;
    return true;
  }

  void fill_header(Frame& f, std::size_t n, int32_t step, float time, const float box[9]) {
    f.resize(n);
    f.step = step;
    f.time = time;
    f.box = Box{};
    f.has_box = false;
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 3; ++k) {
        f.box.h[i][k] = box[3 * i + k];
        if (box[3 * i + k] != 0) f.has_box = true;
      }
    f.coordinates = CoordinateKind::Unknown;
  }

  BinaryInput in_;
  std::vector<unsigned char> buffer_;
  std::vector<int32_t> ints_;
  long long first_natoms_ = -1;
};

}  // namespace

std::unique_ptr<TrajectoryReader> make_xtc_reader(const std::string& path) { return std::make_unique<XtcReader>(path); }

}  // namespace ionfield::detail
