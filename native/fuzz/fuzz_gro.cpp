// libFuzzer harness for the GROMACS .gro text reader (plain and, when the input starts with the gzip
// magic, gzip with the inflating thread): every input either reads or raises ParseError.
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz_read_all(data, size, "gro");
  return 0;
}
