#pragma once
// Internal: the complete training state after an epoch, saved atomically (temporary file, fsync,
// rename) so that an interrupted run resumes exactly where it stopped and ends bit-identical.
#include <cstdint>
#include <string>
#include <vector>

#include "ionfield/nn.hpp"

namespace ionfield::nn::detail {

struct TrainState {
  std::uint64_t fingerprint = 0;  // architecture, options that change the result, and the data
  int epoch = 0;                  // epochs completed
  std::uint64_t step = 0;         // Adam steps taken
  int best_epoch = 0, bad_epochs = 0;
  double best_val = 0;
  std::vector<double> params, m, v, best_params;
  std::vector<EpochReport> history;
};

void save_checkpoint(const std::string& path, const TrainState& state);
// Returns false when there is no file at path; throws when it is not a checkpoint of this run.
bool load_checkpoint(const std::string& path, std::uint64_t fingerprint, TrainState& state);

// FNV-1a over bytes, for the fingerprint.
class Fingerprint {
 public:
  void add(const void* data, std::size_t bytes);
  template <typename T>
  void add_value(const T& v) { add(&v, sizeof v); }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace ionfield::nn::detail
