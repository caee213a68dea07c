#pragma once
// An equivariant neural relaxation-vector model on top of a linear vector-cluster basis, for tracer
// and collective targets, trained by gradient descent on the variational functional:
//
//   y_a(X; c) = Σ_k θ_ka b_k(X; c) + Σ_{j ∈ N_R(c)} φ_a(e_j(X; c)) r_j
//
// r_j runs over the neighbour vectors of the first R shells around the centre c (the tracer atom,
// or each vacancy for collective targets), and e_j is an invariant description of site c + r_j:
// its shell, its occupant and the occupant counts of its own nearest neighbours. φ is a small MLP
// (tanh hidden layers, one output per channel). A point-group operation g permutes the sites of
// N_R(c), maps r_j to g r_j and leaves every e_j unchanged, so y(gX; c) = g y(X; c) by
// construction. θ is the exact linear solution and stays fixed; the last layer of φ starts at zero,
// so training starts exactly at the linear model and keeps the best training value (never above it).
//
// The descriptions e_j are discrete, so the training data store each distinct one once (a table of
// "environments") and every transition as rows (environment, neighbour vector, ±1): an epoch costs
// one MLP pass per distinct environment plus a sweep over the rows, whatever the MLP width.
#include <cstdint>
#include <vector>

#include "ionfield/variational.hpp"

namespace ionfield::lattice {

struct SiteNetworkOptions {
  int shells = 2;        // R: neighbour shells summed over around the centre
  int hidden = 16;       // units per hidden layer
  int layers = 2;        // hidden layers
  int epochs = 400;
  double learning_rate = 1e-2;
  std::uint64_t seed = 1;
};

// Cached terms of the functional on a set of states (both sides of every changed relaxation vector).
struct SiteNetworkData {
  int channels = 0, shells = 0, species = 0;
  double norm = 0;
  long long states = 0;
  std::vector<std::uint64_t> environments;  // distinct e_j, packed (see site_environment)
  std::vector<IVec> vectors;                             // neighbour vectors r_j (units of a/2)
  struct Row {
    int environment;
    int vector;
    double sign;  // +1 after the jump, −1 before
  };
  struct Term {
    int transition;
    std::vector<double> u;  // channels × 3: δx + Δ(linear y)
    int begin, end;         // rows
  };
  std::vector<Row> rows;
  std::vector<Term> terms;
  std::vector<Kinoson> transitions;  // one per sampled transition (value unset)
  std::vector<double> weights;       // per transition
};

SiteNetworkData cache_site_network(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                                   const std::vector<double>& theta, const std::vector<std::vector<std::uint8_t>>& states,
                                   const VariationalOptions& options, int shells);

struct SiteNetwork {
  int inputs = 0, hidden = 0, layers = 0, outputs = 0, shells = 0, species = 0;
  std::vector<std::vector<double>> W, b;  // per layer: out × in, out
  double training_value = 0;
  int best_epoch = 0;
};

// The invariant input vector of one packed environment: one-hot shell, one-hot occupant, counts / z.
std::vector<double> environment_inputs(std::uint64_t e, int shells, int species, int z);

SiteNetwork train_site_network(const SiteNetworkData& train, const SiteNetworkOptions& options, int threads);
// Per-state values (mean ± error over states) and per-transition kinosons of the channel.
Evaluation evaluate_site_network(const SiteNetwork& net, const SiteNetworkData& data, bool keep_kinosons, int kinoson_channel = 0);
// The network part Σ_j φ_a(e_j) r_j at one centre (a² units: a), channels × 3; for the equivariance test.
std::vector<double> site_network_vector(const SiteNetwork& net, const Lattice& lattice, const std::uint8_t* occ, int centre);
// The environment of `site` seen from a centre at neighbour shell `shell`, packed as
// shell | occupant code << 4 | count_o << (10 + 4 o) (occupant code S = vacancy; up to 10 species).
std::uint64_t site_environment(const Lattice& lattice, int species, const std::uint8_t* occ, int site, int shell);

}  // namespace ionfield::lattice
