// Writes extended XYZ that ASE, OVITO and ionfield read back: Lattice (and Origin when the cell
// does not start at 0), Properties=species:S:1:pos:R:3[:charge:R:1], Time, step, pbc, and
// unwrapped=T|F so that a round trip keeps whether the coordinates are continuous.
#include <cstdio>
#include <string>

#include "core/atomic_file.hpp"
#include "ionfield/error.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
namespace {

class XyzWriter final : public TrajectoryWriter {
 public:
  explicit XyzWriter(const std::string& path) : file_(path) {}
  std::string format() const override { return "xyz"; }

  void write(const Frame& f) override {
    std::FILE* out = file_.handle();
    std::fprintf(out, "%zu\n", f.natoms);
    if (f.has_box) {
      const Box& b = f.box;
      std::fprintf(out, "Lattice=\"%.10g %.10g %.10g %.10g %.10g %.10g %.10g %.10g %.10g\" ", b.h[0][0], b.h[0][1],
                   b.h[0][2], b.h[1][0], b.h[1][1], b.h[1][2], b.h[2][0], b.h[2][1], b.h[2][2]);
      if (b.origin[0] != 0 || b.origin[1] != 0 || b.origin[2] != 0)
        std::fprintf(out, "Origin=\"%.10g %.10g %.10g\" ", b.origin[0], b.origin[1], b.origin[2]);
    }
    std::fprintf(out, "Properties=species:S:1:pos:R:3%s", f.charges.empty() ? "" : ":charge:R:1");
    if (f.time >= 0) std::fprintf(out, " Time=%.10g", f.time);
    if (f.step >= 0) std::fprintf(out, " step=%lld", f.step);
    if (f.has_box)
      std::fprintf(out, " pbc=\"%c %c %c\"", f.box.periodic[0] ? 'T' : 'F', f.box.periodic[1] ? 'T' : 'F',
                   f.box.periodic[2] ? 'T' : 'F');
    if (f.coordinates != CoordinateKind::Unknown)
      std::fprintf(out, " unwrapped=%c", f.coordinates == CoordinateKind::Unwrapped ? 'T' : 'F');
    std::fputc('\n', out);
    for (std::size_t i = 0; i < f.natoms; ++i) {
      const char* label = f.types.empty() ? "X" : f.types[i].c_str();
      if (f.types.empty() ? false : f.types[i].find_first_of(" \t\"") != std::string::npos)
        throw UsageError("species label '" + f.types[i] + "' has a blank or quote, which XYZ cannot hold");
      std::fprintf(out, "%s %.10g %.10g %.10g", label, f.positions[3 * i], f.positions[3 * i + 1], f.positions[3 * i + 2]);
      if (!f.charges.empty()) std::fprintf(out, " %.8g", f.charges[i]);
      std::fputc('\n', out);
    }
    if (std::ferror(out)) throw std::runtime_error("write to " + file_.destination() + " failed");
  }

  void close() override { file_.commit(); }

 private:
  AtomicFile file_;
};

}  // namespace

std::unique_ptr<TrajectoryWriter> make_xyz_writer(const std::string& path) { return std::make_unique<XyzWriter>(path); }

}  // namespace ionfield::detail
