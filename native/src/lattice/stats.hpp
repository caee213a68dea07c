#pragma once
// Mean and standard error of independent samples (Welford's running update), and of correlated
// samples by block means.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ionfield/kinetics.hpp"

namespace ionfield::lattice {

class Accumulator {
 public:
  void add(double x) {
    ++n_;
    const double d = x - mean_;
    mean_ += d / static_cast<double>(n_);
    m2_ += d * (x - mean_);
  }
  long long count() const { return n_; }
  double mean() const { return mean_; }
  double variance() const { return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : 0.0; }
  Estimate estimate() const { return Estimate{mean_, n_ > 1 ? std::sqrt(variance() / static_cast<double>(n_)) : 0.0}; }

 private:
  long long n_ = 0;
  double mean_ = 0, m2_ = 0;
};

// Blocks for states drawn by sample_states from `chains` Monte Carlo chains (chain c holds the
// consecutive states c·⌈n/chains⌉ …): each chain is one block, split into equal parts when there
// are fewer than 8 chains so that the error has at least 8 blocks. Consecutive states of a chain
// are correlated; block means of long blocks are not, so their spread gives an honest error.
inline std::vector<int> chain_blocks(int states, int chains) {
  chains = std::max(1, std::min(chains, states));
  const int per_chain = (states + chains - 1) / chains;
  const int parts = std::max(1, std::min(per_chain, (8 + chains - 1) / chains));
  std::vector<int> block(static_cast<std::size_t>(states));
  for (int i = 0; i < states; ++i) block[i] = (i / per_chain) * parts + (i % per_chain) * parts / per_chain;
  return block;
}

// Mean of values[i·stride] over i < block.size(), with the standard error from the spread of the
// block means weighted by block size: err² = B/(B−1) Σ_b (n_b/n)² (m_b − m)².
inline Estimate blocked_estimate(const double* values, std::size_t stride, const std::vector<int>& block) {
  const std::size_t n = block.size();
  if (n == 0) return Estimate{0, 0};
  const int blocks = *std::max_element(block.begin(), block.end()) + 1;
  std::vector<double> sum(blocks, 0.0);
  std::vector<long long> count(blocks, 0);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sum[block[i]] += values[i * stride];
    ++count[block[i]];
    total += values[i * stride];
  }
  const double mean = total / static_cast<double>(n);
  int used = 0;
  double ss = 0;
  for (int b = 0; b < blocks; ++b) {
    if (!count[b]) continue;
    ++used;
    const double w = static_cast<double>(count[b]) / static_cast<double>(n);
    const double d = sum[b] / static_cast<double>(count[b]) - mean;
    ss += w * w * d * d;
  }
  return Estimate{mean, used > 1 ? std::sqrt(ss * used / (used - 1)) : 0.0};
}

}  // namespace ionfield::lattice
