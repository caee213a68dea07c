// VerletNeighbors::update on 10^5 uniform ions at the W1 density (rc 6, skin 1, one thread), atoms
// nudged by up to 0.02 a frame so that no frame rebuilds: the time of reusing the candidates
// (issue 16; BENCHMARKS.md). Prints min and mean over 20 frames.
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>
#include "ionfield/neighbors.hpp"
using namespace ionfield;
int main() {
  const std::size_t n = 100000; const double L = std::cbrt(n / 0.38);
  std::mt19937_64 rng(1); std::uniform_real_distribution<double> u(0, L), du(-0.02, 0.02);
  std::vector<double> x(3 * n); for (auto& v : x) v = u(rng);
  Box box = Box::orthorhombic(L, L, L);
  NeighborOptions o; o.cutoff = 6; o.threads = 1; o.vectors = false;
  VerletNeighbors vl(o, 1.0);
  vl.update(x.data(), n, box);
  double best = 1e9, sum = 0; int frames = 20;
  for (int f = 0; f < frames; ++f) {
    for (auto& v : x) v += du(rng);
    auto t0 = std::chrono::steady_clock::now();
    const NeighborList& l = vl.update(x.data(), n, box);
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1e3;
    best = std::min(best, t); sum += t; (void)l;
  }
  std::printf("verlet update (no rebuild expected: rebuilds %zu): min %.1f ms mean %.1f ms\n", vl.rebuilds(), best, sum / frames);
}
