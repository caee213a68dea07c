#pragma once
// One snapshot of a trajectory, in the file's own units. Atoms are in a fixed order across
// frames (ascending atom id where the format has ids).
#include <cstdint>
#include <string>
#include <vector>

#include "ionfield/box.hpp"

namespace ionfield {

enum class CoordinateKind {
  Wrapped,    // inside the box (may have image flags to unwrap)
  Unwrapped,  // continuous trajectories (LAMMPS xu/yu/zu, or unwrapped by ionfield)
  Unknown,    // the format does not say (XYZ, DCD, XTC); ionfield inspects the values
};

struct Frame {
  long long step = -1;          // MD step, -1 if the format has none
  double time = -1.0;           // time in the file's time unit, <0 if the format has none
  bool has_box = false;
  Box box;
  std::size_t natoms = 0;
  std::vector<double> positions;       // 3 * natoms, x y z per atom
  std::vector<int32_t> images;         // 3 * natoms image flags, or empty
  std::vector<int64_t> ids;            // natoms atom ids, or empty
  std::vector<std::string> types;      // natoms species labels (LAMMPS type or element), or empty
  std::vector<double> charges;         // natoms charges, or empty
  std::vector<int64_t> molecules;      // natoms molecule IDs (LAMMPS dump 'mol' column), or empty
  std::vector<double> masses;          // natoms masses (LAMMPS dump 'mass' column), or empty
  CoordinateKind coordinates = CoordinateKind::Unknown;

  void resize(std::size_t n);          // positions to 3n; other arrays cleared
};

}  // namespace ionfield
