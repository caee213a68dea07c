#include "core/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ionfield::detail {

AtomicFile::AtomicFile(std::string destination) : destination_(std::move(destination)) {
  temporary_ = destination_ + ".tmp-" + std::to_string(::getpid());
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (!file_) throw std::runtime_error("cannot create " + temporary_ + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

AtomicFile::~AtomicFile() {
  if (file_) {
    std::fclose(file_);
    std::remove(temporary_.c_str());
  }
}

void AtomicFile::write(const void* data, std::size_t bytes) {
  if (bytes && std::fwrite(data, 1, bytes, file_) != bytes)
    throw std::runtime_error("write to " + temporary_ + " failed: " + std::strerror(errno));
}

long long AtomicFile::tell() const { return std::ftell(file_); }

void AtomicFile::seek(long long offset) {
  if (std::fseek(file_, offset, SEEK_SET) != 0) throw std::runtime_error("seek in " + temporary_ + " failed");
}

void AtomicFile::commit() {
  if (!file_) return;
  const bool ok = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
  std::fclose(file_);
  file_ = nullptr;
  if (!ok || std::rename(temporary_.c_str(), destination_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temporary_.c_str());
    throw std::runtime_error("cannot finish " + destination_ + ": " + why);
  }
}

}  // namespace ionfield::detail
