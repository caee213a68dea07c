// Error bars from block means for correlated states (states of one swap-MC chain): the block
// layout matches sample_states, and on synthetic chains with a known correlation the blocked
// standard error is calibrated (mean z² ≈ 1 over many replicas) while the naive one is not.
#include <cmath>

#include "check.hpp"
#include "lattice/rng.hpp"
#include "lattice/stats.hpp"

using namespace ionfield::lattice;

static void layout() {
  // 16 chains of 5 states: one block per chain.
  auto b = chain_blocks(80, 16);
  CHECK(b[0] == 0 && b[4] == 0 && b[5] == 1 && b[79] == 15);
  // 2 chains of 40 states: each split into 4 parts of 10 → 8 blocks.
  b = chain_blocks(80, 2);
  CHECK(b[0] == 0 && b[9] == 0 && b[10] == 1 && b[39] == 3 && b[40] == 4 && b[79] == 7);
  // Uneven: 10 states in 3 chains (4, 4, 2), each split into 3 parts (the last chain has only 2 states, in part 0).
  b = chain_blocks(10, 3);
  CHECK(b[0] == 0 && b[3] == 2 && b[4] == 3 && b[8] == 6 && b[9] == 6);
  // Independent states (each its own block) give the ordinary standard error.
  std::vector<double> v{1, 2, 4, 8};
  std::vector<int> own{0, 1, 2, 3};
  const Estimate e = blocked_estimate(v.data(), 1, own);
  CHECK_NEAR(e.mean, 3.75, 1e-12);
  const double var = ((1 - 3.75) * (1 - 3.75) + (2 - 3.75) * (2 - 3.75) + (4 - 3.75) * (4 - 3.75) + (8 - 3.75) * (8 - 3.75)) / 3;
  CHECK_NEAR(e.error, std::sqrt(var / 4), 1e-12);
}

static double normal(Rng& r) { return std::sqrt(-2 * std::log(r.uniform_open())) * std::cos(6.283185307179586 * r.uniform()); }

static void calibrated() {
  // Each chain has its own offset (unit variance) plus independent noise: the true variance of the
  // mean over 16 chains of 50 states is (1 + 1/50) / 16.
  const int chains = 16, per = 50, replicas = 1000;
  Rng rng(stream_seed(3, 0));
  const auto blocks = chain_blocks(chains * per, chains);
  double z2_blocked = 0, z2_naive = 0;
  for (int r = 0; r < replicas; ++r) {
    std::vector<double> v;
    for (int c = 0; c < chains; ++c) {
      const double offset = normal(rng);
      for (int k = 0; k < per; ++k) v.push_back(offset + normal(rng));
    }
    const Estimate b = blocked_estimate(v.data(), 1, blocks);
    Accumulator naive;
    for (double x : v) naive.add(x);
    z2_blocked += b.mean * b.mean / (b.error * b.error);
    z2_naive += b.mean * b.mean / (naive.estimate().error * naive.estimate().error);
  }
  z2_blocked /= replicas;
  z2_naive /= replicas;
  // Student-t with 15 degrees of freedom: E z² = 15/13 ≈ 1.15.
  CHECK(z2_blocked > 0.95 && z2_blocked < 1.4);
  CHECK(z2_naive > 10);  // the naive error is ~5× too small here
}

int main() {
  layout();
  calibrated();
  return check::summary("kinosons blocks");
}
