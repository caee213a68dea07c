#pragma once
// Constants of the CHARMM/NAMD/LAMMPS DCD layout (Fortran unformatted records: each record is
// framed by its byte length before and after). Internal.
#include <array>

#include "ionfield/box.hpp"

namespace ionfield::detail::dcd {

// Header record: "CORD" then 20 32-bit integers (CHARMM's ICNTRL array), 0-based indices here.
constexpr int kNset = 0;          // frames in the file (LAMMPS/NAMD may leave 0 or stale)
constexpr int kIstart = 1;        // step of the first frame
constexpr int kNsavc = 2;         // steps between frames
constexpr int kNstep = 3;         // step of the last frame (LAMMPS) / total steps
constexpr int kNamnf = 8;         // number of fixed atoms
constexpr int kDelta = 9;         // time step as float32 (X-PLOR: float64 in words 9-10)
constexpr int kHasUnitCell = 10;  // nonzero: each frame starts with a 6-double unit cell record
constexpr int kHas4D = 11;        // nonzero: each frame ends with a fourth coordinate record
constexpr int kCharmmVersion = 19;  // 0 means an X-PLOR file
constexpr int kHeaderBytes = 84;  // "CORD" + 20 ints

// One AKMA time unit (sqrt(Angstrom^2 amu / (kcal/mol))) in ps: CHARMM and NAMD store DELTA in it.
constexpr double kAkmaPicoseconds = 0.04888821;

// The unit cell record, as CHARMM orders it: A, gamma, B, beta, alpha, C. The angles are cosines
// (CHARMM, NAMD >= 2.5, LAMMPS) or degrees (older NAMD, MDAnalysis); cosines lie in [-1, 1].
Box box_from_unit_cell(const double cell[6]);
std::array<double, 6> unit_cell_from_box(const Box& box);  // writes cosines

}  // namespace ionfield::detail::dcd
