// GROMACS XTC writer. Writes the frame's numbers as they are, so positions and box must already
// be in nm and time in ps (lib/ converts from other unit systems). A frame without a time gets
// its frame index; one without a step gets its frame index. The file appears at its destination
// only on close() (temporary file + rename).
#include "traj/xtc_writer.hpp"

#include <cmath>
#include <vector>

#include "core/atomic_file.hpp"
#include "ionfield/error.hpp"
#include "traj/binary_input.hpp"
#include "traj/readers.hpp"
#include "traj/xtc_codec.hpp"
#include "traj/xtc_format.hpp"

namespace ionfield::detail {
namespace {

class XtcWriter final : public TrajectoryWriter {
 public:
  XtcWriter(const std::string& path, float precision) : file_(path), precision_(precision) {
    if (!(std::isfinite(precision) && precision > 0)) throw UsageError("XTC precision must be a positive number");
  }
  std::string format() const override { return "xtc"; }

  void write(const Frame& f) override {
    if (f.natoms > static_cast<std::size_t>(INT32_MAX)) throw UsageError("too many atoms for XTC");
    if (frames_ > 0 && f.natoms != natoms_)
      throw UsageError("XTC output: frame " + std::to_string(frames_) + " has " + std::to_string(f.natoms) +
                       " atoms, frame 0 had " + std::to_string(natoms_));
    natoms_ = f.natoms;
    out_.clear();
    const int32_t n = static_cast<int32_t>(f.natoms);
    put_int(xtc::kMagic);
    put_int(n);
    put_int(static_cast<int32_t>(f.step >= 0 ? f.step : frames_));
    put_float(static_cast<float>(f.time >= 0 ? f.time : static_cast<double>(frames_)));
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 3; ++k) put_float(f.has_box ? static_cast<float>(f.box.h[i][k]) : 0.0f);
    put_int(n);
    if (f.natoms <= xtc::kMaxUncompressedAtoms) {
      for (std::size_t i = 0; i < 3 * f.natoms; ++i) put_float(static_cast<float>(f.positions[i]));
    } else {
      ints_.resize(3 * f.natoms);
      const double limit = 2147483647.0 - 2;  // keep |round(x * precision)| inside int32
      for (std::size_t i = 0; i < 3 * f.natoms; ++i) {
        const double scaled = f.positions[i] * static_cast<double>(precision_);
        if (!(std::fabs(scaled) < limit))
          throw UsageError("XTC output: frame " + std::to_string(frames_) + ", atom " + std::to_string(i / 3) +
                           ": coordinate " + std::to_string(f.positions[i]) + " cannot be stored at precision " +
                           std::to_string(precision_) + " (must be finite and below 2^31 / precision)");
        ints_[i] = static_cast<int32_t>(std::lround(scaled));
      }
      try {
        xtc::encode(ints_.data(), f.natoms, encoded_);
      } catch (const std::range_error& e) {
        throw UsageError("XTC output: frame " + std::to_string(frames_) + ": " + e.what() + " at precision " +
                         std::to_string(precision_));
      }
      put_float(precision_);
      for (int32_t v : encoded_.minint) put_int(v);
      for (int32_t v : encoded_.maxint) put_int(v);
      put_int(encoded_.smallidx);
      put_int(static_cast<int32_t>(encoded_.bytes.size()));
      out_.insert(out_.end(), encoded_.bytes.begin(), encoded_.bytes.end());
      out_.resize(xtc::padded4(out_.size()), 0);
    }
    file_.write(out_.data(), out_.size());
    ++frames_;
  }

  void close() override { file_.commit(); }

 private:
  void put_int(int32_t v) {  // XDR: big-endian
    const uint32_t u = static_cast<uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<unsigned char>(u >> shift));
  }
  void put_float(float f) { put_int(static_cast<int32_t>(float_to_bits(f))); }

  AtomicFile file_;
  float precision_;
  std::size_t natoms_ = 0;
  long long frames_ = 0;
  std::vector<unsigned char> out_;
  std::vector<int32_t> ints_;
  xtc::Encoded encoded_;
};

}  // namespace

std::unique_ptr<TrajectoryWriter> make_xtc_writer(const std::string& path, float precision) {
  return std::make_unique<XtcWriter>(path, precision);
}
std::unique_ptr<TrajectoryWriter> make_xtc_writer(const std::string& path) {
  return make_xtc_writer(path, xtc::kDefaultPrecision);
}

}  // namespace ionfield::detail
