#pragma once
// Transport accumulators: time correlations of displacements over all time origins, with memory
// that does not grow with the number of frames.
//
// Scheme (a multiple-tau correlator with decimation, see docs/transport.md):
//   level 0 keeps the last p frames in a ring buffer and correlates every new frame with each of
//   them: lags 1..p frames, every frame an origin (the exact all-origins ring buffer);
//   level k >= 1 keeps every m^k-th frame in its own ring of p slots and adds lags j*m^k for
//   p/m < j <= p, with origins every m^k frames.
// Displacements are exact differences of stored positions (decimation, never averaging), so every
// lag's estimate is unbiased; only the spacing of origins grows with the lag, and it stays below
// lag*m/p. With levels = 1 this is exactly the all-origins computation for lags 1..p.
//
// For each lag and each block of frames the accumulator keeps sums (never averages), so partial
// results from different runs or files combine exactly by adding or concatenating blocks:
//   origins            number of (origin, lag) pairs
//   msd[s]             sum over pairs of sum_{i in s} |dr_i|^2
//   cross[a<=b]        sum over pairs of dR_a . dR_b, dR_a = sum_{i in a} dr_i
//   charge             sum over pairs of |J|^2, J = sum_i q_i dr_i (per-atom charges)
// dR_a and J are linear in the positions, so they come from per-frame sums (R_a(t) = sum_{i in a}
// r_i(t), Q(t) = sum_i q_i r_i(t)) stored beside each ring slot: only the MSD loops over atoms
// for every lag.
// A pair is credited to the block holding its later frame. Blocks double in length as the run
// grows (pairs of blocks merge), so their number stays between target_blocks and 2*target_blocks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ionfield {

struct TransportOptions {
  std::size_t points_per_level = 32;  // p: ring slots per level (lags 1..p at level 0); even
  std::size_t decimation = 2;         // m: each level keeps every m-th frame of the one below
  std::size_t max_levels = 32;        // hard cap on levels (memory = levels * p * atoms * 24 bytes)
  long long max_lag = -1;             // no lags beyond this many frames (-1: no limit)
  std::size_t target_blocks = 16;     // blocks kept between target and 2*target
  bool remove_com = false;            // subtract the (weighted) centre of mass of the selection
  int threads = 0;                    // OpenMP threads (0: default)
  // Shards of one run (`--shard i/n`, docs/scale-out.md). The first frame fed is global frame
  // first_frame; pairs whose later frame is before own_from are read for their history only (they
  // belong to the shard before); block_length > 0 fixes the blocks to [b*L, (b+1)*L) of the global
  // frame numbers, counted from own_from's block, so that every shard cuts the same blocks as the
  // single run (which ends with the length that doubling reaches: transport_block_length).
  long long first_frame = 0;
  long long own_from = 0;
  long long block_length = 0;
};

// The block length the doubling scheme ends with after `frames` frames (what a single run uses).
long long transport_block_length(long long frames, std::size_t target_blocks);

// The mergeable partial result. Arrays are block-major: [block][lag][...].
struct TransportPartial {
  std::size_t nspecies = 0;
  std::vector<long long> lags;             // lag grid in frames, increasing
  std::vector<long long> block_frames;     // frames covered by each block
  long long frames = 0;                    // frames accumulated
  double volume_sum = 0;                   // sum of cell volumes over frames (0 if no cell)
  long long volume_frames = 0;             // frames that had a cell
  std::vector<double> origins;             // [block][lag]
  std::vector<double> msd;                 // [block][lag][species]
  std::vector<double> cross;               // [block][lag][pair], pairs a<=b in row order
  std::vector<double> charge;              // [block][lag]

  std::size_t nblocks() const { return block_frames.size(); }
  std::size_t npairs() const { return nspecies * (nspecies + 1) / 2; }
  // Appends other's blocks (lag grids must be prefixes of each other; the shorter is padded with
  // zero counts). Exact: totals are the sums of both, whatever the order.
  void merge(const TransportPartial& other);
};

// Index of the species pair (a, b), a <= b, in the row-order list (0,0),(0,1)...(0,n-1),(1,1)...
std::size_t species_pair_index(std::size_t a, std::size_t b, std::size_t nspecies);

// The lag grid (in frames) that levels 0..levels-1 of a (p, m) correlator produce.
std::vector<long long> multiple_tau_lags(std::size_t points_per_level, std::size_t decimation, std::size_t levels);

class TransportAccumulator {
 public:
  // species[i]: species index of atom i (0..nspecies-1), or -1 to leave the atom out.
  // charges[i]: charge of atom i (units of e); com_weights[i]: weight in the centre of mass
  // (empty: equal weights). All per atom of the input frames.
  TransportAccumulator(std::vector<int> species, std::size_t nspecies, std::vector<double> charges,
                       std::vector<double> com_weights, TransportOptions options);
  ~TransportAccumulator();
  TransportAccumulator(const TransportAccumulator&) = delete;
  TransportAccumulator& operator=(const TransportAccumulator&) = delete;

  // Adds nframes consecutive frames; xyz holds natoms*3 unwrapped coordinates per frame (atoms in
  // the order given to the constructor). volumes: one cell volume per frame, or nullptr.
  void add_frames(const double* xyz, const double* volumes, std::size_t nframes);

  TransportPartial partial() const;
  std::size_t natoms() const { return species_.size(); }
  long long frames() const { return frames_; }
  const TransportOptions& options() const { return options_; }
  // Bytes held by ring buffers and sums (to show memory stays bounded).
  std::size_t memory_bytes() const;

 private:
  struct Level;
  void add_chunk(const double* xyz, std::size_t nframes);
  void ensure_block_for(long long frame);

  std::vector<int> species_;
  std::size_t nspecies_;
  std::vector<double> charges_;
  std::vector<double> weights_;
  TransportOptions options_;

  // Selected atoms sorted by species: order_[k] = input atom index, starts_[s]..starts_[s+1].
  std::vector<std::size_t> order_;
  std::vector<std::size_t> starts_;
  std::vector<double> sorted_charges_;
  std::vector<Level> levels_;
  std::vector<double> scratch_;   // a chunk of frames: selected atoms, species-sorted
  std::vector<double> partials_;  // per thread, per (frame, lag) of a chunk: |dr|^2 sums over its atoms

  long long frames_ = 0;          // frames fed (global frame = first_frame + frames_)
  long long owned_ = 0;           // frames at or after own_from (those this partial counts)
  long long block_length_ = 1;
  std::vector<long long> lags_;  // global lag list (all levels created so far)
  TransportPartial sums_;
};

}  // namespace ionfield
