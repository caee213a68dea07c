#pragma once
// The compressed coordinate block of GROMACS XTC frames (the "xtc3dfcoord" scheme), written
// from the format's description. Coordinates are integers (position * precision). Each frame
// stores the integer bounding box (minint, maxint); an atom is either a "full" coordinate packed
// as one mixed-radix number of the three offsets from minint, or a "small" coordinate: the
// difference to the previous atom, offset by half of magic(smallidx) and packed in smallidx bits.
// After each full atom comes a flag bit; when set, 5 bits hold run + (change of smallidx + 1),
// where run = 3 * (number of small atoms that follow); when clear, the previous run repeats and
// smallidx stays. Water trick: in a group the first small atom is written to the output before
// the full atom (the encoder swaps atoms i and i+1 so that O-H-H compresses well), and later small
// atoms are relative to the one before them in output order, except the second, which is relative
// to the first output atom. Bits are packed most-significant first. Internal.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ionfield::detail::xtc {

constexpr int kFirstIdx = 9;   // the smallest usable magic index (magic(9) = 8)
constexpr int kLastIdx = 72;   // the table's last index (magic(72) = 2^24)

// magic(i) is the largest integer m with m^3 <= 2^i, so three values below m fit in i bits;
// the format's table has three historical entries slightly below that (indices 37, 57, 69).
int magic(int index);

// Bad compressed data: what went wrong and the byte (within the block) where it was noticed.
struct CodecError : std::runtime_error {
  CodecError(const std::string& what, std::size_t byte) : std::runtime_error(what), byte(byte) {}
  std::size_t byte;
};

struct Encoded {
  int32_t minint[3] = {0, 0, 0};
  int32_t maxint[3] = {0, 0, 0};
  int smallidx = kFirstIdx;
  std::vector<unsigned char> bytes;
};

// Decodes `natoms` integer coordinates (x y z per atom) from `data`. Never reads outside
// [data, data + nbytes) and throws CodecError on anything inconsistent.
void decode(const unsigned char* data, std::size_t nbytes, std::size_t natoms, const int32_t minint[3],
            const int32_t maxint[3], int smallidx, int32_t* out);

// Encodes `natoms` (> 0) integer coordinates. Throws std::range_error if the spread of a
// coordinate does not fit the format (more than 2^31 - 1 precision units).
void encode(const int32_t* coords, std::size_t natoms, Encoded& out);

// Number of bits the format uses for a full coordinate whose three ranges are `sizes` (the bit
// length of their product), and the bit length of one integer.
int bits_for_sizes(const uint32_t sizes[3]);
int bit_length(uint64_t v);

}  // namespace ionfield::detail::xtc
