#include "traj/xtc_codec.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

namespace ionfield::detail::xtc {
namespace {

using u128 = unsigned __int128;

std::array<int, kLastIdx + 1> make_magic_table() {
  std::array<int, kLastIdx + 1> t{};
  for (int i = kFirstIdx; i <= kLastIdx; ++i) {
    // largest m with m^3 <= 2^i, by integer search (no floating-point rounding doubts)
    const u128 limit = u128(1) << i;
    uint64_t m = 1;
    while (u128(m + 1) * (m + 1) * (m + 1) <= limit) ++m;
    t[i] = static_cast<int>(m);
  }
  // The format's table (shared by every XTC reader and writer) differs from the rule above in
  // three places; files depend on the exact values, so keep them.
  t[37] = 5060;
  t[57] = 524287;
  t[69] = 8388607;
  return t;
}

const std::array<int, kLastIdx + 1>& magic_table() {
  static const std::array<int, kLastIdx + 1> table = make_magic_table();
  return table;
}

// Most-significant-bit-first reader over a bounded buffer.
class BitReader {
 public:
  BitReader(const unsigned char* data, std::size_t nbytes) : data_(data), nbytes_(nbytes), nbits_(8 * uint64_t(nbytes)) {}

  uint32_t get(int nbits) {
    if (nbits == 0) return 0;
    if (pos_ + uint64_t(nbits) > nbits_)
      throw CodecError("compressed coordinates end early (needs " + std::to_string(nbits) + " more bits at bit " +
                           std::to_string(pos_) + " of " + std::to_string(nbits_) + ")",
                       nbytes_);
    const std::size_t byte = pos_ >> 3;
    const int shift = static_cast<int>(pos_ & 7);
    uint64_t w = 0;
    if (byte + 8 <= nbytes_) {  // one unaligned big-endian load
      std::memcpy(&w, data_ + byte, 8);
#if !(defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
      w = __builtin_bswap64(w);
#endif
    } else {
      for (std::size_t k = 0; k < 8; ++k) w = (w << 8) | (byte + k < nbytes_ ? data_[byte + k] : 0u);
    }
    pos_ += nbits;
    return static_cast<uint32_t>((w << shift) >> (64 - nbits));
  }
  std::size_t byte_position() const { return static_cast<std::size_t>(pos_ >> 3); }

 private:
  const unsigned char* data_;
  std::size_t nbytes_;
  uint64_t nbits_;
  uint64_t pos_ = 0;
};

// Most-significant-bit-first writer.
class BitWriter {
 public:
  explicit BitWriter(std::vector<unsigned char>& out) : out_(out) { out_.clear(); }
  void put(uint32_t value, int nbits) {
    for (int b = nbits - 1; b >= 0; --b) {
      acc_ = (acc_ << 1) | ((value >> b) & 1u);
      if (++count_ == 8) {
        out_.push_back(static_cast<unsigned char>(acc_));
        acc_ = 0;
        count_ = 0;
      }
    }
  }
  void flush() {
    if (count_ > 0) out_.push_back(static_cast<unsigned char>(acc_ << (8 - count_)));
    acc_ = 0;
    count_ = 0;
  }

