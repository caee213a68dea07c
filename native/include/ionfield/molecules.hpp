#pragma once
// Centres of mass of molecules, frame after frame, from continuous (unwrapped) atom coordinates.
//
// Each molecule is made whole in every frame by walking a spanning tree of its bonds from its
// first atom (its root): an atom is placed at its parent's whole position plus the minimum-image
// bond vector; atoms no bond reaches hang from the root (minimum image relative to the first
// atom). The root keeps its continuous coordinate, so the whole molecule, and its centre of mass,
// follow the root across periodic boundaries: the centres are unwrapped consistently across frames
// without a second unwrapping pass, and a molecule longer than half the cell is still made whole
// when its bonds are known. Memory: the topology only; frames stream through.
#include <array>
#include <cstddef>
#include <vector>

namespace ionfield {

struct MoleculeLayout {
  std::vector<int> molecule;    // per atom: its molecule, 0..nmol-1 (every molecule needs an atom)
  std::vector<double> masses;   // per atom, > 0
  std::vector<double> charges;  // per atom (units of e)
  std::vector<int> bonds;       // atom index pairs (2 per bond, both in one molecule); may be empty
  // Per molecule: an atom of it whose (whole-molecule) position stands for the molecule instead of
  // its centre of mass, -1 for the centre of mass; empty: centres of mass throughout.
  std::vector<int> centre_atoms;
};

class MoleculeCentres {
 public:
  explicit MoleculeCentres(const MoleculeLayout& layout);

  std::size_t atoms() const { return molecule_.size(); }
  std::size_t molecules() const { return mass_.size(); }
  const std::vector<double>& molecule_masses() const { return mass_; }
  const std::vector<double>& molecule_charges() const { return charge_; }

  // xyz: nframes * natoms * 3 continuous coordinates; cells: nframes * 9 cell vectors as rows, or
  // nullptr (no cell: atoms are taken as they are). periodic: which cell vectors are periodic.
  // selected: one flag per molecule, or nullptr for all. Writes centres (nframes * nmol * 3: centres of mass, or the centre atoms) and,
  // if moments is not null, moments (nframes * 3) = sum over the atoms of the selected molecules of
  // q_i r_i (whole-molecule positions): the charge displacement from atomic partial charges.
  // Returns the largest distance of an atom from its molecule's root seen (a molecule that spans
  // more than half a cell cannot have been made whole without bonds: the caller can warn).
  double compute(const double* xyz, const double* cells, std::size_t nframes, const std::array<bool, 3>& periodic,
                 const unsigned char* selected, double* centres, double* moments) const;

 private:
  std::vector<int> molecule_;
  std::vector<double> atom_mass_, atom_charge_;
  std::vector<std::size_t> starts_;  // per molecule, into walk_
  std::vector<int> walk_;            // atoms molecule by molecule, root first, parents before children
  std::vector<int> parent_;          // per atom: parent in the walk (-1: the root)
  std::vector<double> mass_, charge_;
  std::vector<int> centre_atoms_;    // per molecule, or empty
};

}  // namespace ionfield
