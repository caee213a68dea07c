// Placeholder until the xyz reader/writer lands (work in progress on this branch).
#include "ionfield/error.hpp"
#include "traj/readers.hpp"

namespace ionfield::detail {
std::unique_ptr<TrajectoryReader> make_xyz_reader(const std::string& path) {
  throw UsageError("reading xyz is not implemented yet: " + path);
}
std::unique_ptr<TrajectoryWriter> make_xyz_writer(const std::string& path) {
  throw UsageError("writing xyz is not implemented yet: " + path);
}
}  // namespace ionfield::detail