 private:
  std::vector<unsigned char>& out_;
  uint32_t acc_ = 0;
  int count_ = 0;
};

// Three integers below sizes[0..2] as one number N = (a * s1 + b) * s2 + c, stored in `nbits`
// bits as little-endian bytes, each byte sent as 8 bits (the last one with what is left).
template <typename Wide>
void unpack_mixed_radix(BitReader& r, int nbits, const uint32_t sizes[3], int64_t out[3]) {
  Wide n = 0;
  int shift = 0;
  while (nbits > 8) {
    n |= Wide(r.get(8)) << shift;
    shift += 8;
    nbits -= 8;
  }
  n |= Wide(r.get(nbits)) << shift;
  out[2] = static_cast<int64_t>(n % sizes[2]);
  n /= sizes[2];
  out[1] = static_cast<int64_t>(n % sizes[1]);
  n /= sizes[1];
  out[0] = static_cast<int64_t>(static_cast<uint32_t>(n));
}

// 64-bit arithmetic is much faster; only numbers of more than 64 bits need 128.
void read_packed(BitReader& r, int nbits, const uint32_t sizes[3], int64_t out[3]) {
  if (nbits <= 64) unpack_mixed_radix<uint64_t>(r, nbits, sizes, out);
  else unpack_mixed_radix<u128>(r, nbits, sizes, out);
}

void write_packed(BitWriter& w, int nbits, const uint32_t sizes[3], const uint32_t v[3]) {
  u128 n = (u128(v[0]) * sizes[1] + v[1]) * sizes[2] + v[2];
  while (nbits > 8) {
    w.put(static_cast<uint32_t>(n & 0xff), 8);
    n >>= 8;
    nbits -= 8;
  }
  w.put(static_cast<uint32_t>(n & ((1u << nbits) - 1)), nbits);
}

bool is_large(const uint32_t sizes[3]) { return sizes[0] > 0xffffff || sizes[1] > 0xffffff || sizes[2] > 0xffffff; }

int64_t max_abs_diff(const int32_t* a, const int32_t* b) {
  int64_t m = 0;
  for (int k = 0; k < 3; ++k) m = std::max<int64_t>(m, std::llabs(int64_t(a[k]) - int64_t(b[k])));
  return m;
}

}  // namespace

int magic(int index) {
  if (index < kFirstIdx || index > kLastIdx) return 0;
  return magic_table()[index];
}

int bit_length(uint64_t v) {
  int n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
}

int bits_for_sizes(const uint32_t sizes[3]) {
  const u128 product = u128(sizes[0]) * sizes[1] * sizes[2];
  const uint64_t hi = static_cast<uint64_t>(product >> 64), lo = static_cast<uint64_t>(product);
  return hi ? 64 + bit_length(hi) : bit_length(lo);
}

void decode(const unsigned char* data, std::size_t nbytes, std::size_t natoms, const int32_t minint[3],
            const int32_t maxint[3], int smallidx, int32_t* out) {
  uint32_t sizes[3];
  int bits_each[3] = {0, 0, 0};
  for (int k = 0; k < 3; ++k) {
    const int64_t size = int64_t(maxint[k]) - int64_t(minint[k]) + 1;
    if (size < 1 || size > INT32_MAX)
      throw CodecError("bad integer bounding box (min " + std::to_string(minint[k]) + ", max " + std::to_string(maxint[k]) +
                           " on axis " + std::to_string(k) + ")",
                       0);
    sizes[k] = static_cast<uint32_t>(size);
    bits_each[k] = bit_length(sizes[k]);
  }
  const bool large = is_large(sizes);
  const int full_bits = large ? 0 : bits_for_sizes(sizes);
  if (smallidx < kFirstIdx || smallidx > kLastIdx)
    throw CodecError("small-coordinate size index " + std::to_string(smallidx) + " is outside the format's table (" +
                         std::to_string(kFirstIdx) + ".." + std::to_string(kLastIdx) + ")",
                     0);
  BitReader r(data, nbytes);
  auto store = [&](std::size_t atom, const int64_t v[3]) {
    for (int k = 0; k < 3; ++k) {
      if (v[k] < INT32_MIN || v[k] > INT32_MAX)
        throw CodecError("decoded coordinate of atom " + std::to_string(atom) + " overflows", r.byte_position());
      out[3 * atom + k] = static_cast<int32_t>(v[k]);
    }
  };
  int64_t full[3], prev[3], cur[3], packed[3];
  std::size_t i = 0;
  int run = 0;
  while (i < natoms) {
    if (large) {
      for (int k = 0; k < 3; ++k) full[k] = r.get(bits_each[k]);
    } else {
      read_packed(r, full_bits, sizes, full);
    }
    for (int k = 0; k < 3; ++k) full[k] += minint[k];
    int is_smaller = 0;
    if (r.get(1)) {
      const int v = static_cast<int>(r.get(5));
      is_smaller = v % 3;
      run = v - is_smaller;
      is_smaller -= 1;
    }
    if (run > 0) {
      const std::size_t small_atoms = static_cast<std::size_t>(run / 3);
      if (small_atoms + 1 > natoms - i)
        throw CodecError("a run of " + std::to_string(small_atoms) + " small coordinates after atom " + std::to_string(i) +
                             " goes past the frame's " + std::to_string(natoms) + " atoms",
                         r.byte_position());
      if (smallidx < kFirstIdx || smallidx > kLastIdx)
        throw CodecError("small-coordinate size index drifted to " + std::to_string(smallidx) + ", outside the table",
                         r.byte_position());
      const uint32_t m = static_cast<uint32_t>(magic(smallidx));
      const uint32_t msizes[3] = {m, m, m};
      const int64_t half = m / 2;
      std::copy(full, full + 3, prev);
      for (std::size_t s = 0; s < small_atoms; ++s) {
        read_packed(r, smallidx, msizes, packed);
        for (int k = 0; k < 3; ++k) cur[k] = prev[k] + packed[k] - half;
        if (s == 0) {  // the water swap: this atom comes before the full one
          store(i, cur);
          store(i + 1, full);
          i += 2;
        } else {
          store(i, cur);
          i += 1;
        }
        std::copy(cur, cur + 3, prev);
      }
    } else {
      store(i, full);
      i += 1;
    }
    smallidx += is_smaller;
  }
}

void encode(const int32_t* c, std::size_t n, Encoded& e) {
  if (n == 0) throw std::range_error("no atoms to compress");
  for (int k = 0; k < 3; ++k) e.minint[k] = e.maxint[k] = c[k];
  for (std::size_t i = 1; i < n; ++i)
    for (int k = 0; k < 3; ++k) {
      e.minint[k] = std::min(e.minint[k], c[3 * i + k]);
      e.maxint[k] = std::max(e.maxint[k], c[3 * i + k]);
    }
  uint32_t sizes[3];
  int bits_each[3];
  for (int k = 0; k < 3; ++k) {
    const int64_t size = int64_t(e.maxint[k]) - int64_t(e.minint[k]) + 1;
    if (size > INT32_MAX) throw std::range_error("coordinates span more than 2^31 - 1 precision units on one axis");
    sizes[k] = static_cast<uint32_t>(size);
    bits_each[k] = bit_length(sizes[k]);
  }
  const bool large = is_large(sizes);
  const int full_bits = large ? 0 : bits_for_sizes(sizes);

  // Start with the size that the closest consecutive pair needs; it then adapts group by group.
  int64_t closest = INT64_MAX;
  for (std::size_t i = 0; i + 1 < n; ++i) closest = std::min(closest, max_abs_diff(c + 3 * i, c + 3 * (i + 1)));
  int smallidx = kFirstIdx;
  while (smallidx < kLastIdx && magic(smallidx) / 2 <= closest) ++smallidx;
  e.smallidx = smallidx;

  constexpr std::size_t kMaxSmall = 8;  // small atoms per group (5-bit run field allows 9)
  BitWriter w(e.bytes);
  int previous_run = 0;
  std::size_t i = 0;
  while (i < n) {
    const int64_t half = magic(smallidx) / 2;
    auto fits = [&](std::size_t a, std::size_t b, int64_t h) { return max_abs_diff(c + 3 * a, c + 3 * b) < h; };
    // Group: full atom i+1 with atom i before it as the first small one, then i+2 relative to i,
    // i+3 relative to i+2, ... (the decoder's order); or atom i alone.
    std::size_t k = 0, last = i;
    if (i + 1 < n && fits(i, i + 1, half)) {
      k = 1;
      while (k < kMaxSmall && i + k + 1 < n && fits(i + k + 1, last, half)) {
        last = i + k + 1;
        ++k;
      }
    }
    int is_smaller = 0;
    if (k >= 1 && smallidx > kFirstIdx) {
      const int64_t smaller_half = magic(smallidx - 1) / 2;
      bool all_fit = fits(i, i + 1, smaller_half);
      for (std::size_t j = i + 2, ref = i; all_fit && j <= i + k; ref = j, ++j) all_fit = fits(j, ref, smaller_half);
      if (all_fit) is_smaller = -1;
    }
    if (is_smaller == 0 && smallidx < kLastIdx && (large || smallidx + 1 < full_bits)) {
      // The group stopped at a pair that did not fit; grow if it would fit one size up.
      const int64_t larger_half = magic(smallidx + 1) / 2;
      if (k == 0 && i + 1 < n && fits(i, i + 1, larger_half)) is_smaller = 1;
      if (k >= 1 && k < kMaxSmall && i + k + 1 < n && fits(i + k + 1, last, larger_half)) is_smaller = 1;
    }

    const int32_t* f = c + 3 * (k >= 1 ? i + 1 : i);
    uint32_t off[3];
    for (int d = 0; d < 3; ++d) off[d] = static_cast<uint32_t>(int64_t(f[d]) - e.minint[d]);
    if (large) {
      for (int d = 0; d < 3; ++d) w.put(off[d], bits_each[d]);
    } else {
      write_packed(w, full_bits, sizes, off);
    }
    const int run = static_cast<int>(3 * k);
    if (run == previous_run && is_smaller == 0) {
      w.put(0, 1);
    } else {
      w.put(1, 1);
      w.put(static_cast<uint32_t>(run + is_smaller + 1), 5);
      previous_run = run;
    }
    if (k >= 1) {
      const uint32_t m = static_cast<uint32_t>(magic(smallidx));
      const uint32_t msizes[3] = {m, m, m};
      std::size_t ref = i + 1;
      for (std::size_t s = 0; s < k; ++s) {
        const std::size_t atom = s == 0 ? i : i + s + 1;
        uint32_t v[3];
        for (int d = 0; d < 3; ++d) v[d] = static_cast<uint32_t>(int64_t(c[3 * atom + d]) - c[3 * ref + d] + half);
        write_packed(w, smallidx, msizes, v);
        ref = atom;
      }
    }
    smallidx += is_smaller;
    i += k + 1;
  }
  w.flush();
}

}  // namespace ionfield::detail::xtc
