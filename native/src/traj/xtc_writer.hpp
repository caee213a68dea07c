#pragma once
// XTC writer with a chosen precision (coordinates are stored as round(x * precision)). Internal;
// create_trajectory_writer() uses the default precision of 1000 (0.001 nm).
#include <memory>
#include <string>

#include "ionfield/trajectory.hpp"

namespace ionfield::detail {
std::unique_ptr<TrajectoryWriter> make_xtc_writer(const std::string& path, float precision);
}
