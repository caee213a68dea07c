// Placeholder until the xtc reader/writer lands (work in progress on this branch).
#include "ionfield/error.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
std::unique_ptr<TrajectoryReader> make_xtc_reader(const std::string& path) {
  throw UsageError("reading xtc is not implemented yet: " + path);
}
std::unique_ptr<TrajectoryWriter> make_xtc_writer(const std::string& path) {
  throw UsageError("writing xtc is not implemented yet: " + path);
}
}  // namespace ionfield::detail
