// Writes LAMMPS "dump custom" text: id type [q] xu yu zu (unwrapped) or x y z [ix iy iz].
#include <cstdio>
#include <algorithm>
#include <string>

#include "core/atomic_file.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
namespace {

// LAMMPS dumps always have a box. A frame without a cell (plain XYZ) gets the bounding box of its
// atoms, widened by 1 length unit each side, with non-periodic ("ff") boundaries.
Box bounding_box(const Frame& f) {
  Vec3 lo{0, 0, 0}, hi{0, 0, 0};
  for (std::size_t i = 0; i < f.natoms; ++i)
    for (int k = 0; k < 3; ++k) {
      const double x = f.positions[3 * i + k];
      lo[k] = i == 0 ? x : std::min(lo[k], x);
      hi[k] = i == 0 ? x : std::max(hi[k], x);
    }
  Box b = Box::orthorhombic(hi[0] - lo[0] + 2, hi[1] - lo[1] + 2, hi[2] - lo[2] + 2);
  b.origin = {lo[0] - 1, lo[1] - 1, lo[2] - 1};
  b.periodic = {false, false, false};
  return b;
}

class LammpsDumpWriter final : public TrajectoryWriter {
 public:
  explicit LammpsDumpWriter(const std::string& path) : file_(path) {}
  std::string format() const override { return "lammps-dump"; }

  void write(const Frame& f) override {
    std::FILE* out = file_.handle();
    // LAMMPS writes the optional TIME section (dump_modify time yes) before TIMESTEP.
    if (f.time >= 0) std::fprintf(out, "ITEM: TIME\n%.10g\n", f.time);
    std::fprintf(out, "ITEM: TIMESTEP\n%lld\n", f.step >= 0 ? f.step : frames_);
    std::fprintf(out, "ITEM: NUMBER OF ATOMS\n%zu\n", f.natoms);
    const Box b = f.has_box ? f.box : bounding_box(f);
    char pbc[16];
    std::snprintf(pbc, sizeof pbc, "%s %s %s", b.periodic[0] ? "pp" : "ff", b.periodic[1] ? "pp" : "ff",
                  b.periodic[2] ? "pp" : "ff");
    const double xy = b.h[1][0], xz = b.h[2][0], yz = b.h[2][1];
    const double xlo = b.origin[0], ylo = b.origin[1], zlo = b.origin[2];
    const double xhi = xlo + b.h[0][0], yhi = ylo + b.h[1][1], zhi = zlo + b.h[2][2];
    if (b.h[0][1] != 0 || b.h[0][2] != 0 || b.h[1][2] != 0) {
      // Not LAMMPS' restricted form (a along x, b in the xy plane): the general triclinic form
      // of LAMMPS 2024+ keeps the cell as it is, without rotating the coordinates.
      std::fprintf(out, "ITEM: BOX BOUNDS abc origin %s\n", pbc);
      for (int k = 0; k < 3; ++k)
        std::fprintf(out, "%.10g %.10g %.10g %.10g\n", b.h[k][0], b.h[k][1], b.h[k][2], b.origin[k]);
    } else if (b.is_orthorhombic()) {
      std::fprintf(out, "ITEM: BOX BOUNDS %s\n%.10g %.10g\n%.10g %.10g\n%.10g %.10g\n", pbc, xlo, xhi, ylo, yhi, zlo, zhi);
    } else {  // bounding-box form, as LAMMPS writes it
      const double xlo_b = xlo + std::min({0.0, xy, xz, xy + xz}), xhi_b = xhi + std::max({0.0, xy, xz, xy + xz});
      const double ylo_b = ylo + std::min(0.0, yz), yhi_b = yhi + std::max(0.0, yz);
      std::fprintf(out, "ITEM: BOX BOUNDS xy xz yz %s\n%.10g %.10g %.10g\n%.10g %.10g %.10g\n%.10g %.10g %.10g\n", pbc,
                   xlo_b, xhi_b, xy, ylo_b, yhi_b, xz, zlo, zhi, yz);
    }
    const bool unwrapped = f.coordinates == CoordinateKind::Unwrapped;
    const bool images = !unwrapped && !f.images.empty();
    std::fprintf(out, "ITEM: ATOMS id type%s %s%s\n", f.charges.empty() ? "" : " q",
                 unwrapped ? "xu yu zu" : "x y z", images ? " ix iy iz" : "");
    for (std::size_t i = 0; i < f.natoms; ++i) {
      const long long id = f.ids.empty() ? static_cast<long long>(i + 1) : f.ids[i];
      const std::string type = f.types.empty() ? "1" : f.types[i];
      std::fprintf(out, "%lld %s", id, type.c_str());
      if (!f.charges.empty()) std::fprintf(out, " %.9g", f.charges[i]);
      std::fprintf(out, " %.10g %.10g %.10g", f.positions[3 * i], f.positions[3 * i + 1], f.positions[3 * i + 2]);
      if (images) std::fprintf(out, " %d %d %d", f.images[3 * i], f.images[3 * i + 1], f.images[3 * i + 2]);
      std::fputc('\n', out);
    }
    ++frames_;
  }

  void close() override { file_.commit(); }

 private:
  AtomicFile file_;
  long long frames_ = 0;
};

}  // namespace

std::unique_ptr<TrajectoryWriter> make_lammps_dump_writer(const std::string& path) {
  return std::make_unique<LammpsDumpWriter>(path);
}

}  // namespace ionfield::detail
