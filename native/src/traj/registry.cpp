// Format names, detection from extension and content, and frame selection.
#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>

#include <algorithm>
#include <cstring>

#include "ionfield/error.hpp"
#include "ionfield/trajectory.hpp"
#include "traj/frame_check.hpp"
#include "traj/readers.hpp"
#include "traj/xtc_writer.hpp"

namespace ionfield {

bool TrajectoryReader::skip_next() {
  Frame scratch;
  return read_next(scratch);
}

const std::vector<std::string>& known_formats() {
  static const std::vector<std::string> formats{"lammps-dump", "xyz", "dcd", "xtc", "gro"};
  return formats;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                                                 [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

// Peeks at the first bytes (decompressing gzip) to recognise a format by its content.
std::string format_from_content(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw ParseError(path, -1, -1, -1, "is a directory; expected a trajectory file");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw ParseError(path, -1, -1, -1, std::string("cannot open file: ") + std::strerror(errno));
  unsigned char head[96] = {0};
  const int got = gzread(f, head, sizeof head);
  gzclose(f);
  if (got >= 8) {
    const unsigned be = (head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3];
    if (be == 1995) return "xtc";
    if (std::memcmp(head + 4, "CORD", 4) == 0 || std::memcmp(head + 8, "CORD", 4) == 0) return "dcd";  // 4/8-byte markers
  }
  const std::string text(reinterpret_cast<char*>(head), got > 0 ? got : 0);
  if (text.rfind("ITEM:", 0) == 0) return "lammps-dump";
  const auto first = text.find_first_not_of(" \t");
  if (first != std::string::npos && std::isdigit(static_cast<unsigned char>(text[first]))) {
    const auto end_of_line = text.find('\n');
    const std::string line = text.substr(first, end_of_line == std::string::npos ? std::string::npos : end_of_line - first);
    if (line.find_first_not_of("0123456789 \t\r") == std::string::npos) return "xyz";
  }
  return "";
}

bool is_empty(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && st.st_size == 0;
}

}  // namespace

std::string format_from_path(const std::string& path) {
  std::string p = path;
  if (ends_with(p, ".gz")) p.resize(p.size() - 3);
  for (const char* ext : {".lammpstrj", ".lammpsdump", ".dump", ".lammps"})
    if (ends_with(p, ext)) return "lammps-dump";
  if (ends_with(p, ".xyz") || ends_with(p, ".extxyz")) return "xyz";
  if (ends_with(p, ".dcd")) return "dcd";
  if (ends_with(p, ".xtc")) return "xtc";
  if (ends_with(p, ".gro")) return "gro";
  return "";
}

std::unique_ptr<TrajectoryReader> open_trajectory(const std::string& path, const std::string& format_name,
                                                  const ReadPolicy& policy) {
  std::string format = format_name;
  if (format.empty() || format == "auto") {
    format = format_from_path(path);
    if (format.empty()) format = format_from_content(path);
    if (format.empty() && is_empty(path))
      throw ParseError(path, -1, 1, 0, "the file is empty: expected a trajectory (LAMMPS dump, extended XYZ, DCD, XTC or GROMACS .gro)");
    if (format.empty())
      throw ParseError(path, -1, 1, 0,
                       "not a trajectory ionfield can read: expected a LAMMPS dump ('ITEM: TIMESTEP'), extended XYZ, "
                       "DCD or XTC file (or name the format explicitly)");
  }
  if (format == "lammps-dump" || format == "lammpstrj") return detail::make_lammps_dump_reader(path);
  if (format == "xyz" || format == "extxyz") return detail::make_xyz_reader(path);
  if (format == "dcd") return detail::make_dcd_reader(path, policy);
  if (format == "xtc") return detail::make_xtc_reader(path);
  if (format == "gro") return detail::make_gro_reader(path);
  throw UsageError("unknown trajectory format '" + format + "' (known: lammps-dump, xyz, dcd, xtc, gro)");
}

std::unique_ptr<TrajectoryWriter> create_trajectory_writer(const std::string& path, const std::string& format_name) {
  return create_trajectory_writer(path, format_name, WriterOptions{});
}

std::unique_ptr<TrajectoryWriter> create_trajectory_writer(const std::string& path, const std::string& format_name,
                                                           const WriterOptions& options) {
  std::string format = format_name;
  if (format.empty() || format == "auto") format = format_from_path(path);
  if (format.empty())
    throw UsageError("cannot tell the output format from '" + path + "': use .xyz, .dcd, .xtc or .lammpstrj, or name it");
  if (ends_with(path, ".gz")) throw UsageError("writing gzip-compressed output is not supported: '" + path + "'");
  if (format == "lammps-dump" || format == "lammpstrj") return detail::make_lammps_dump_writer(path);
  if (format == "xyz" || format == "extxyz") return detail::make_xyz_writer(path);
  if (format == "dcd") return detail::make_dcd_writer(path);
  if (format == "xtc") return detail::make_xtc_writer(path, options.xtc_precision);
  if (format == "gro") throw UsageError("ionfield reads .gro files but does not write them: use .xtc (with a .topology.json beside it) or .xyz");
  throw UsageError("unknown trajectory format '" + format + "' (known: lammps-dump, xyz, dcd, xtc)");
}

FrameSelection::FrameSelection(std::unique_ptr<TrajectoryReader> reader, long long start, long long stop,
                               long long stride, const ReadPolicy& policy)
    : reader_(std::move(reader)), start_(start), stop_(stop), stride_(stride), check_(std::make_unique<FrameCheck>(policy)) {
  if (start_ < 0) throw UsageError("frame start must be >= 0");
  if (stride_ < 1) throw UsageError("frame stride must be >= 1");
}

bool FrameSelection::read_next(Frame& frame) {
  const long long target = first_ ? start_ : reader_->next_frame_index() + stride_ - 1;
  first_ = false;
  while (reader_->next_frame_index() < target)
    if (!reader_->skip_next()) return false;
  if (stop_ >= 0 && reader_->next_frame_index() >= stop_) return false;
  if (!reader_->read_next(frame)) return false;
  (*check_)(frame, reader_->path(), reader_->next_frame_index() - 1);
  return true;
}

FrameSelection::~FrameSelection() = default;

}  // namespace ionfield
