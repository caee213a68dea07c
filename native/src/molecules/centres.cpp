// Whole molecules and their centres of mass (scheme in ionfield/molecules.hpp).
#include <algorithm>
#include <cmath>
#include <string>

#include "ionfield/error.hpp"
#include "ionfield/molecules.hpp"

namespace ionfield {
namespace {

// Rows-convention inverse of a 3x3 cell (fractional = r * inv). A singular cell leaves inv zero,
// which turns the minimum image off (callers pass nullptr cells for files without one).
bool invert(const double* h, double inv[9]) {
  const double det = h[0] * (h[4] * h[8] - h[5] * h[7]) - h[1] * (h[3] * h[8] - h[5] * h[6]) + h[2] * (h[3] * h[7] - h[4] * h[6]);
  if (!(std::fabs(det) > 0)) return false;
  inv[0] = (h[4] * h[8] - h[5] * h[7]) / det;
  inv[1] = (h[2] * h[7] - h[1] * h[8]) / det;
  inv[2] = (h[1] * h[5] - h[2] * h[4]) / det;
  inv[3] = (h[5] * h[6] - h[3] * h[8]) / det;
  inv[4] = (h[0] * h[8] - h[2] * h[6]) / det;
  inv[5] = (h[2] * h[3] - h[0] * h[5]) / det;
  inv[6] = (h[3] * h[7] - h[4] * h[6]) / det;
  inv[7] = (h[1] * h[6] - h[0] * h[7]) / det;
  inv[8] = (h[0] * h[4] - h[1] * h[3]) / det;
  return true;
}

}  // namespace

MoleculeCentres::MoleculeCentres(const MoleculeLayout& layout)
    : molecule_(layout.molecule), atom_mass_(layout.masses), atom_charge_(layout.charges) {
  const std::size_t n = molecule_.size();
  if (n == 0) throw UsageError("molecules: no atoms");
  if (atom_mass_.size() != n || atom_charge_.size() != n) throw UsageError("molecules: need one mass and one charge per atom");
  if (layout.bonds.size() % 2 != 0) throw UsageError("molecules: bonds must come in atom pairs");
  int nmol = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (molecule_[i] < 0) throw UsageError("molecules: atom " + std::to_string(i) + " has a negative molecule index");
    if (!(atom_mass_[i] > 0) || !std::isfinite(atom_mass_[i]))
      throw UsageError("molecules: atom " + std::to_string(i) + " has mass " + std::to_string(atom_mass_[i]) + " (expected > 0)");
    nmol = std::max(nmol, molecule_[i] + 1);
  }
  // Atoms grouped by molecule, in index order: the first atom of each molecule is its root.
  std::vector<std::size_t> count(nmol + 1, 0);
  for (int m : molecule_) ++count[m + 1];
  for (int m = 0; m < nmol; ++m) {
    if (count[m + 1] == 0) throw UsageError("molecules: molecule index " + std::to_string(m) + " has no atoms");
    count[m + 1] += count[m];
  }
  starts_.assign(count.begin(), count.end());
  // Adjacency from bonds (compressed rows), checked to stay inside one molecule.
  std::vector<std::size_t> degree(n + 1, 0);
  for (std::size_t b = 0; b < layout.bonds.size(); b += 2) {
    const int i = layout.bonds[b], j = layout.bonds[b + 1];
    if (i < 0 || j < 0 || static_cast<std::size_t>(i) >= n || static_cast<std::size_t>(j) >= n)
      throw UsageError("molecules: bond " + std::to_string(b / 2) + " names an atom out of range");
    if (molecule_[i] != molecule_[j])
      throw UsageError("molecules: bond between atoms " + std::to_string(i) + " and " + std::to_string(j) +
                       " joins two molecules (" + std::to_string(molecule_[i]) + " and " + std::to_string(molecule_[j]) + ")");
    ++degree[i + 1];
    ++degree[j + 1];
  }
  for (std::size_t i = 0; i < n; ++i) degree[i + 1] += degree[i];
  std::vector<int> adjacent(degree[n]);
  std::vector<std::size_t> fill(degree.begin(), degree.end() - 1);
  for (std::size_t b = 0; b < layout.bonds.size(); b += 2) {
    adjacent[fill[layout.bonds[b]]++] = layout.bonds[b + 1];
    adjacent[fill[layout.bonds[b + 1]]++] = layout.bonds[b];
  }
  // Breadth-first walk of each molecule's bond graph from its root; atoms that no bond reaches
  // (no bonds given, or a fragment) hang from the root.
  std::vector<std::vector<int>> members(nmol);
  for (std::size_t i = 0; i < n; ++i) members[molecule_[i]].push_back(static_cast<int>(i));
  walk_.reserve(n);
  parent_.assign(n, -2);
  for (int m = 0; m < nmol; ++m) {
    const int root = members[m].front();
    const std::size_t begin = walk_.size();
    walk_.push_back(root);
    parent_[root] = -1;
    for (std::size_t k = begin; k < walk_.size(); ++k)
      for (std::size_t e = degree[walk_[k]]; e < degree[walk_[k] + 1]; ++e)
        if (parent_[adjacent[e]] == -2) {
          parent_[adjacent[e]] = walk_[k];
          walk_.push_back(adjacent[e]);
        }
    for (int a : members[m])
      if (parent_[a] == -2) {
        parent_[a] = root;
        walk_.push_back(a);
      }
  }
  if (!layout.centre_atoms.empty()) {
    if (layout.centre_atoms.size() != static_cast<std::size_t>(nmol)) throw UsageError("molecules: need one centre atom (or -1) per molecule");
    for (int m = 0; m < nmol; ++m) {
      const int a = layout.centre_atoms[m];
      if (a >= 0 && (static_cast<std::size_t>(a) >= n || molecule_[a] != m))
        throw UsageError("molecules: the centre atom of molecule " + std::to_string(m) + " is not one of its atoms");
    }
    centre_atoms_ = layout.centre_atoms;
  }
  mass_.assign(nmol, 0.0);
  charge_.assign(nmol, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    mass_[molecule_[i]] += atom_mass_[i];
    charge_[molecule_[i]] += atom_charge_[i];
  }
}

