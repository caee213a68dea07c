#pragma once
// Constants of the GROMACS XTC frame layout (XDR: big-endian 32-bit words). Internal.
#include <cstddef>

namespace ionfield::detail::xtc {

constexpr int kMagic = 1995;
constexpr int kMagicLargeFrames = 2023;  // GROMACS 2023+ frames with a 64-bit byte count
// magic, natoms, step, time, 3x3 box, natoms again
constexpr std::size_t kHeaderBytes = 4 * (4 + 9 + 1);
// then, for natoms > 9: precision, minint[3], maxint[3], smallidx, byte count
constexpr std::size_t kCompressedHeaderBytes = 4 * (1 + 3 + 3 + 1 + 1);
// frames with this many atoms or fewer store plain floats
constexpr std::size_t kMaxUncompressedAtoms = 9;
constexpr float kDefaultPrecision = 1000.0f;

inline std::size_t padded4(std::size_t n) { return (n + 3) & ~std::size_t(3); }

}  // namespace ionfield::detail::xtc
