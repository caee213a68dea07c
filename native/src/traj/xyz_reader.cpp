// XYZ and extended XYZ text (plain or gzip). Each frame: the atom count, a comment line, then one
// line per atom. The comment line of extended XYZ holds key=value pairs (values may be quoted):
// Lattice="ax ay az bx by bz cx cy cz" (cell vectors), Properties=name:type:count:... (the atom
// columns, any order), pbc="T T T", Time=/time=, step=/Timestep=, Origin="x y z", and ionfield's
// own unwrapped=T|F. Without Properties the columns are element x y z (extra columns ignored).
// LAMMPS `dump xyz` comments ("Atoms. Timestep: N") give the step.
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ionfield/error.hpp"
#include "traj/atom_order.hpp"
#include "traj/line_reader.hpp"
#include "traj/readers.hpp"
#include "traj/xyz_comment.hpp"

namespace ionfield::detail {
namespace {

// Where each quantity sits among an atom line's fields (-1: absent).
struct XyzColumns {
  int species = -1, atomic_number = -1, charge = -1, id = -1;
  int pos = -1, image = -1;
  std::size_t count = 0;     // fields per atom line
  bool exact_count = false;  // Properties given: the line must have exactly `count` fields
};

// Chemical symbols by atomic number, for files that give species as Z only.
const char* element_symbol(long long z) {
  static const char* symbols[] = {
      "X",  "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",  "S",
      "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As",
      "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn",
      "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho",
      "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",  "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po",
      "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U"};
  constexpr long long known = sizeof(symbols) / sizeof(symbols[0]);
  return z > 0 && z < known ? symbols[z] : nullptr;
}

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (s == n) return true;
  return false;
}

class XyzReader final : public TrajectoryReader {
 public:
  explicit XyzReader(const std::string& path) : TrajectoryReader(path), lines_(path) {}
  std::string format() const override { return "xyz"; }
  std::string length_unit() const override { return "A"; }  // the (extended) XYZ convention

  bool read_next(Frame& frame) override { return in_frame(next_frame_, [&] { return read_frame(&frame); }); }
  bool skip_next() override { return in_frame(next_frame_, [&] { return read_frame(nullptr); }); }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError(path_, next_frame_, lines_.line_number(), -1, what);
  }
  [[noreturn]] void fail_at_end(const std::string& what) const {
    throw ParseError(path_, next_frame_, lines_.line_number() + 1, -1, what);
  }

  // The atom-count line that starts the next frame (blank lines between frames are allowed);
  // false at a clean end of file.
  bool count_line(std::string_view& line) {
    while (lines_.next(line))
      if (line.find_first_not_of(" \t") != std::string_view::npos) return true;
    if (next_frame_ == 0) fail_at_end("the file is empty: expected an XYZ frame starting with the number of atoms");
    return false;
  }

  long long parse_count(std::string_view line) {
    split_fields(line, fields_);
    long long n = -1;
    if (fields_.size() != 1 || !parse_int64(fields_[0], n) || n < 0)
      fail("expected the number of atoms (one non-negative integer) on the first line of an XYZ frame, got '" +
           printable(line) + "'" +
           (next_frame_ > 0 ? " (does the previous frame have more atom lines than its count says?)" : ""));
    if (n > lines_.max_lines(8))
      fail("the atom count " + std::to_string(n) + " is more than the file could hold; expected the number of atoms");
    if (first_natoms_ >= 0 && n != first_natoms_)
      fail("frame has " + std::to_string(n) + " atoms; frame 0 had " + std::to_string(first_natoms_) +
           " (ionfield needs the same atoms in every frame)");
    if (first_natoms_ < 0) first_natoms_ = n;
    return n;
  }

  // Reads the comment line into `meta_` and the atom columns into `cols_`.
  void parse_comment(std::string_view comment) {
    meta_ = XyzComment{};
    std::string error;
    if (!parse_xyz_comment(comment, meta_, error)) fail("bad extended XYZ comment line: " + error);
    cols_ = XyzColumns{};
    if (!meta_.has_properties) {  // plain XYZ: element x y z
      cols_.species = 0;
      cols_.pos = 1;
      cols_.count = 4;
      return;
    }
    int at = 0;
    for (const XyzProperty& p : meta_.properties) {
      const std::string_view name = p.name;
      auto want = [&](int& slot, char type, int count, const char* what) {
        if (p.count != count || (type == 'R' ? (p.type != 'R' && p.type != 'I') : p.type != type))
          fail("Properties column '" + p.name + "' should be " + what + " (" + type + ":" + std::to_string(count) +
               "), got " + p.type + ":" + std::to_string(p.count));
        slot = at;
      };
      if (is_one_of(name, {"species", "element", "symbols", "type_symbol"})) want(cols_.species, 'S', 1, "a species label");
      else if (is_one_of(name, {"pos", "positions"})) want(cols_.pos, 'R', 3, "3 coordinates");
      else if (name == "Z") want(cols_.atomic_number, 'I', 1, "the atomic number");
      else if (is_one_of(name, {"charge", "charges", "q", "initial_charges"})) want(cols_.charge, 'R', 1, "the charge");
      else if (is_one_of(name, {"id", "ids"})) want(cols_.id, 'I', 1, "the atom id");
      else if (is_one_of(name, {"image", "images"})) want(cols_.image, 'I', 3, "3 image flags");
      at += p.count;
    }
    cols_.count = static_cast<std::size_t>(at);
    cols_.exact_count = true;
    if (cols_.pos < 0) fail("the Properties in the comment line have no 'pos:R:3' column: expected atom positions");
  }

