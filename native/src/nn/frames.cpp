// Reading training frames from on-disk arrays (frames.hpp).
#include "nn/frames.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

namespace ionfield::nn::detail {

FrameReader::~FrameReader() {
  for (auto& [path, f] : files_) std::fclose(f);
}

void FrameReader::read(const std::string& path, std::uint64_t offset, void* out, std::size_t bytes) {
  if (bytes == 0) return;
  auto it = files_.find(path);
  if (it == files_.end()) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + ")");
    it = files_.emplace(path, f).first;
  }
  std::FILE* f = it->second;
  if (fseeko(f, static_cast<off_t>(offset), SEEK_SET) != 0 || std::fread(out, 1, bytes, f) != bytes)
    throw std::runtime_error(path + ": cannot read " + std::to_string(bytes) + " bytes at offset " + std::to_string(offset) +
                             " (the file changed or is shorter than its header says)");
}

bool any_on_disk(const std::vector<SystemData>& systems) {
  for (const auto& sys : systems)
    for (const auto& d : sys.species)
      if (d.on_disk()) return true;
  return false;
}

std::uint64_t file_bytes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + ")");
  fseeko(f, 0, SEEK_END);
  const auto n = static_cast<std::uint64_t>(ftello(f));
  std::fclose(f);
  return n;
}

void append_frames(FrameReader& reader, const SystemData& sys, std::size_t first, std::size_t count,
                   const std::vector<int>& features, SystemData& out) {
  for (std::size_t s = 0; s < sys.species.size(); ++s) {
    const auto& d = sys.species[s];
    auto& o = out.species[s];
    if (d.ions == 0 || count == 0) continue;
    const std::size_t F = static_cast<std::size_t>(features[s]);
    const std::size_t fx = o.features.size(), fy = o.lambda.size();
    o.features.resize(fx + count * d.ions * F);
    o.lambda.resize(fy + count * d.ions);
    if (d.on_disk()) {
      reader.read(d.features_file, d.features_offset + first * d.ions * F * sizeof(float), o.features.data() + fx, count * d.ions * F * sizeof(float));
      reader.read(d.lambda_file, d.lambda_offset + first * d.ions * sizeof(double), o.lambda.data() + fy, count * d.ions * sizeof(double));
    } else {
      std::copy_n(d.features.data() + first * d.ions * F, count * d.ions * F, o.features.data() + fx);
      std::copy_n(d.lambda.data() + first * d.ions, count * d.ions, o.lambda.data() + fy);
    }
  }
  out.frames += count;
}

void gather(FrameReader& reader, const std::vector<SystemData>& systems, const std::vector<FrameRef>& frames,
            const std::vector<int>& features, std::vector<SystemData>& out_systems, std::vector<FrameRef>& out_frames) {
  out_systems.clear();
  out_frames.clear();
  std::unordered_map<std::uint32_t, std::uint32_t> slot;  // system index -> index in out_systems
  for (const auto& f : frames) {
    auto it = slot.find(f.system);
    if (it == slot.end()) {
      const auto& src = systems[f.system];
      SystemData part;
      part.name = src.name;
      part.species.resize(src.species.size());
      for (std::size_t s = 0; s < src.species.size(); ++s) part.species[s].ions = src.species[s].ions;
      out_systems.push_back(std::move(part));
      it = slot.emplace(f.system, static_cast<std::uint32_t>(out_systems.size() - 1)).first;
    }
    auto& part = out_systems[it->second];
    out_frames.push_back({it->second, static_cast<std::uint32_t>(part.frames)});
    append_frames(reader, systems[f.system], f.frame, 1, features, part);
  }
}

}  // namespace ionfield::nn::detail
