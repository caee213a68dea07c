#pragma once
// Mean and standard error of independent samples (Welford's running update).
#include <cmath>

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

}  // namespace ionfield::lattice
