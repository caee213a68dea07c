#pragma once
// A kinoson study: sample equilibrium states, fit relaxation-vector models on training states by
// the variational principle, compare them by their value on validation states (lower is better:
// every model is an upper bound), and return the kinosons of the best model.
#include <string>
#include <vector>

#include "ionfield/trajectory_tail.hpp"
#include "ionfield/variational.hpp"

namespace ionfield::lattice {

// A linear vector-cluster basis by neighbour-shell ranges (0 = none). For a tracer the centre is
// the tracer atom; for collective targets the centre is each vacancy.
struct BasisSpec {
  std::string name = "linear";
  int vacancy_shells = 0;       // singlets: a vacancy within this many shells (-1: the whole supercell)
  int species_shells = 0;       // singlets: an atom of each species within this many shells
  int pair_first_shells = 0;    // pairs: (tracer: a vacancy; collective: an atom) within these shells …
  int pair_second_shells = 0;   // … and an atom of each species within these shells
  int triplet_first_shells = 0;   // triplets: (tracer: a vacancy; collective: an atom) within these shells …
  int triplet_second_shells = 0;  // … and two atoms of any species on distinct sites within these shells
  bool residual_bias = false;   // add the scaled-residual-bias refinement on top
  // Equivariant gated network on top of this basis (tracer targets; 0 hidden units = linear only).
  int hidden = 0;
  int epochs = 300;
  double learning_rate = 3e-3;
  int feature_shells = 2;
  // Equivariant site network on top of this basis (tracer and collective; 0 = none, see
  // ionfield/site_network.hpp): hidden units per layer, layers, neighbour shells summed over.
  // Uses epochs and learning_rate above.
  int network_hidden = 0;
  int network_layers = 2;
  int network_shells = 2;
  // Harmonic-corrector functions after the cluster basis (−1: none; see lattice/corrector_terms.hpp).
  int corrector_shells = -1;
};

std::vector<Cluster> basis_clusters(const Lattice& lattice, const EnergyModel& model, const BasisSpec& spec, bool collective);
int basis_shells_needed(const BasisSpec& spec);

struct StudyOptions {
  VariationalTarget target;
  TransitionSampling sampling = TransitionSampling::AllExits;
  double temperature = 1000;
  StateSampling training;    // counts, states, chains, sweeps, seed
  int validation_states = 1000;  // drawn with seed + 1
  std::vector<BasisSpec> models;  // "uncorrelated" (y = 0) is always evaluated first
  bool keep_kinosons = true;
  int kinoson_channel = 0;
  int threads = 0;
  // States read from files (ionfield kinosons generate) instead of sampled: used when non-empty.
  // given_validation_chains > 0: the validation states come from that many swap-MC chains in the
  // layout of sample_states (errors by block means); 0: independent states.
  std::vector<std::vector<std::uint8_t>> given_training, given_validation;
  int given_validation_chains = 0;
  // The training sums of every model ("uncorrelated" first, then `models`), all kFunctionalLanes
  // lanes each, from `kinosons fit --shard` runs (accumulate_training): used when non-empty, and
  // then no training state is sampled or read. Only linear models (shardable_model) qualify.
  std::vector<std::vector<QuadraticStats>> given_sums;
  // The bound tightened by short trajectories (ionfield/trajectory_tail.hpp): one segment from each
  // validation state through the best linear model (no network, no residual bias). tail.rounds 0:
  // off. tail.first is set from tail_first_jumps: that many jumps at the validation states' mean
  // escape rate (0: one jump per site).
  TailOptions tail{0, 0};
  double tail_first_jumps = 0;
};

// Why a model cannot be fitted from shards' sums ("" when it can): the networks are trained by
// gradient descent over epochs of all training states, and the residual bias is fitted in a
// second pass over the training states at the solved coefficients.
std::string unshardable_reason(const BasisSpec& spec);

// One shard of a fit: the training sums of lanes [first_lane, last_lane) (see
// accumulate_functional_lanes) for every model, "uncorrelated" first. Samples (or slices from
// given_training) only the training states of those lanes.
struct TrainingSums {
  int first_lane = 0, last_lane = kFunctionalLanes;
  long long first_state = 0, last_state = 0;
  std::vector<std::string> names;
  std::vector<std::vector<QuadraticStats>> lanes;  // per model, per lane in range
  std::vector<double> accumulate_seconds;          // per model (wall)
  double sampling_seconds = 0;
};
TrainingSums accumulate_training(const Lattice& lattice, const EnergyModel& model, const StudyOptions& options, int first_lane, int last_lane,
                                 const ProgressFn& progress = {});

struct ModelResult {
  std::string name;
  int functions = 0, rank = 0;
  double residual_coefficient = 0;   // channel 0 (all channels in residual_coefficients)
  std::vector<double> residual_coefficients;
  std::vector<double> training_value;  // channels²
  std::vector<Estimate> validation;    // channels²
  double fit_seconds = 0, validation_seconds = 0;
  // Where the fit's time goes: accumulating the quadratic form (wall), the linear solve (wall),
  // and within the accumulation the corrector solves (count, CG iterations, thread-seconds).
  double accumulate_seconds = 0, solve_seconds = 0;
  long long corrector_solves = 0, corrector_iterations = 0;
  double corrector_seconds = 0;
};

struct TailSummary {
  std::string model;        // the linear model whose y the segments see
  double first_jumps = 0;   // the first checkpoint in expected jumps
  double seconds = 0;       // wall
  TailResult result;
  TailEstimates estimates;
};

struct StudyResult {
  int channels = 0;
  long long training_transitions = 0, validation_transitions = 0;
  double sampling_seconds = 0;
  std::vector<ModelResult> models;
  int best = 0;                      // lowest validation value of the kinoson channel
  std::vector<Kinoson> kinosons;     // of the best model on the validation states
  // Block of each validation state for error bars (states of one swap-MC chain are correlated:
  // see chain_blocks; independent states are each their own block).
  std::vector<int> validation_blocks;
  bool has_tail = false;
  TailSummary tail;
};

StudyResult run_study(const Lattice& lattice, const EnergyModel& model, const StudyOptions& options, const ProgressFn& progress = {});

}  // namespace ionfield::lattice
