// libFuzzer harness for the XTC reader (including the compressed-coordinate decoder).
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz_read_all(data, size, "xtc");
  return 0;
}
