#pragma once
// The variational principle for diffusion (VPD) on sampled transitions, and a symmetry-adapted
// linear vector basis for the relaxation vectors (a vector cluster expansion).
//
//   L(y) = 1/(2 d N) Σ_X π(X) Σ_X' W(X→X') |δx + y(X') − y(X)|²,   d = 3
//
// N = N_sites for the collective coefficients L_ab (one relaxation vector y_a per species, a
// function of the whole state, built around each vacancy) and N = N_s for the tracer coefficient
// of species s (one relaxation vector per atom of species s, built around that atom). Any y gives
// an upper bound; y = 0 is the uncorrelated bound; the minimiser gives the exact coefficient.
//
// Basis: a cluster C is a set of (offset, occupant) pairs relative to a centre site. For each C
// and each Cartesian direction e the vector function
//     b_{C,e}(X; c) = Σ_{g ∈ O_h} [g·C matches X around c] g·e
// is equivariant by construction: b(gX; g c) = g b(X; c). y(X; c) = Σ θ_{C,e} b_{C,e}(X; c).
// The functional is quadratic in θ, so its minimum is one (pseudo-)linear solve.
#include <cstdint>
#include <functional>
#include <vector>

#include "ionfield/kinetics.hpp"
#include "ionfield/lattice.hpp"

namespace ionfield::lattice {

struct ClusterSite {
  IVec offset;            // units of a/2, relative to the centre
  std::uint8_t occupant;  // species index or kVacancy
};
using Cluster = std::vector<ClusterSite>;

// Generators of symmetry-distinct clusters (one representative per O_h orbit).
// Singlets: one site within |r|² <= max_norm2 ((a/2)² units) holding each of `occupants`.
std::vector<Cluster> singlet_clusters(const Lattice& lattice, int max_norm2, const std::vector<std::uint8_t>& occupants);
// Pairs: occupant from `first` within first_norm2 and occupant from `second` within second_norm2.
std::vector<Cluster> pair_clusters(const Lattice& lattice, int first_norm2, const std::vector<std::uint8_t>& first, int second_norm2,
                                   const std::vector<std::uint8_t>& second);
// Triplets: occupant from `first` within first_norm2 and two occupants from `second` on two
// distinct sites within second_norm2 (the environment of a vacancy, which pairs see one site at a time).
std::vector<Cluster> triplet_clusters(const Lattice& lattice, int first_norm2, const std::vector<std::uint8_t>& first, int second_norm2,
                                      const std::vector<std::uint8_t>& second);

class VectorBasis {
 public:
  VectorBasis(const Lattice& lattice, std::vector<Cluster> clusters);
  int size() const { return 3 * static_cast<int>(clusters_.size()); }  // functions (C, e)
  const std::vector<Cluster>& clusters() const { return clusters_; }
  // out[f*3 + d] += component d of function f at centre c (out has size()*3 entries).
  void accumulate(const std::uint8_t* occ, int centre, double* out) const;
  // Only the images with a site at offset `changed` (wrapped) from the centre: adds sign × their
  // matched contributions. Used for the change of b(·; c) when the occupants of a few sites change.
  // `seen`/`stamp` dedupe images touched by several changed sites (seen has images() entries).
  void accumulate_touching(const std::uint8_t* occ, int centre, const IVec* changed, int count, double sign, double* out,
                           std::vector<int>& seen, int stamp) const;
  // The same as accumulate, visiting only the images that can match: those with a site at a
  // vacancy (an image that asks for a vacancy matches only there) and those asking for none.
  // Much cheaper with few vacancies and basis ranges spanning the supercell. seen/stamp as above.
  void accumulate_around_vacancies(const std::uint8_t* occ, int centre, const std::vector<int>& vacancies, double* out, std::vector<int>& seen,
                                   int stamp) const;
  // Offsets o such that the occupant at c + o can change b(·; c) (includes 0).
  const std::vector<IVec>& reach() const { return reach_; }
  int images() const { return static_cast<int>(images_.size()); }

