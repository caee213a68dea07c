// LAMMPS text dump ("dump atom" / "dump custom"), plain or gzip. Any column order; coordinates
// from xu/yu/zu (unwrapped), x/y/z (+ ix/iy/iz image flags), or scaled xs/xsu; triclinic boxes;
// optional q and element columns. Atoms are returned sorted by id.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ionfield/error.hpp"
#include "traj/atom_order.hpp"
#include "traj/line_reader.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
namespace {

struct Columns {
  int id = -1, type = -1, element = -1, q = -1, mol = -1, mass = -1;
  int pos[3] = {-1, -1, -1};
  int image[3] = {-1, -1, -1};
  bool scaled = false, unwrapped = false;
  std::size_t count = 0;
};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Length and time units of a LAMMPS `units` style (LAMMPS manual, units command).
std::pair<std::string, std::string> lammps_units(const std::string& style) {
  if (style == "real") return {"A", "fs"};
  if (style == "metal") return {"A", "ps"};
  if (style == "si") return {"m", "s"};
  if (style == "cgs") return {"cm", "s"};
  if (style == "electron") return {"bohr", "fs"};
  if (style == "micro") return {"um", "us"};
  if (style == "nano") return {"nm", "ns"};
  if (style == "lj") return {"sigma", "tau"};
  return {"", ""};
}

class LammpsDumpReader final : public TrajectoryReader {
 public:
  explicit LammpsDumpReader(const std::string& path) : TrajectoryReader(path), lines_(path) {}
  std::string format() const override { return "lammps-dump"; }
  std::string unit_style() const override { return units_; }
  std::string length_unit() const override { return lammps_units(units_).first; }
  std::string time_unit() const override { return lammps_units(units_).second; }

  bool read_next(Frame& frame) override { return in_frame(next_frame_, [&] { return read_frame(&frame); }); }
  bool skip_next() override { return in_frame(next_frame_, [&] { return read_frame(nullptr); }); }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError(path_, next_frame_, lines_.line_number(), -1, what);
  }

  bool next_line(std::string_view& line, const char* expected) {
    if (!lines_.next(line)) {
      throw ParseError(path_, next_frame_, lines_.line_number() + 1, -1,
                       std::string("file ends in the middle of a frame; expected ") + expected);
    }
    return true;
  }

  // Returns the header line that starts the next frame, skipping blank lines; false at clean EOF.
  bool first_header(std::string_view& line) {
    while (lines_.next(line)) {
      if (line.find_first_not_of(" \t") != std::string_view::npos) return true;
    }
    if (next_frame_ == 0)
      throw ParseError(path_, 0, lines_.line_number() + 1, -1,
                       "the file is empty: expected a LAMMPS dump frame starting with 'ITEM: TIMESTEP'");
    return false;
  }