double MoleculeCentres::compute(const double* xyz, const double* cells, std::size_t nframes,
                                const std::array<bool, 3>& periodic, const unsigned char* selected, double* centres,
                                double* moments) const {
  const std::size_t n = molecule_.size(), nmol = mass_.size();
  std::vector<double> whole(3 * n);  // whole-molecule positions of the current frame, by atom
  double reach2 = 0;
  for (std::size_t f = 0; f < nframes; ++f) {
    const double* r = xyz + f * n * 3;
    double inv[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    const double* h = cells ? cells + 9 * f : nullptr;
    const bool image = h && invert(h, inv) && (periodic[0] || periodic[1] || periodic[2]);
    double* c = centres + f * nmol * 3;
    double moment[3] = {0, 0, 0};
    for (std::size_t m = 0; m < nmol; ++m) {
      double sum[3] = {0, 0, 0};
      for (std::size_t k = starts_[m]; k < starts_[m + 1]; ++k) {
        const int a = walk_[k], p = parent_[a];
        double* w = &whole[3 * a];
        if (p < 0) {
          for (int d = 0; d < 3; ++d) w[d] = r[3 * a + d];
        } else {
          double v[3] = {r[3 * a] - r[3 * p], r[3 * a + 1] - r[3 * p + 1], r[3 * a + 2] - r[3 * p + 2]};
          if (image) {
            // Bond vectors are almost always shorter than half the cell: shift (and go back to
            // Cartesian) only when a fractional component says the bond crosses the cell.
            double s[3], n[3] = {0, 0, 0};
            bool shift = false;
            for (int d = 0; d < 3; ++d) {
              s[d] = v[0] * inv[d] + v[1] * inv[3 + d] + v[2] * inv[6 + d];
              if (periodic[d] && std::fabs(s[d]) > 0.5) {
                n[d] = std::nearbyint(s[d]);
                shift = true;
              }
            }
            if (shift)
              for (int d = 0; d < 3; ++d) v[d] -= n[0] * h[d] + n[1] * h[3 + d] + n[2] * h[6 + d];
          }
          for (int d = 0; d < 3; ++d) w[d] = whole[3 * p + d] + v[d];
          const int root = walk_[starts_[m]];
          double e2 = 0;
          for (int d = 0; d < 3; ++d) e2 += (w[d] - whole[3 * root + d]) * (w[d] - whole[3 * root + d]);
          reach2 = std::max(reach2, e2);
        }
        for (int d = 0; d < 3; ++d) sum[d] += atom_mass_[a] * w[d];
        if (moments && (!selected || selected[m]))
          for (int d = 0; d < 3; ++d) moment[d] += atom_charge_[a] * w[d];
      }
      const int centre = centre_atoms_.empty() ? -1 : centre_atoms_[m];
      for (int d = 0; d < 3; ++d) c[3 * m + d] = centre >= 0 ? whole[3 * centre + d] : sum[d] / mass_[m];
    }
    if (moments)
      for (int d = 0; d < 3; ++d) moments[3 * f + d] = moment[d];
  }
  return std::sqrt(reach2);
}

}  // namespace ionfield
