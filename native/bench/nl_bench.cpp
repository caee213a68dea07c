// The half neighbour list on one gpu_check frame, 1 and 2 threads, timed as wall time per call
// (the point is the second thread: CPU time would hide idle waiting), for issue 16's ≥ 1.8× goal.
//   nl_bench [--ions 100000] [--repeats 15] [--vectors]
// Frame as gpu_check's cubic one (uniform ions at the W1 density, seed 2), rc 6, distances on as
// the addon asks for them. Each call allocates a fresh result, as a user's call does, so the
// first touch of its pages is timed too. Prints min / median per thread count and their ratio.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench_frames.hpp"
#include "ionfield/neighbors.hpp"

using namespace ionfield;

int main(int argc, char** argv) {
  int ions = 100000, repeats = 15;
  bool vectors = false;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--ions") && a + 1 < argc) ions = std::atoi(argv[++a]);
    else if (!std::strcmp(argv[a], "--repeats") && a + 1 < argc) repeats = std::max(1, std::atoi(argv[++a]));
    else if (!std::strcmp(argv[a], "--vectors")) vectors = true;
    else {
      std::fprintf(stderr, "usage: nl_bench [--ions 100000] [--repeats 15] [--vectors]\n");
      return 2;
    }
  }
  const bench::Frame frame = bench::make_frame(ions, false, 2);
  double best[3] = {0, 0, 0};
  for (int threads = 1; threads <= 2; ++threads) {
    NeighborOptions o;
    o.cutoff = 6.0, o.threads = threads, o.vectors = vectors;
    std::vector<double> ms;
    std::size_t pairs = 0;
    for (int r = 0; r <= repeats; ++r) {  // the first call is a warm-up
      const auto t0 = std::chrono::steady_clock::now();
      const NeighborList list = neighbor_list(frame.x.data(), ions, frame.box, o);
      const double t = 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      pairs = list.size();
      if (r > 0) ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    best[threads] = ms.front();
    std::printf("%d ions, %zu half pairs, %d thread%s: min %.1f ms  median %.1f ms\n", ions, pairs, threads, threads > 1 ? "s" : "",
                ms.front(), ms[ms.size() / 2]);
  }
  std::printf("speed-up of 2 threads (min / min): %.2fx\n", best[1] / best[2]);
  return 0;
}
