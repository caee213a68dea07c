#pragma once
// Factories for the concrete readers and writers, one file per format. Internal.
#include <memory>
#include <string>

#include "ionfield/trajectory.hpp"

namespace ionfield::detail {

std::unique_ptr<TrajectoryReader> make_lammps_dump_reader(const std::string& path);
std::unique_ptr<TrajectoryReader> make_xyz_reader(const std::string& path);
std::unique_ptr<TrajectoryReader> make_dcd_reader(const std::string& path, const ReadPolicy& policy);
std::unique_ptr<TrajectoryReader> make_xtc_reader(const std::string& path);
std::unique_ptr<TrajectoryReader> make_gro_reader(const std::string& path);

std::unique_ptr<TrajectoryWriter> make_lammps_dump_writer(const std::string& path);
std::unique_ptr<TrajectoryWriter> make_xyz_writer(const std::string& path);
std::unique_ptr<TrajectoryWriter> make_dcd_writer(const std::string& path);
std::unique_ptr<TrajectoryWriter> make_xtc_writer(const std::string& path);

}  // namespace ionfield::detail
