#pragma once
// An equivariant neural relaxation-vector model for tracers, trained by gradient descent on the
// variational functional:
//
//   y(X; c) = Σ_k b_k(X; c) g_k(s(X; c)),   g_k(s) = θ_k + Σ_h V_kh tanh(Σ_f U_hf ŝ_f + a_h)
//
// b_k are the O_h-equivariant vector-cluster functions (ionfield/variational.hpp) and s(X; c) are
// invariant features (counts of each occupant in the first neighbour shells around c, ŝ their
// standardised values), so y(gX; c) = g y(X; c) for every g by construction. With V = 0 it is the
// linear model; training starts there (θ from the exact linear solve) and descends the functional
// with Adam on the whole training set.
#include <cstdint>
#include <vector>

#include "ionfield/variational.hpp"

namespace ionfield::lattice {

struct GatedOptions {
  int hidden = 8;
  int feature_shells = 2;
  int epochs = 300;
  double learning_rate = 3e-3;
  std::uint64_t seed = 1;
};

// Invariant features of centre c: occupant counts (species 0..S-1, then vacancy) per shell.
std::vector<double> invariant_features(const Lattice& lattice, int species, const std::uint8_t* occ, int centre, int shells);

// The terms of the functional on a set of states, cached with both sides of every transition.
struct GatedTerm {
  int transition;
  double dx[3];
  std::vector<std::pair<int, double>> before, after;  // sparse (function·3 + component, value)
  std::vector<float> s_before, s_after;
};
struct GatedData {
  int functions = 0, features = 0;
  double norm = 0;
  long long states = 0;
  std::vector<GatedTerm> terms;
  std::vector<Kinoson> transitions;  // one per sampled transition (value unset), with its state
  std::vector<double> weights;       // per transition
};
GatedData cache_gated_terms(const Lattice& lattice, const EnergyModel& model, const VectorBasis& basis,
                            const std::vector<std::vector<std::uint8_t>>& states, const VariationalOptions& options, int feature_shells);

struct GatedModel {
  int K = 0, F = 0, H = 0;
  std::vector<double> theta, V, U, a;  // K, K×H, H×F, H
  std::vector<double> mean, scale;     // feature standardisation (from training data)
  double training_value = 0;
};

// Trains from the linear coefficients theta0 (tracer channel). Deterministic for the seed.
GatedModel train_gated(const GatedData& train, const std::vector<double>& theta0, const GatedOptions& options, int threads);
// Functional value with per-state values (for errors) and per-transition kinosons.
Evaluation evaluate_gated(const GatedModel& model, const GatedData& data, bool keep_kinosons);
// The relaxation vector of one centre (used by the equivariance test).
void gated_vector(const GatedModel& model, const VectorBasis& basis, const Lattice& lattice, int species, const std::uint8_t* occ,
                  int centre, int feature_shells, double out[3]);

}  // namespace ionfield::lattice
