// libFuzzer harness for the XTC encoder: any integer coordinates (the input read as int32
// triples, optionally squeezed into a narrower range to reach small-difference runs) must
// decode back exactly. A mismatch aborts (a finding).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "traj/xtc_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 13) return 0;
  const int squeeze = data[0] % 32;  // 0: full int32 range; k: values masked to k bits (signed)
  const size_t natoms = (size - 1) / 12;
  std::vector<int32_t> coords(3 * natoms);
  std::memcpy(coords.data(), data + 1, coords.size() * 4);
  if (squeeze > 0)
    for (int32_t& v : coords) v = static_cast<int32_t>(static_cast<uint32_t>(v) & ((1u << squeeze) - 1)) - (1 << (squeeze - 1));
  ionfield::detail::xtc::Encoded e;
  try {
    ionfield::detail::xtc::encode(coords.data(), natoms, e);
  } catch (const std::range_error&) {
    return 0;  // spread beyond 2^31 - 1: the writer reports it
  }
  std::vector<int32_t> back(coords.size());
  ionfield::detail::xtc::decode(e.bytes.data(), e.bytes.size(), natoms, e.minint, e.maxint, e.smallidx, back.data());
  if (back != coords) std::abort();
  return 0;
}
