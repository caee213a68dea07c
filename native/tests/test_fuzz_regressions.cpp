// Inputs that once crashed or misbehaved under the fuzzers (scripts/fuzz.sh), kept in
// test/fixtures/formats/fuzz-regressions/<format>/. Each must now read cleanly or fail with a
// ParseError; any other outcome (crash, other exception) fails this test.
#include <dirent.h>

#include <string>
#include <vector>

#include "check.hpp"
#include "ionfield/error.hpp"
#include "ionfield/trajectory.hpp"

namespace {

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') out.push_back(dir + "/" + e->d_name);
    ::closedir(d);
  }
  return out;
}

}  // namespace

int main() {
  const std::string root = "test/fixtures/formats/fuzz-regressions";  // run from the repository root
  int inputs = 0;
  for (const char* format : {"dcd", "xtc", "gro"}) {
    for (const std::string& path : files_in(root + "/" + format)) {
      ++inputs;
      bool ok = true;
      std::string what;
      for (long long stride : {1LL, 2LL}) {
        try {
          ionfield::FrameSelection frames(ionfield::open_trajectory(path, format), 0, -1, stride);
          ionfield::Frame f;
          while (frames.read_next(f)) ok = ok && f.positions.size() == 3 * f.natoms;
        } catch (const ionfield::ParseError&) {
        } catch (const std::exception& e) {
          ok = false;
          what = e.what();
        }
      }
      check::report(ok, path.c_str(), __FILE__, __LINE__, what);
    }
  }
  std::printf("%d regression inputs\n", inputs);
  return check::summary("test_fuzz_regressions");
}
