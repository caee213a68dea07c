#pragma once
// Shared by the libFuzzer harnesses: put the input bytes in an anonymous in-memory file
// (memfd, no disk traffic) and read every frame through the public reader, twice: decoding
// every frame, then skipping every other one (the seek path). ParseError is the expected
// outcome for bad input; anything else (a crash, an ASan report, another exception) is a bug.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "ionfield/error.hpp"
#include "ionfield/trajectory.hpp"

inline void fuzz_read_all(const uint8_t* data, size_t size, const char* format) {
  const int fd = memfd_create("ionfield-fuzz", 0);
  if (fd < 0) std::abort();
  size_t written = 0;
  while (written < size) {
    const ssize_t w = ::write(fd, data + written, size - written);
    if (w <= 0) std::abort();
    written += static_cast<size_t>(w);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  for (long long stride : {1LL, 2LL}) {
    try {
      ionfield::FrameSelection frames(ionfield::open_trajectory(path, format), 0, -1, stride);
      ionfield::Frame f;
      while (frames.read_next(f)) {
        if (f.positions.size() != 3 * f.natoms) std::abort();
      }
    } catch (const ionfield::ParseError&) {
    }
  }
  ::close(fd);
}
