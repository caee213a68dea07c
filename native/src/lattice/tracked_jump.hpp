#pragma once
// A jump applied to a state whose atoms are followed: the occupancy, which atom sits where, each
// atom's unwrapped displacement (units of a/2) and the vacancy list. Shared by the KMC
// trajectories and the trajectory tail so that both move atoms the same way.
#include <cstdint>
#include <vector>

#include "ionfield/kinetics.hpp"

namespace ionfield::lattice {

// Returns the atom that moved. Int: the displacement's integer type (the trajectory tail keeps
// every segment in memory between checkpoints and uses 32 bits; whole KMC trajectories 64).
template <class Int>
int apply_tracked_jump(const Lattice& lattice, const Jump& j, std::vector<std::uint8_t>& occ, std::vector<int>& atom_at, std::vector<Int>& disp,
                       std::vector<int>& vacancies) {
  const int atom = atom_at[j.target];
  const IVec& z = lattice.shell_vectors(0)[j.vector];
  for (int d = 0; d < 3; ++d) disp[3 * atom + d] -= z[d];  // the atom moves against the vacancy
  std::swap(occ[j.vacancy], occ[j.target]);
  atom_at[j.vacancy] = atom;
  atom_at[j.target] = -1;
  for (int& v : vacancies)
    if (v == j.vacancy) {
      v = j.target;
      break;
    }
  return atom;
}

}  // namespace ionfield::lattice
