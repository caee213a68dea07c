#include "traj/inflate_ahead.hpp"

#include <cstring>

namespace ionfield::detail {
namespace {
constexpr std::size_t kChunk = 1 << 20;
constexpr std::size_t kAhead = 3;  // chunks decompressed ahead: bounded memory (3 MiB)
}  // namespace

InflateAhead::InflateAhead(gzFile file) : file_(file), thread_([this] { produce(); }) {}

InflateAhead::~InflateAhead() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void InflateAhead::produce() {
  for (;;) {
    Chunk chunk;
    chunk.data.resize(kChunk);
    const int got = gzread(file_, chunk.data.data(), static_cast<unsigned>(kChunk));
    chunk.status = got;
    if (got <= 0) {
      const char* msg = gzerror(file_, &chunk.code);
      chunk.message = msg ? msg : "";
      chunk.data.clear();
    } else {
      chunk.data.resize(static_cast<std::size_t>(got));
    }
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return stop_ || ready_.size() < kAhead; });
    if (stop_) return;
    const bool last = got <= 0;
    ready_.push_back(std::move(chunk));
    lock.unlock();
    changed_.notify_all();
    if (last) return;
  }
}

int InflateAhead::read(char* destination, unsigned capacity) {
  if (finished_) return current_.status;
  while (offset_ >= current_.data.size()) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty(); });
    current_ = std::move(ready_.front());
    ready_.pop_front();
    offset_ = 0;
    lock.unlock();
    changed_.notify_all();
    if (current_.status <= 0) {
      finished_ = true;
      code_ = current_.code;
      message_ = current_.message;
      return current_.status;
    }
  }
  const std::size_t n = std::min<std::size_t>(capacity, current_.data.size() - offset_);
  std::memcpy(destination, current_.data.data() + offset_, n);
  offset_ += n;
  return static_cast<int>(n);
}

}  // namespace ionfield::detail
