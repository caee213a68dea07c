#pragma once
// Internal: a tiny portable random generator (SplitMix64) so a seed gives the same initial weights and
// the same batch order on every compiler and standard library (std:: distributions do not promise that).
#include <cstdint>

namespace ionfield::nn::detail {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  std::uint64_t below(std::uint64_t n) { return next() % n; }  // bias < n / 2^64, irrelevant here

 private:
  std::uint64_t state_;
};

}  // namespace ionfield::nn::detail