  double number(std::string_view field, const char* what) {
    double v;
    if (!parse_finite(field, v)) fail(std::string("expected a finite number for ") + what + ", got '" + printable(field, 40) + "'");
    return v;
  }
  long long integer(std::string_view field, const char* what) {
    long long v;
    if (!parse_int64(field, v)) fail(std::string("expected an integer for ") + what + ", got '" + printable(field, 40) + "'");
    return v;
  }

  bool read_frame(Frame* out) {
    std::string_view line;
    if (!count_line(line)) return false;
    const long long natoms = parse_count(line);
    if (!out) {  // skip: comment and atom lines counted, not parsed
      const std::size_t want = static_cast<std::size_t>(natoms) + 1;
      const std::size_t got = lines_.skip(want);
      if (got != want)
        fail_at_end(got == 0 ? std::string("file ends before the comment line")
                             : "file ends after " + std::to_string(got - 1) + " of " + std::to_string(natoms) + " atom lines");
      ++next_frame_;
      return true;
    }
    if (!lines_.next(line)) fail_at_end("file ends before the comment line of the frame");
    parse_comment(line);

    Frame& f = *out;
    const std::size_t n = static_cast<std::size_t>(natoms);
    f.natoms = n;
    f.step = meta_.step;
    f.time = meta_.time;
    f.has_box = meta_.has_lattice;
    if (f.has_box) {
      f.box = Box{};
      for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 3; ++k) f.box.h[i][k] = meta_.lattice[3 * i + k];
      f.box.origin = meta_.origin;
      f.box.periodic = meta_.pbc;
      if (!(f.box.volume() > 0))
        throw ParseError(path_, next_frame_, lines_.line_number(), -1,
                         "Lattice has no volume (degenerate cell vectors); expected three independent vectors");
    }
    f.coordinates = meta_.unwrapped == 1 ? CoordinateKind::Unwrapped
                    : meta_.unwrapped == 0 ? CoordinateKind::Wrapped
                                           : CoordinateKind::Unknown;
    f.positions.resize(3 * n);
    const bool labels = cols_.species >= 0 || cols_.atomic_number >= 0;
    f.types.resize(labels ? n : 0);
    f.charges.resize(cols_.charge >= 0 ? n : 0);
    f.ids.resize(cols_.id >= 0 ? n : 0);
    f.images.resize(cols_.image >= 0 ? 3 * n : 0);

    for (std::size_t i = 0; i < n; ++i) {
      if (!lines_.next(line))
        fail_at_end("file ends after " + std::to_string(i) + " of " + std::to_string(n) + " atom lines");
      const std::size_t got = split_fields(line, fields_);
      if (cols_.exact_count ? got != cols_.count : got < cols_.count)
        fail("expected " + std::string(cols_.exact_count ? "" : "at least ") + std::to_string(cols_.count) +
             " columns on atom line " + std::to_string(i + 1) + " of " + std::to_string(n) + " (" +
             (cols_.exact_count ? "as Properties says" : "element x y z") + "), got " + std::to_string(got) +
             (got <= 1 && i > 0 ? "; does the frame have fewer atom lines than its count says?" : ""));
      for (int k = 0; k < 3; ++k) f.positions[3 * i + k] = number(fields_[cols_.pos + k], "a coordinate");
      if (cols_.species >= 0) {
        f.types[i].assign(fields_[cols_.species]);
      } else if (cols_.atomic_number >= 0) {
        const long long z = integer(fields_[cols_.atomic_number], "the atomic number Z");
        const char* symbol = element_symbol(z);
        if (!symbol) fail("atomic number " + std::to_string(z) + " is not an element");
        f.types[i] = symbol;
      }
      if (cols_.charge >= 0) f.charges[i] = number(fields_[cols_.charge], "the charge");
      if (cols_.id >= 0) f.ids[i] = integer(fields_[cols_.id], "the atom id");
      if (cols_.image >= 0)
        for (int k = 0; k < 3; ++k) f.images[3 * i + k] = static_cast<int32_t>(integer(fields_[cols_.image + k], "an image flag"));
    }
    if (!f.ids.empty()) {
      int64_t duplicate = 0;
      std::size_t at = 0;
      if (!order_atoms_by_id(f, order_, duplicate, at))
        throw ParseError(path_, next_frame_, lines_.line_number() - static_cast<long long>(n - 1 - at), -1,
                         "atom id " + std::to_string(duplicate) + " appears twice in the frame (expected unique ids)");
      if (first_ids_.empty()) first_ids_ = f.ids;
      else if (f.ids != first_ids_) fail("the set of atom ids differs from frame 0 (ionfield needs the same atoms in every frame)");
    }
    ++next_frame_;
    return true;
  }

  LineReader lines_;
  std::vector<std::string_view> fields_;
  std::vector<std::size_t> order_;
  std::vector<int64_t> first_ids_;
  XyzComment meta_;
  XyzColumns cols_;
  long long first_natoms_ = -1;
};

}  // namespace

std::unique_ptr<TrajectoryReader> make_xyz_reader(const std::string& path) { return std::make_unique<XyzReader>(path); }

}  // namespace ionfield::detail
