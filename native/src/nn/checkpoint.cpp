// Binary checkpoint of the training state; little-endian host layout (a checkpoint resumes a run on
// the machine that wrote it, it is not an exchange format: the ONNX file is).
#include "nn/checkpoint.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace ionfield::nn::detail {
namespace {

const char kMagic[8] = {'I', 'O', 'N', 'F', 'N', 'N', 'C', '1'};

struct Writer {
  std::FILE* f;
  void raw(const void* p, std::size_t n) {
    if (n && std::fwrite(p, 1, n, f) != n) throw std::runtime_error("checkpoint: write failed");
  }
  template <typename T>
  void value(const T& v) { raw(&v, sizeof v); }
  void doubles(const std::vector<double>& v) {
    value<std::uint64_t>(v.size());
    raw(v.data(), v.size() * sizeof(double));
  }
};

struct Reader {
  std::FILE* f;
  const std::string& path;
  void raw(void* p, std::size_t n) {
    if (n && std::fread(p, 1, n, f) != n) throw std::runtime_error(path + ": checkpoint is truncated");
  }
  template <typename T>
  T value() {
    T v;
    raw(&v, sizeof v);
    return v;
  }
  std::vector<double> doubles() {
    const auto n = value<std::uint64_t>();
    if (n > (1ULL << 34)) throw std::runtime_error(path + ": checkpoint is corrupt (array of " + std::to_string(n) + ")");
    std::vector<double> v(n);
    raw(v.data(), n * sizeof(double));
    return v;
  }
};

}  // namespace

void Fingerprint::add(const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < bytes; ++i) {
    h_ ^= p[i];
    h_ *= 0x100000001b3ULL;
  }
}

void save_checkpoint(const std::string& path, const TrainState& s) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::runtime_error(path + ": cannot write checkpoint (" + std::strerror(errno) + ")");
  try {
    Writer w{f};
    w.raw(kMagic, sizeof kMagic);
    w.value(s.fingerprint);
    w.value(s.epoch);
    w.value(s.step);
    w.value(s.best_epoch);
    w.value(s.bad_epochs);
    w.value(s.best_val);
    w.doubles(s.params);
    w.doubles(s.m);
    w.doubles(s.v);
    w.doubles(s.best_params);
    w.value<std::uint64_t>(s.history.size());
    for (const auto& e : s.history) {
      w.value(e.epoch);
      w.value(e.train_loss);
      w.value(e.val_loss);
      w.value(e.val_lambda_rel_error);
      w.value<int>(e.improved);
    }
    if (std::fflush(f) != 0 || fsync(fileno(f)) != 0) throw std::runtime_error(path + ": checkpoint flush failed");
  } catch (...) {
    std::fclose(f);
    std::remove(tmp.c_str());
    throw;
  }
  std::fclose(f);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot rename checkpoint into place");
  }
}

bool load_checkpoint(const std::string& path, std::uint64_t fingerprint, TrainState& s) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  try {
    Reader r{f, path};
    char magic[8];
    r.raw(magic, sizeof magic);
    if (std::memcmp(magic, kMagic, sizeof magic) != 0) throw std::runtime_error(path + ": not an ionfield training checkpoint");
    s.fingerprint = r.value<std::uint64_t>();
    if (s.fingerprint != fingerprint)
      throw std::runtime_error(path +
                               ": checkpoint belongs to a different run (architecture, objective, seed, batch size, "
                               "learning rate or data differ); delete it or choose another --checkpoint");
    s.epoch = r.value<int>();
    s.step = r.value<std::uint64_t>();
    s.best_epoch = r.value<int>();
    s.bad_epochs = r.value<int>();
    s.best_val = r.value<double>();
    s.params = r.doubles();
    s.m = r.doubles();
    s.v = r.doubles();
    s.best_params = r.doubles();
    const auto n = r.value<std::uint64_t>();
    if (n > 100000000ULL) throw std::runtime_error(path + ": checkpoint is corrupt");
    s.history.resize(n);
    for (auto& e : s.history) {
      e.epoch = r.value<int>();
      e.train_loss = r.value<double>();
      e.val_loss = r.value<double>();
      e.val_lambda_rel_error = r.value<double>();
      e.improved = r.value<int>() != 0;
    }
  } catch (...) {
    std::fclose(f);
    throw;
  }
  std::fclose(f);
  return true;
}

}  // namespace ionfield::nn::detail
