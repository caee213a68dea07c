#pragma once
// Frames of training systems whose arrays stay on disk (SpeciesData::on_disk): read a few frames at
// a time into small in-memory SystemData, so the trainer's per-frame code (frame_loss, the
// standardisation sums, the fingerprint) runs unchanged on exactly the bytes it would have held.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "ionfield/nn.hpp"

namespace ionfield::nn::detail {

// Open files by path, closed on destruction (a training run reads the same few files many times).
class FrameReader {
 public:
  FrameReader() = default;
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;
  ~FrameReader();
  // Reads `bytes` bytes at `offset` of `path` into out; an error names the file.
  void read(const std::string& path, std::uint64_t offset, void* out, std::size_t bytes);

 private:
  std::map<std::string, std::FILE*> files_;
};

bool any_on_disk(const std::vector<SystemData>& systems);
// Bytes of a file (to check an on-disk array is complete before training starts).
std::uint64_t file_bytes(const std::string& path);

// Appends frames [first, first + count) of every species of `sys` to `out` (same species layout).
void append_frames(FrameReader& reader, const SystemData& sys, std::size_t first, std::size_t count,
                   const std::vector<int>& features, SystemData& out);

// The systems a list of frames touches, holding only those frames, and the frames renumbered into
// them, in the same order: loss_and_gradient gives the same numbers on either.
void gather(FrameReader& reader, const std::vector<SystemData>& systems, const std::vector<FrameRef>& frames,
            const std::vector<int>& features, std::vector<SystemData>& out_systems, std::vector<FrameRef>& out_frames);

// Calls fn(features, lambda, rows) for species s of sys over all its rows, in row order: the
// whole arrays at once in memory, chunks of frames from disk (sums over rows keep their order).
template <typename Fn>
void for_rows(FrameReader& reader, const SystemData& sys, std::size_t s, const std::vector<int>& features, Fn fn) {
  const auto& d = sys.species[s];
  if (!d.on_disk()) {
    fn(d.features.data(), d.lambda.data(), sys.frames * d.ions);
    return;
  }
  if (d.ions == 0) return;
  const std::size_t F = static_cast<std::size_t>(features[s]);
  const std::size_t chunk = std::max<std::size_t>(1, (std::size_t{1} << 20) / (d.ions * (F * sizeof(float) + sizeof(double))));
  std::vector<float> x;
  std::vector<double> y;
  for (std::size_t t0 = 0; t0 < sys.frames; t0 += chunk) {
    const std::size_t n = std::min(chunk, sys.frames - t0);
    x.resize(n * d.ions * F);
    y.resize(n * d.ions);
    reader.read(d.features_file, d.features_offset + t0 * d.ions * F * sizeof(float), x.data(), x.size() * sizeof(float));
    reader.read(d.lambda_file, d.lambda_offset + t0 * d.ions * sizeof(double), y.data(), y.size() * sizeof(double));
    fn(x.data(), y.data(), n * d.ions);
  }
}

}  // namespace ionfield::nn::detail
