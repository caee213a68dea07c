#pragma once
// The tracer correlation factor of a single vacancy in a pure lattice, solved exactly for a
// finite periodic supercell.
//
// With one vacancy and one tracer, the state is the vacancy's position relative to the tracer
// (N_sites − 1 states, all equally likely). In the variational principle the relaxation vector
// is then a function y(r) of that position alone; taking one free vector per position (the
// complete basis) makes the minimum exact. The minimiser solves, per Cartesian component, a graph
// Laplacian system  Σ_{r→r'} (y(r) − y(r')) = Σ_{r→r'} δx(r→r'), solved here by conjugate
// gradients. f = L_min / L_uncorrelated.
#include "ionfield/lattice.hpp"

namespace ionfield::lattice {

struct ExactCorrelation {
  double f = 0;             // finite-supercell tracer correlation factor
  int states = 0;           // N_sites − 1
  int iterations = 0;       // conjugate-gradient iterations
  double residual = 0;      // final relative residual
};

ExactCorrelation exact_tracer_correlation(const Lattice& lattice, double tolerance = 1e-12);

// The infinite-lattice values (vacancy mechanism, nearest-neighbour jumps).
double known_correlation_factor(LatticeKind kind);

}  // namespace ionfield::lattice