 private:
  struct Image {
    std::vector<ClusterSite> sites;
    int cluster;
    double m[3][3];  // Σ of the group operations that map the cluster onto this image
  };
  const Lattice& lattice_;
  std::vector<Cluster> clusters_;
  std::vector<Image> images_;
  std::vector<IVec> reach_;
  std::vector<std::vector<int>> by_offset_;  // wrapped offset (L³ index) → images with a site there
  std::vector<int> vacancy_free_;            // images that ask for no vacancy
  void add_image(const std::uint8_t* occ, const Image& im, const IVec& pc, double sign, double* out) const;
};

enum class TransitionSampling { AllExits, KmcChoice };

// What the functional is for: the tracer of one species, or the collective L_ab of all species.
struct VariationalTarget {
  bool collective = false;
  int species = 0;  // tracer species (ignored for collective)
};

// Sufficient statistics of the quadratic functional over a set of states:
// L(θ_a, θ_b) = (C_ab + θ_a·B_b + θ_b·B_a + θ_aᵀ A θ_b) / (2 d N states), channels a, b (species
// for collective, one channel for tracer).
struct QuadraticStats {
  int functions = 0, channels = 0;
  long long states = 0, transitions = 0;
  double norm = 0;           // 1 / (2 d N)
  std::vector<double> A;     // functions²
  std::vector<double> B;     // functions × channels
  std::vector<double> C;     // channels²
  // Profile: harmonic-corrector solves (lattice/corrector_terms.hpp), their CG iterations and
  // thread-seconds (summed over lanes; 0 without a corrector).
  long long corrector_solves = 0, corrector_iterations = 0;
  double corrector_seconds = 0;
  void merge(const QuadraticStats& other);
};

struct VariationalOptions {
  VariationalTarget target;
  TransitionSampling sampling = TransitionSampling::AllExits;
  double temperature = 1000;
  std::uint64_t seed = 1;  // for the KMC choice of one jump per state
  int threads = 0;
  // Harmonic-corrector functions after the cluster basis (lattice/corrector_terms.hpp): −1 off,
  // 0 χ alone, k ≥ 1 also the vacancy's harmonic offset in shells 1 … k (tracer targets).
  int corrector_shells = -1;
};

QuadraticStats accumulate_functional(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                                     const std::vector<std::vector<std::uint8_t>>& states, const VariationalOptions& options,
                                     const ProgressFn& progress = {});

// The accumulation runs in a fixed number of lanes: lane l sums the states
// [lane_start(l, n), lane_start(l + 1, n)) of the n states in order, and the lanes are added in
// lane order (merge_lanes). So the sums do not depend on the thread count, and a part of the run
// that holds whole lanes (`kinosons fit --shard`) gives the single run's lane sums bit for bit.
constexpr int kFunctionalLanes = 16;
inline long long lane_start(int lane, long long n) { return static_cast<long long>(lane) * n / kFunctionalLanes; }
// The sums of lanes [first_lane, last_lane) of a set of `total` states; `states` holds the states
// [lane_start(first_lane, total), lane_start(last_lane, total)) of that set (the KMC choice of a
// jump is seeded by each state's index in the whole set). One QuadraticStats per lane.
std::vector<QuadraticStats> accumulate_functional_lanes(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                                                        const std::vector<std::vector<std::uint8_t>>& states, const VariationalOptions& options,
                                                        long long total, int first_lane, int last_lane, const ProgressFn& progress = {});
// lanes[0] + lanes[1] + … in that order (the single run's total).
QuadraticStats merge_lanes(const std::vector<QuadraticStats>& lanes);

// θ = −A⁺ B (per channel), dropping directions with pivots below rel_tol × max diagonal.
struct LinearSolution {
  std::vector<double> theta;  // functions × channels
  int rank = 0;
};
LinearSolution solve_linear(const QuadraticStats& stats, double rel_tol = 1e-10);
// L_ab at the given coefficients (channels², row-major); theta empty = y = 0.
std::vector<double> functional_value(const QuadraticStats& stats, const std::vector<double>& theta);

// Per-state and per-transition values at fixed θ: kinosons.
struct Kinoson {
  std::int32_t state;
  std::uint8_t species;      // jumping species
  std::uint8_t environment;  // like-species nearest neighbours of the jumping atom before the jump
  float rate;                // W (AllExits) or W_tot (KmcChoice)
  double value;              // κ = W |δx + Δy|² / (2 d N) for the target's diagonal channel
};
struct Evaluation {
  int channels = 0;
  std::vector<double> per_state;  // states × channels²: Σ_X' κ_ab for each state
  std::vector<Estimate> value;    // channels²: mean over states with standard error
  std::vector<Kinoson> kinosons;  // when requested; value is channel (a, a) with a = kinoson_channel
};
// residual: coefficients c_a of the scaled residual bias per channel (empty = not used).
Evaluation evaluate_functional(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                               const std::vector<std::vector<std::uint8_t>>& states, const std::vector<double>& theta,
                               const VariationalOptions& options, bool keep_kinosons = false, int kinoson_channel = 0,
                               const std::vector<double>& residual = {});

// The scaled-residual-bias refinement (sohamch/MDMC) on top of θ: per channel, the coefficient c
// of b(X) = Σ_X' (W/W_tot)(δx + y(X') − y(X)) that minimises the functional on these states.
std::vector<double> fit_residual_bias(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                                      const std::vector<std::vector<std::uint8_t>>& states, const std::vector<double>& theta,
                                      const VariationalOptions& options);

}  // namespace ionfield::lattice
