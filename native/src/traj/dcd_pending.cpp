// Placeholder until the dcd reader/writer lands (work in progress on this branch).
#include "ionfield/error.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
std::unique_ptr<TrajectoryReader> make_dcd_reader(const std::string& path) {
  throw UsageError("reading dcd is not implemented yet: " + path);
}
std::unique_ptr<TrajectoryWriter> make_dcd_writer(const std::string& path) {
  throw UsageError("writing dcd is not implemented yet: " + path);
}
}  // namespace ionfield::detail