  Columns parse_columns(std::string_view header) {
    split_fields(header.substr(std::string_view("ITEM: ATOMS").size()), fields_);
    Columns c;
    c.count = fields_.size();
    int xs[3] = {-1, -1, -1}, xu[3] = {-1, -1, -1}, xsu[3] = {-1, -1, -1};
    static const char* axes = "xyz";
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const std::string_view f = fields_[i];
      const int col = static_cast<int>(i);
      if (f == "id") c.id = col;
      else if (f == "type") c.type = col;
      else if (f == "element") c.element = col;
      else if (f == "q") c.q = col;
      else if (f == "mol") c.mol = col;
      else if (f == "mass") c.mass = col;
      for (int k = 0; k < 3; ++k) {
        const std::string a(1, axes[k]);
        if (f == a) c.pos[k] = col;
        else if (f == a + "u") xu[k] = col;
        else if (f == a + "s") xs[k] = col;
        else if (f == a + "su") xsu[k] = col;
        else if (f == "i" + a) c.image[k] = col;
      }
    }
    auto all = [](const int* v) { return v[0] >= 0 && v[1] >= 0 && v[2] >= 0; };
    // Prefer unwrapped Cartesian, then wrapped Cartesian (+ images), then scaled forms.
    if (all(xu)) {
      std::copy(xu, xu + 3, c.pos);
      c.unwrapped = true;
    } else if (all(c.pos)) {
    } else if (all(xsu)) {
      std::copy(xsu, xsu + 3, c.pos);
      c.scaled = c.unwrapped = true;
    } else if (all(xs)) {
      std::copy(xs, xs + 3, c.pos);
      c.scaled = true;
    } else {
      fail("ITEM: ATOMS line has no complete set of coordinate columns (expected x y z, xu yu zu, xs ys zs or xsu ysu zsu); got '" +
           printable(header) + "'");
    }
    if (c.unwrapped) c.image[0] = c.image[1] = c.image[2] = -1;
    if (!all(c.image)) c.image[0] = c.image[1] = c.image[2] = -1;
    return c;
  }

  double number(std::string_view field, const char* what) {
    double v;
    if (!parse_finite(field, v)) fail(std::string("expected a finite number for ") + what + ", got '" + printable(field, 40) + "'");
    return v;
  }
  double coordinate(std::string_view field) {
    double v;
    if (!parse_finite(field, v)) fail("expected a finite number for a coordinate, got '" + printable(field, 40) + "'");
    return v;
  }
  long long integer(std::string_view field, const char* what) {
    long long v;
    if (!parse_int64(field, v)) fail(std::string("expected an integer for ") + what + ", got '" + printable(field, 40) + "'");
    return v;
  }

  bool read_frame(Frame* out) {
    std::string_view line;
    if (!first_header(line)) return false;
    long long step = -1;
    double time = -1;
    long long natoms = -1;
    double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0}, tilt[3] = {0, 0, 0};
    bool has_box = false, triclinic = false, general = false;
    Mat3 general_h{};
    Vec3 general_origin{};
    bool periodic[3] = {true, true, true};
    for (;;) {
      if (!starts_with(line, "ITEM:"))
        fail("expected an 'ITEM:' header line, got '" + printable(line) + "'" +
             (next_frame_ > 0 && previous_columns_ > 0 && split_fields(line, fields_) == previous_columns_
                  ? " (an atom line: does frame " + std::to_string(next_frame_ - 1) +
                        " have more atom lines than its NUMBER OF ATOMS says?)"
                  : ""));
      if (starts_with(line, "ITEM: TIMESTEP")) {
        next_line(line, "the timestep");
        split_fields(line, fields_);
        if (fields_.size() != 1) fail("expected one integer timestep, got '" + printable(line) + "'");
        step = integer(fields_[0], "the timestep");
      } else if (starts_with(line, "ITEM: TIME")) {
        next_line(line, "the time");
        split_fields(line, fields_);
        if (fields_.empty()) fail("expected the simulation time");
        time = number(fields_[0], "the time");
      } else if (starts_with(line, "ITEM: NUMBER OF ATOMS")) {
        next_line(line, "the number of atoms");
        split_fields(line, fields_);
        if (fields_.size() != 1) fail("expected the number of atoms, got '" + printable(line) + "'");
        natoms = integer(fields_[0], "the number of atoms");
        if (natoms < 0) fail("negative number of atoms");
        if (natoms > lines_.max_lines(6))
          fail("NUMBER OF ATOMS " + std::to_string(natoms) + " is more than the file could hold");
        if (first_natoms_ >= 0 && natoms != first_natoms_)
          fail("frame has " + std::to_string(natoms) + " atoms; frame 0 had " + std::to_string(first_natoms_) +
               " (ionfield needs the same atoms in every frame)");
      } else if (starts_with(line, "ITEM: BOX BOUNDS")) {
        split_fields(line.substr(16), fields_);
        triclinic = fields_.size() >= 3 && fields_[0] == "xy";
        // LAMMPS >= 2024 writes general triclinic cells as "abc origin": rows "ax ay az ox" ...
        general = fields_.size() >= 2 && fields_[0] == "abc" && fields_[1] == "origin";
        const std::size_t flags_at = triclinic ? 3 : general ? 2 : 0;
        for (int k = 0; k < 3; ++k)
          if (fields_.size() > flags_at + k) periodic[k] = fields_[flags_at + k] == "pp";
        for (int k = 0; k < 3 && general; ++k) {
          next_line(line, "a cell vector and origin line");
          if (split_fields(line, fields_) != 4)
            fail("expected 4 numbers (a cell vector and an origin component) on a box line, got '" + printable(line) + "'");
          for (int j = 0; j < 3; ++j) general_h[k][j] = number(fields_[j], "a cell vector component");
          general_origin[k] = number(fields_[3], "an origin component");
        }
        for (int k = 0; k < 3 && !general; ++k) {
          next_line(line, "a box bounds line");
          split_fields(line, fields_);
          if (fields_.size() < (triclinic ? 3u : 2u))
            fail(std::string("expected ") + (triclinic ? "3" : "2") + " numbers on a box bounds line, got '" + printable(line) + "'");
          lo[k] = number(fields_[0], "a box bound");
          hi[k] = number(fields_[1], "a box bound");
          if (triclinic) tilt[k] = number(fields_[2], "a tilt factor");
        }
        has_box = true;
        const Box check = general ? Box{general_h, general_origin} : Box::from_lammps_dump_bounds(lo, hi, tilt, triclinic);
        if (!(check.volume() > 0)) fail("the box has no volume (degenerate bounds or cell vectors); expected a 3D cell");
      } else if (starts_with(line, "ITEM: ATOMS")) {
        break;
      } else {
        // Other sections (ITEM: UNITS, user items): one value line follows.
        const bool units = starts_with(line, "ITEM: UNITS");
        next_line(line, "the value of an ITEM section");
        if (units && split_fields(line, fields_) == 1) units_.assign(fields_[0]);
      }
      next_line(line, "the next ITEM: header");
    }
    if (natoms < 0) fail("frame has no 'ITEM: NUMBER OF ATOMS' section before 'ITEM: ATOMS'");
    if (first_natoms_ < 0) first_natoms_ = natoms;
    const Columns c = parse_columns(line);
    previous_columns_ = c.count;

    if (!out) {  // skip: no parsing of atom lines, just count them
      const std::size_t got = lines_.skip(static_cast<std::size_t>(natoms));
      if (got != static_cast<std::size_t>(natoms))
        throw ParseError(path_, next_frame_, lines_.line_number() + 1, -1,
                         "file ends after " + std::to_string(got) + " of " + std::to_string(natoms) + " atom lines");
      ++next_frame_;
      return true;
    }

    Frame& f = *out;
    const std::size_t n = static_cast<std::size_t>(natoms);
    f.natoms = n;
    f.step = step;
    f.time = time;
    f.has_box = has_box;
    if (has_box) {
      if (general) {
        f.box = Box{};
        f.box.h = general_h;
        f.box.origin = general_origin;
      } else {
        f.box = Box::from_lammps_dump_bounds(lo, hi, tilt, triclinic);
      }
      for (int k = 0; k < 3; ++k) f.box.periodic[k] = periodic[k];

    }
    f.positions.resize(3 * n);
    f.ids.resize(c.id >= 0 ? n : 0);
    f.images.resize(c.image[0] >= 0 ? 3 * n : 0);
    f.charges.resize(c.q >= 0 ? n : 0);
    f.molecules.resize(c.mol >= 0 ? n : 0);
    f.masses.resize(c.mass >= 0 ? n : 0);
    const int type_col = c.element >= 0 ? c.element : c.type;
    f.types.resize(type_col >= 0 ? n : 0);
    f.coordinates = c.unwrapped ? CoordinateKind::Unwrapped : CoordinateKind::Wrapped;

    for (std::size_t i = 0; i < n; ++i) {
      if (!lines_.next(line))
        throw ParseError(path_, next_frame_, lines_.line_number() + 1, -1,
                         "file ends after " + std::to_string(i) + " of " + std::to_string(n) + " atom lines");
      if (split_fields(line, fields_) != c.count) {
        if (starts_with(line, "ITEM:"))
          fail("frame has only " + std::to_string(i) + " atom lines before this header, but its NUMBER OF ATOMS says " +
               std::to_string(n));
        fail("expected " + std::to_string(c.count) + " columns on atom line " + std::to_string(i + 1) + " of " +
             std::to_string(n) + " (as the ITEM: ATOMS header says), got " + std::to_string(fields_.size()));
      }
      for (int k = 0; k < 3; ++k) f.positions[3 * i + k] = coordinate(fields_[c.pos[k]]);
      if (c.id >= 0) f.ids[i] = integer(fields_[c.id], "the atom id");
      if (c.image[0] >= 0)
        for (int k = 0; k < 3; ++k) f.images[3 * i + k] = static_cast<int32_t>(integer(fields_[c.image[k]], "an image flag"));
      if (c.q >= 0) f.charges[i] = number(fields_[c.q], "the charge q");
      if (c.mol >= 0) f.molecules[i] = integer(fields_[c.mol], "the molecule ID mol");
      if (c.mass >= 0) f.masses[i] = number(fields_[c.mass], "the mass");
      if (type_col >= 0) f.types[i].assign(fields_[type_col]);
    }
    if (c.scaled) {
      if (!has_box) fail("scaled coordinates need the box, but the frame has no 'ITEM: BOX BOUNDS'");
      for (std::size_t i = 0; i < n; ++i) {
        const Vec3 r = f.box.to_cartesian({f.positions[3 * i], f.positions[3 * i + 1], f.positions[3 * i + 2]});
        for (int k = 0; k < 3; ++k) f.positions[3 * i + k] = r[k];
      }
    }
    if (c.id >= 0) sort_by_id(f);
    ++next_frame_;
    return true;
  }

  // LAMMPS writes atoms in processor order; put them in id order so atom i is the same every frame.
  void sort_by_id(Frame& f) {
    int64_t duplicate = 0;
    std::size_t at = 0;
    if (!order_atoms_by_id(f, order_, duplicate, at))
      throw ParseError(path_, next_frame_, lines_.line_number() - static_cast<long long>(f.natoms - 1 - at), -1,
                       "atom id " + std::to_string(duplicate) + " appears twice in the frame (expected unique ids)");
    if (first_ids_.empty()) {
      first_ids_ = f.ids;
    } else if (f.ids != first_ids_) {
      fail("the set of atom ids differs from frame 0 (ionfield needs the same atoms in every frame)");
    }
  }

  LineReader lines_;
  std::vector<std::string_view> fields_;
  std::vector<std::size_t> order_;
  std::vector<int64_t> first_ids_;
  long long first_natoms_ = -1;
  std::size_t previous_columns_ = 0;  // fields per atom line in the last frame (for hints)
  std::string units_;                  // LAMMPS units style from ITEM: UNITS, if any
};

}  // namespace

std::unique_ptr<TrajectoryReader> make_lammps_dump_reader(const std::string& path) {
  return std::make_unique<LammpsDumpReader>(path);
}

}  // namespace ionfield::detail
