#pragma once
// The W1-like test frames and the shipped `benchmark` descriptor set, shared by the native
// benchmarks (gpu_check, sf_bench).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ionfield/descriptors.hpp"

namespace ionfield::bench {

// The shipped `benchmark` set bound to two species (data/descriptor-sets/benchmark.json).
inline DescriptorSet benchmark_set() {
  DescriptorSet s;
  s.nspecies = 2;
  for (int c = 0; c < 2; ++c) {
    for (int n = 0; n < 2; ++n)
      for (int k = 0; k < 11; ++k) {
        SymmetryFunction f;
        f.type = SymmetryFunctionType::G2, f.centre = c, f.neighbour1 = n, f.eta = 2, f.rs = 0.5 + 0.5 * k, f.cutoff = 6;
        s.functions.push_back(f);
      }
    const int pairs[3][2] = {{0, 0}, {0, 1}, {1, 1}};
    for (const auto& p : pairs)
      for (const auto& ez : {std::pair<double, double>{0.02, 1}, {0.2, 4}})
        for (double lambda : {1.0, -1.0}) {
          SymmetryFunction f;
          f.type = SymmetryFunctionType::G5, f.centre = c, f.neighbour1 = p[0], f.neighbour2 = p[1];
          f.eta = ez.first, f.zeta = ez.second, f.lambda = lambda, f.cutoff = 4;
          s.functions.push_back(f);
        }
  }
  s.validate();
  return s;
}

struct Frame {
  Box box;
  std::vector<double> x;
  std::vector<int32_t> species;
  std::string name;
};

inline Frame make_frame(int n, bool triclinic, unsigned seed) {
  Frame f;
  const double L = std::cbrt(n / 0.38);
  if (triclinic) {
    // Same volume as the cube: V = a³ sqrt(1 − cos²α − cos²β − cos²γ + 2 cosα cosβ cosγ).
    const double ca = std::cos(80 * M_PI / 180), cb = std::cos(100 * M_PI / 180), cg = std::cos(75 * M_PI / 180);
    const double a = L / std::cbrt(std::sqrt(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg));
    f.box = Box::from_lengths_angles(a, a, a, 80, 100, 75);
  } else {
    f.box = Box::orthorhombic(L, L, L);
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  f.x.resize(3 * static_cast<std::size_t>(n));
  f.species.resize(n);
  for (int i = 0; i < n; ++i) {
    const Vec3 r = f.box.to_cartesian({U(rng), U(rng), U(rng)});
    for (int k = 0; k < 3; ++k) f.x[3 * i + k] = r[k];
    f.species[i] = i % 2;
  }
  f.name = std::string(triclinic ? "triclinic" : "cubic") + " " + std::to_string(n);
  return f;
}

}  // namespace ionfield::bench
