#pragma once
// A binary trajectory file read sequentially with bounds: every read says what it expected, so a
// truncated or corrupt file becomes a ParseError naming the file, frame and byte offset, and no
// read or allocation can go past the end of the file. Internal to the DCD and XTC readers.
#include <cstdint>
#include <cstdio>
#include <string>

namespace ionfield::detail {

class BinaryInput {
 public:
  explicit BinaryInput(const std::string& path);
  ~BinaryInput();
  BinaryInput(const BinaryInput&) = delete;
  BinaryInput& operator=(const BinaryInput&) = delete;

  long long size() const { return size_; }
  long long offset() const { return offset_; }
  long long remaining() const { return size_ - offset_; }
  bool at_end() const { return offset_ >= size_; }

  // Reads exactly `bytes` bytes or throws ParseError (frame `frame`) saying `what` was expected.
  void read(void* out, std::size_t bytes, long long frame, const char* what);
  // Moves to an absolute offset inside the file (0..size) or throws.
  void seek(long long offset, long long frame, const char* what);
  [[noreturn]] void fail(long long frame, long long at, const std::string& what) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  long long size_ = 0;
  long long offset_ = 0;
};

// Byte-order helpers: the formats store 32/64-bit words either big-endian (XDR) or in the
// writer's native order (DCD, detected from the first record marker).
inline uint32_t load_u32(const unsigned char* p, bool big_endian) {
  return big_endian ? (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3])
                    : (uint32_t(p[3]) << 24) | (uint32_t(p[2]) << 16) | (uint32_t(p[1]) << 8) | uint32_t(p[0]);
}
inline uint64_t load_u64(const unsigned char* p, bool big_endian) {
  const uint64_t a = load_u32(p, big_endian), b = load_u32(p + 4, big_endian);
  return big_endian ? (a << 32) | b : (b << 32) | a;
}
// Reinterprets the bits of a value as another type of the same size (std::bit_cast is C++20).
template <typename To, typename From>
inline To reinterpret_bits(From from) {
  static_assert(sizeof(To) == sizeof(From), "sizes must match");
  To to;
  __builtin_memcpy(&to, &from, sizeof to);
  return to;
}
inline float bits_to_float(uint32_t u) { return reinterpret_bits<float>(u); }
inline double bits_to_double(uint64_t u) { return reinterpret_bits<double>(u); }
inline uint32_t float_to_bits(float f) { return reinterpret_bits<uint32_t>(f); }
inline uint64_t double_to_bits(double d) { return reinterpret_bits<uint64_t>(d); }

}  // namespace ionfield::detail
