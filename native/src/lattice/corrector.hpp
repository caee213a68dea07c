#pragma once
// The harmonic corrector of the site network: a relaxation vector that sees the whole supercell.
//
// Where one species is much faster than the others, a tracer of it is trapped in the finite
// clusters (and dead ends) of fast sites, and its long-time displacement is far smaller than its
// jumps suggest. Local relaxation vectors (clusters within a few shells) cannot see a cluster's
// extent; the corrector of homogenisation theory can. Treat the lattice as a resistor network: a
// bond between nearest-neighbour sites i, j has conductance c_ij = 2 m_i m_j / (m_i + m_j), with
// m the mobility of the occupant (an atom: its bare exchange rate ν exp(−E0/k_BT); a vacancy: the
// fastest species' rate, so that a vacancy inside a fast cluster belongs to it). The corrector χ
// minimises Σ_bonds c_ij |d_ij + χ_j − χ_i|² (d_ij the bond vector), i.e. solves the graph
// Laplacian L χ = Σ_j c_ij d_ij; h = r + χ are the harmonic coordinates. Inside a cluster cut off by
// slow bonds h is constant (χ = centroid − r): jumps inside it give δx + Δχ = 0, which is what a
// trapped tracer does at long times. χ is equivariant (χ_{gX}(g r) = g χ_X(r)) and fixed to mean zero
// over the supercell. It is a trial function: the variational bound holds whatever the mobilities.
#include <cstdint>
#include <vector>

#include "ionfield/lattice.hpp"

namespace ionfield::lattice {

class HarmonicCorrector {
 public:
  // mobility: per species; the vacancy gets the largest.
  HarmonicCorrector(const Lattice& lattice, const std::vector<double>& mobility);
  double mobility(std::uint8_t occupant) const;
  // χ (sites × 3, units of a) for the occupancy by preconditioned conjugate gradients to a relative
  // residual of 1e-10; `warm`: start from the χ already in `chi` (a nearby state), else from 0.
  // Returns the iterations used.
  int solve(const std::uint8_t* occ, std::vector<double>& chi, bool warm);
  const Lattice& lattice() const { return lattice_; }

 private:
  const Lattice& lattice_;
  std::vector<double> mobility_;
  double vacancy_mobility_ = 1;
  std::vector<double> c_, r_, z_, p_, q_, diag_;  // bond conductances (sites × z), CG vectors
};

}  // namespace ionfield::lattice
