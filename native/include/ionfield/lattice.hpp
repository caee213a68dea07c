#pragma once
// Cubic lattices (simple cubic, BCC, FCC) in periodic supercells of N×N×N conventional cubic cells,
// their neighbour shells and the 48 operations of the cubic point group O_h.
//
// Positions are integer triples in units of a/2 (a = conventional lattice parameter), so every
// site of all three lattices and every jump vector is exact integer arithmetic:
//   SC  sites at (2i, 2j, 2k)                              1 site per conventional cell
//   BCC sites at SC + {(0,0,0), (1,1,1)}                    2 sites per cell
//   FCC sites at SC + {(0,0,0), (1,1,0), (1,0,1), (0,1,1)}  4 sites per cell
// The supercell is periodic with period L = 2N along x, y and z.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ionfield::lattice {

using IVec = std::array<int, 3>;
using IMat = std::array<std::array<int, 3>, 3>;  // rows; applied as M·v

enum class LatticeKind { SimpleCubic, BCC, FCC };

LatticeKind parse_lattice_kind(const std::string& name);  // "sc" | "bcc" | "fcc" (throws otherwise)
std::string lattice_kind_name(LatticeKind kind);

// The 48 signed permutation matrices of O_h (identity first). They map every cubic lattice onto
// itself about any of its sites, and an N×N×N conventional supercell onto itself.
const std::vector<IMat>& cubic_point_group();
IVec apply(const IMat& m, const IVec& v);

inline int dot(const IVec& a, const IVec& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline IVec add(const IVec& a, const IVec& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
inline IVec sub(const IVec& a, const IVec& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }

class Lattice {
 public:
  // cells: N conventional cells per edge (>= 2 so that a jump vector and its reverse reach
  // different sites); shells: how many neighbour shells to tabulate (>= 1).
  Lattice(LatticeKind kind, int cells, int shells = 1);

  LatticeKind kind() const { return kind_; }
  int cells() const { return cells_; }
  int period() const { return 2 * cells_; }  // L in units of a/2
  int num_sites() const { return static_cast<int>(positions_.size()); }
  const IVec& position(int site) const { return positions_[site]; }
  // The site at a position (wrapped into the supercell); -1 if the position is not a lattice site.
  int site_at(const IVec& p) const;
  IVec wrap(const IVec& p) const;

  int num_shells() const { return static_cast<int>(shell_vectors_.size()); }
  // Vectors from a site to the members of shell s (s = 0: nearest neighbours), units of a/2.
  const std::vector<IVec>& shell_vectors(int s) const { return shell_vectors_[s]; }
  int coordination(int s) const { return static_cast<int>(shell_vectors_[s].size()); }
  // |vector|² of shell s in units of (a/2)².
  int shell_norm2(int s) const { return shell_norm2_[s]; }
  // Neighbour k of site i in shell s (a periodic image may repeat a site in tiny supercells).
  int neighbour(int site, int s, int k) const { return neighbours_[s][static_cast<std::size_t>(site) * shell_vectors_[s].size() + k]; }
  const int* neighbours(int site, int s) const { return &neighbours_[s][static_cast<std::size_t>(site) * shell_vectors_[s].size()]; }

  // All distinct lattice vectors (minimal images in [-N, N) per component, units of a/2) with
  // 0 < |v|² <= max_norm2, sorted by length: the offsets a cluster basis can use.
  std::vector<IVec> offsets_within(int max_norm2) const;

 private:
  LatticeKind kind_;
  int cells_;
  std::vector<IVec> positions_;
  std::vector<int> lookup_;  // (L³) position → site or -1
  std::vector<std::vector<IVec>> shell_vectors_;
  std::vector<int> shell_norm2_;
  std::vector<std::vector<int>> neighbours_;
};

}  // namespace ionfield::lattice
