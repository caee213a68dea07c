// MoleculeCentres against molecules whose whole, continuous path is known: a triatomic and a
// chain longer than half the cell drift through a triclinic cell; their atoms are wrapped into
// the cell independently (so molecules are split across the boundary), then unwrapped atom by
// atom with a random lattice offset per atom, as a reader's unwrapping may leave them. The centres
// must follow the true centres up to one constant lattice shift per molecule (the root's), and the
// charge moment must equal sum q_i r_i of the true whole molecules up to the same shifts.
#include <cmath>
#include <random>

#include "check.hpp"
#include "ionfield/box.hpp"
#include "ionfield/molecules.hpp"

using namespace ionfield;

int main() {
  const Box box = Box::from_lengths_angles(10, 11, 12, 80, 95, 100);
  // Molecule 0: atoms 0,1,2 (bonded 0-1, 0-2). Molecule 1: chain 3-4-5-6-7, bonds 3 Å along x
  // (12 Å long: more than half of every cell height). Molecule 2: one atom (8).
  MoleculeLayout layout;
  layout.molecule = {0, 0, 0, 1, 1, 1, 1, 1, 2};
  layout.masses = {16, 1, 1, 12, 12, 12, 12, 12, 7};
  layout.charges = {-0.8, 0.4, 0.4, 0.1, -0.2, 0.3, -0.4, 0.2, 1};
  layout.bonds = {0, 1, 2, 0, 3, 4, 5, 4, 5, 6, 6, 7};
  const MoleculeCentres centres(layout);
  CHECK(centres.molecules() == 3);
  CHECK_NEAR(centres.molecule_masses()[0], 18.0, 1e-12);
  CHECK_NEAR(centres.molecule_charges()[1], 0.0, 1e-12);
  CHECK_NEAR(centres.molecule_charges()[2], 1.0, 1e-12);

  const std::vector<Vec3> shape = {{0, 0, 0}, {0.96, 0, 0}, {-0.24, 0.93, 0}, {0, 0, 0}, {3, 0, 0}, {6, 0.5, 0}, {9, 0, 0.5}, {12, 0, 0}, {0, 0, 0}};
  std::mt19937 rng(7);
  std::normal_distribution<double> step(0.0, 0.6);
  std::uniform_int_distribution<int> shift(-2, 2);
  Vec3 place[3] = {{9.5, 10.5, 11.5}, {-1, 3, 4}, {5, 5, 5}};  // molecule 0 starts at a corner: split
  const int nframes = 200, n = 9;
  std::vector<double> xyz(nframes * n * 3), truth_com(nframes * 9), truth_moment(nframes * 3, 0.0), cells(nframes * 9);
  std::vector<Vec3> offset(n);
  for (int i = 0; i < n; ++i) {
    const int a = shift(rng), b = shift(rng), c = shift(rng);
    for (int d = 0; d < 3; ++d) offset[i][d] = a * box.h[0][d] + b * box.h[1][d] + c * box.h[2][d];
  }
  for (int f = 0; f < nframes; ++f) {
    for (int d = 0; d < 9; ++d) cells[9 * f + d] = box.h[d / 3][d % 3];
    for (int m = 0; m < 3; ++m)
      for (int d = 0; d < 3; ++d) place[m][d] += step(rng);
    double com[3][3] = {}, mass[3] = {};
    for (int i = 0; i < n; ++i) {
      const int m = layout.molecule[i];
      Vec3 r;
      for (int d = 0; d < 3; ++d) r[d] = place[m][d] + shape[i][d];
      for (int d = 0; d < 3; ++d) {
        com[m][d] += layout.masses[i] * r[d];
        truth_moment[3 * f + d] += layout.charges[i] * r[d];
      }
      mass[m] += layout.masses[i];
      // Continuous per atom but shifted by the atom's own fixed lattice vector: what unwrapping
      // atom by atom gives when the molecule was split across the boundary in the first frame.
      for (int d = 0; d < 3; ++d) xyz[(f * n + i) * 3 + d] = r[d] + offset[i][d];
    }
    for (int m = 0; m < 3; ++m)
      for (int d = 0; d < 3; ++d) truth_com[f * 9 + 3 * m + d] = com[m][d] / mass[m];
  }
  std::vector<double> out(nframes * 9), moments(nframes * 3);
  const double reach = centres.compute(xyz.data(), cells.data(), nframes, {true, true, true}, nullptr, out.data(), moments.data());
  CHECK(reach > 11.9 && reach < 12.3);  // the chain, made whole along its bonds
  // Centre displacement from frame 0 must be exact (the root's lattice offset is constant).
  double worst = 0;
  for (int f = 0; f < nframes; ++f)
    for (int k = 0; k < 9; ++k)
      worst = std::max(worst, std::fabs((out[f * 9 + k] - out[k]) - (truth_com[f * 9 + k] - truth_com[k])));
  CHECK(worst < 1e-9);
  // The centre itself is the true one shifted by the root's lattice offset.
  const int roots[3] = {0, 3, 8};
  for (int m = 0; m < 3; ++m)
    for (int d = 0; d < 3; ++d) CHECK_NEAR(out[3 * m + d] - truth_com[3 * m + d], offset[roots[m]][d], 1e-9);
  // Charge moments: displacements exact (the constant shifts cancel in differences).
  worst = 0;
  for (int f = 0; f < nframes; ++f)
    for (int d = 0; d < 3; ++d)
      worst = std::max(worst, std::fabs((moments[3 * f + d] - moments[d]) - (truth_moment[3 * f + d] - truth_moment[d])));
  CHECK(worst < 1e-9);
  // Selected molecules only: molecule 2 alone carries charge +1 at its single atom.
  const unsigned char only2[3] = {0, 0, 1};
  centres.compute(xyz.data(), cells.data(), 1, {true, true, true}, only2, out.data(), moments.data());
  for (int d = 0; d < 3; ++d) CHECK_NEAR(moments[d], xyz[8 * 3 + d], 1e-12);

  // A centre atom instead of the centre of mass: the chain's last atom (7), whole along the bonds,
  // and the triatomic's first (0, its root: its continuous coordinate as given).
  MoleculeLayout named = layout;
  named.centre_atoms = {0, 7, -1};
  const MoleculeCentres by_atom(named);
  std::vector<double> at(nframes * 9);
  by_atom.compute(xyz.data(), cells.data(), nframes, {true, true, true}, nullptr, at.data(), nullptr);
  centres.compute(xyz.data(), cells.data(), nframes, {true, true, true}, nullptr, out.data(), nullptr);
  worst = 0;
  for (int f = 0; f < nframes; ++f)
    for (int d = 0; d < 3; ++d) {
      worst = std::max(worst, std::fabs(at[f * 9 + d] - xyz[(f * n + 0) * 3 + d]));
      // Atom 7 sits at the chain's root (atom 3) plus its offset in the whole molecule.
      const double truth = xyz[(f * n + 3) * 3 + d] + shape[7][d];
      worst = std::max(worst, std::fabs(at[f * 9 + 3 + d] - truth));
      worst = std::max(worst, std::fabs(at[f * 9 + 6 + d] - out[f * 9 + 6 + d]));
    }
  CHECK(worst < 1e-9);
  MoleculeLayout misplaced = layout;
  misplaced.centre_atoms = {0, 2, -1};  // atom 2 belongs to molecule 0
  CHECK_THROWS(MoleculeCentres{misplaced});

  // Without bonds the chain cannot be made whole (minimum image to the root folds it back).
  MoleculeLayout loose = layout;
  loose.bonds.clear();
  const MoleculeCentres folded(loose);
  const double short_reach = folded.compute(xyz.data(), cells.data(), 1, {true, true, true}, nullptr, out.data(), nullptr);
  CHECK(short_reach < 7.0);

  // Broken layouts are refused.
  MoleculeLayout bad = layout;
  bad.bonds = {0, 3};
  CHECK_THROWS(MoleculeCentres{bad});
  bad = layout;
  bad.molecule = {0, 0, 0, 2, 2, 2, 2, 2, 2};
  CHECK_THROWS(MoleculeCentres{bad});
  bad = layout;
  bad.masses[4] = 0;
  CHECK_THROWS(MoleculeCentres{bad});
  return check::summary("test_molecules");
}
