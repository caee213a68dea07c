// GROMACS .gro text (plain or gzip), one or many frames. Each frame: a title line (GROMACS writes
// "t= 10.00000 step= 5000" into it), the atom count, one fixed-column line per atom — residue
// number (5), residue name (5), atom name (5), atom number (5), then x y z in nm and optional
// velocities — and the box line: v1(x) v2(y) v3(z) [v1(y) v1(z) v2(x) v2(z) v3(x) v3(y)].
// The species label is the atom name: it is what a GROMACS user calls NA or CL, and a .gro file is
// what such a user has to give an XTC its species (ionfield ... traj.xtc --topology conf.gro).
// Coordinates may use any precision: as GROMACS itself does, the field width is the distance
// between the first two decimal points. Atom numbers wrap at 100000, so they are not used as ids.
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "ionfield/error.hpp"
#include "traj/line_reader.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
namespace {

std::string_view trim(std::string_view s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return {};
  const auto b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

// The number after `key` in a title line ("t= 12.5 step= 250"), or NaN.
// The field after `key` in the free-text title ("t= 10.0 step= 5000", as GROMACS writes it).
std::string_view title_field(std::string_view title, std::string_view key) {
  const auto at = title.find(key);
  if (at == std::string_view::npos) return {};
  std::vector<std::string_view> fields;
  split_fields(title.substr(at + key.size()), fields);
  return fields.empty() ? std::string_view{} : fields[0];
}

double title_value(std::string_view title, std::string_view key) {
  double v;
  const std::string_view field = title_field(title, key);
  return !field.empty() && parse_finite(field, v) ? v : NAN;
}

// A step is a whole number; anything else in the title (1e19, 2.5, text) leaves it unknown (−1)
// rather than converting a double that a long long cannot hold.
long long title_step(std::string_view title) {
  long long v;
  const std::string_view field = title_field(title, "step=");
  return !field.empty() && parse_int64(field, v) && v >= 0 ? v : -1;
}

class GroReader final : public TrajectoryReader {
 public:
  explicit GroReader(const std::string& path) : TrajectoryReader(path), lines_(path) {}
  std::string format() const override { return "gro"; }
  std::string length_unit() const override { return "nm"; }
  std::string time_unit() const override { return "ps"; }

  bool read_next(Frame& frame) override { return in_frame(next_frame_, [&] { return read_frame(frame); }); }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw ParseError(path_, next_frame_, lines_.line_number(), -1, what); }
  [[noreturn]] void fail_at_end(const std::string& what) const {
    throw ParseError(path_, next_frame_, lines_.line_number() + 1, -1, what);
  }

  double number(std::string_view field, const char* what) {
    double v;
    if (!parse_finite(trim(field), v)) fail(std::string("expected a finite number for ") + what + ", got '" + printable(field, 40) + "'");
    return v;
  }

  // Width of one coordinate field, from the first atom line (GROMACS's own rule).
  std::size_t coordinate_width(std::string_view line) {
    const std::size_t first = line.size() > 20 ? line.find('.', 20) : std::string_view::npos;
    const std::size_t second = first == std::string_view::npos ? first : line.find('.', first + 1);
    if (second == std::string_view::npos || second - first < 4)
      fail("expected an atom line: residue number, residue name, atom name and atom number in 20 columns, then x y z "
           "with decimal points (%8.3f), got '" + printable(line) + "'");
    return second - first;
  }

  bool read_frame(Frame& f) {
    std::string_view title;
    if (!lines_.next(title)) {
      if (next_frame_ == 0) fail_at_end("the file is empty: expected a .gro frame (title line, atom count, atoms, box)");
      return false;
    }
    if (next_frame_ > 0 && trim(title).empty()) {  // tolerate trailing blank lines after the last frame
      std::string_view rest;
      while (lines_.next(rest))
        if (!trim(rest).empty()) fail("expected the title line of a new frame after a blank line, got '" + printable(rest) + "'");
      return false;
    }
    const double time = title_value(title, "t=");
    f.time = std::isnan(time) ? -1.0 : time;
    f.step = title_step(title);
    std::string_view line;
    if (!lines_.next(line)) fail_at_end("file ends before the atom count line");
    long long natoms = -1;
    std::vector<std::string_view> fields;
    if (split_fields(line, fields) != 1 || !parse_int64(fields[0], natoms) || natoms < 0)
      fail("expected the number of atoms (one non-negative integer) on the second line of a .gro frame, got '" + printable(line) + "'");
    if (natoms > lines_.max_lines(40)) fail("the atom count " + std::to_string(natoms) + " is more than the file could hold");
    if (first_natoms_ >= 0 && natoms != first_natoms_)
      fail("frame has " + std::to_string(natoms) + " atoms; frame 0 had " + std::to_string(first_natoms_) +
           " (ionfield needs the same atoms in every frame)");
    first_natoms_ = natoms;
    const std::size_t n = static_cast<std::size_t>(natoms);
    f.natoms = n;
    f.positions.resize(3 * n);
    f.types.resize(n);
    f.charges.clear();
    f.ids.clear();
    f.images.clear();
    f.coordinates = CoordinateKind::Unknown;
    for (std::size_t i = 0; i < n; ++i) {
      if (!lines_.next(line)) fail_at_end("file ends after " + std::to_string(i) + " of " + std::to_string(n) + " atom lines");
      if (width_ == 0) width_ = coordinate_width(line);
      if (line.size() < 20 + 3 * width_)
        fail("atom line " + std::to_string(i + 1) + " of " + std::to_string(n) + " is too short for three coordinates of width " +
             std::to_string(width_) + " after column 20: '" + printable(line) + "'" +
             (i > 0 ? " (does the frame have fewer atom lines than its count says?)" : ""));
      const std::string_view name = trim(line.substr(10, 5));
      if (name.empty()) fail("atom line " + std::to_string(i + 1) + " has no atom name in columns 11-15 (the species label)");
      f.types[i].assign(name);
      for (int k = 0; k < 3; ++k) f.positions[3 * i + k] = number(line.substr(20 + k * width_, width_), "a coordinate");
    }
    if (!lines_.next(line)) fail_at_end("file ends before the box line (v1x v2y v3z [v1y v1z v2x v2z v3x v3y], nm)");
    const std::size_t got = split_fields(line, fields);
    if (got != 3 && got != 9)
      fail("expected the box line: 3 numbers (rectangular) or 9 (triclinic), got " + std::to_string(got) + " fields: '" + printable(line) + "'" +
           " (does the frame have more atom lines than its count says?)");
    double b[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (std::size_t k = 0; k < got; ++k) b[k] = number(fields[k], "a box component");
    f.box = Box{};
    const double h[3][3] = {{b[0], b[3], b[4]}, {b[5], b[1], b[6]}, {b[7], b[8], b[2]}};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) f.box.h[r][c] = h[r][c];
    f.has_box = f.box.volume() > 0;
    if (!f.has_box && (b[0] != 0 || b[1] != 0 || b[2] != 0))
      fail("the box line has no volume (degenerate cell vectors); expected three independent vectors or all zeros (no box)");
    ++next_frame_;
    return true;
  }

  LineReader lines_;
  std::size_t width_ = 0;
  long long first_natoms_ = -1;
};

}  // namespace

std::unique_ptr<TrajectoryReader> make_gro_reader(const std::string& path) { return std::make_unique<GroReader>(path); }

}  // namespace ionfield::detail
