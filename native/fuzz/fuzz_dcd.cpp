// libFuzzer harness for the DCD reader.
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz_read_all(data, size, "dcd");
  return 0;
}
