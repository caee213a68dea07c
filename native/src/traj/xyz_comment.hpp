#pragma once
// The comment (second) line of an extended XYZ frame: key=value pairs, values bare, "quoted"
// (with \" escapes) or {braced}. Only the keys ionfield uses are interpreted; any other text is
// allowed, so a plain XYZ comment never fails. Internal to the XYZ reader.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "ionfield/box.hpp"

namespace ionfield::detail {

struct XyzProperty {
  std::string name;
  char type = 'R';  // S string, R real, I integer, L logical
  int count = 1;
};

struct XyzComment {
  bool has_lattice = false;
  std::array<double, 9> lattice{};         // cell vectors a, b, c as rows
  Vec3 origin{};                            // Origin="x y z" (OVITO), else 0
  std::array<bool, 3> pbc{true, true, true};
  bool has_properties = false;
  std::vector<XyzProperty> properties;
  long long step = -1;                      // step= / Timestep= / LAMMPS "Timestep: N"
  double time = -1;                         // Time= / time=
  int unwrapped = -1;                       // unwrapped=T (1) / F (0), -1 if not said
};

// Returns false with `error` set when a key ionfield uses has a value it cannot read.
bool parse_xyz_comment(std::string_view comment, XyzComment& out, std::string& error);

}  // namespace ionfield::detail
