// CUDA = CPU at scale, and how much faster, for scripts/gpu/check.sh. Needs nothing but the native
// core, so it runs on a GPU node that has a compiler but no Node.js.
//   gpu_check [--sizes 4096,100000,1000000] [--json out.json]
// For each size: uniform random ions (two species, number density 0.38, the W1 density; the first
// size also as a triclinic cell), then
//   neighbour list, half, rc 6: CPU and CUDA pair sets identical (sorted keys up to 2·10⁷ pairs,
//     else two order-independent 64-bit hash sums over every pair), distances to 1e-12;
//   symmetry functions, the benchmark set (22 G2 rc 6 + 12 G5 rc 4 per species): CUDA float64
//     against CPU float64 to 1e-10 relative, CUDA float32 to 2e-7 relative (the float32 bound of
//     docs/descriptors.md: one rounding of the double result);
//   wall times: CPU one thread, CPU all threads, CUDA (median of 3 after a warm-up).
// Exit 0 when every check passes (or no GPU is usable: said on stdout), 1 otherwise.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "ionfield/descriptors.hpp"
#include "ionfield/device.hpp"
#include "ionfield/neighbors.hpp"
#include "bench_frames.hpp"

using namespace ionfield;
using ionfield::bench::benchmark_set;
using ionfield::bench::Frame;
using ionfield::bench::make_frame;

namespace {

double seconds(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Median of n timed runs (after one untimed warm-up when warm).
double timed(int n, bool warm, const std::function<void()>& f) {
  if (warm) f();
  std::vector<double> t;
  for (int k = 0; k < n; ++k) t.push_back(seconds(f));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

uint64_t mix(uint64_t z) {  // splitmix64 finaliser
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct PairKey {
  int32_t i, j, a, b, c;
  bool operator<(const PairKey& o) const { return std::tie(i, j, a, b, c) < std::tie(o.i, o.j, o.a, o.b, o.c); }
  bool operator==(const PairKey& o) const { return i == o.i && j == o.j && a == o.a && b == o.b && c == o.c; }
};

PairKey key(const NeighborList& l, std::size_t p) { return {l.first[p], l.second[p], l.shifts[3 * p], l.shifts[3 * p + 1], l.shifts[3 * p + 2]}; }

// Same pairs (as a set) in both lists; distance of each pair equal to `tol`.
bool same_pairs(const NeighborList& a, const NeighborList& b, double tol, std::string* how) {
  if (a.size() != b.size()) {
    *how = "pair counts differ: CPU " + std::to_string(a.size()) + ", CUDA " + std::to_string(b.size());
    return false;
  }
  const std::size_t n = a.size();
  if (n <= 20'000'000) {
    std::vector<std::size_t> ia(n), ib(n);
    for (std::size_t p = 0; p < n; ++p) ia[p] = ib[p] = p;
    std::sort(ia.begin(), ia.end(), [&](std::size_t x, std::size_t y) { return key(a, x) < key(a, y); });
    std::sort(ib.begin(), ib.end(), [&](std::size_t x, std::size_t y) { return key(b, x) < key(b, y); });
    double worst = 0;
    for (std::size_t p = 0; p < n; ++p) {
      if (!(key(a, ia[p]) == key(b, ib[p]))) {
        *how = "pair sets differ (sorted comparison)";
        return false;
      }
      worst = std::max(worst, std::fabs(a.distances[ia[p]] - b.distances[ib[p]]));
    }
    *how = "sorted comparison, worst distance difference " + std::to_string(worst);
    return worst <= tol;
  }
  // Order-independent: sums of two independent 64-bit hashes of every (i, j, shift).
  auto sums = [](const NeighborList& l, uint64_t& s1, uint64_t& s2, double& dsum) {
    s1 = s2 = 0, dsum = 0;
    for (std::size_t p = 0; p < l.size(); ++p) {
      const PairKey k = key(l, p);
      const uint64_t h = mix((uint64_t(uint32_t(k.i)) << 32) ^ uint32_t(k.j)) ^ mix((uint64_t(uint32_t(k.a)) << 42) ^ (uint64_t(uint32_t(k.b)) << 21) ^ uint32_t(k.c) ^ 0x5bd1e995ULL);
      s1 += h, s2 += mix(h);
      dsum += l.distances[p];
    }
  };
  uint64_t a1, a2, b1, b2;
  double da, db;
  sums(a, a1, a2, da);
  sums(b, b1, b2, db);
  *how = "hash sums over " + std::to_string(n) + " pairs, distance sums differ by " + std::to_string(std::fabs(da - db) / da) + " relative";
  return a1 == b1 && a2 == b2 && std::fabs(da - db) <= tol * static_cast<double>(n);
}

template <typename T>
double worst_relative(const std::vector<double>& ref, const std::vector<T>& got, double* worst_abs) {
  double w = 0, wa = 0;
  for (std::size_t k = 0; k < ref.size(); ++k) {
    const double d = std::fabs(static_cast<double>(got[k]) - ref[k]);
    if (std::fabs(ref[k]) > 1e-8) w = std::max(w, d / std::fabs(ref[k]));
    else wa = std::max(wa, d);
    if (std::isnan(ref[k]) != std::isnan(static_cast<double>(got[k]))) w = INFINITY;
  }
  *worst_abs = wa;
  return w;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) o += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes{4096, 100000, 1000000};
  std::string json_path;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--sizes") && a + 1 < argc) {
      sizes.clear();
      for (char* t = std::strtok(argv[++a], ","); t; t = std::strtok(nullptr, ",")) sizes.push_back(static_cast<int>(std::atof(t)));
    } else if (!std::strcmp(argv[a], "--json") && a + 1 < argc) {
      json_path = argv[++a];
    } else {
      std::fprintf(stderr, "usage: gpu_check [--sizes 4096,100000,1000000] [--json out.json]\n");
      return 2;
    }
  }
  const DeviceReport dev = query_devices();
  std::string why;
  const bool gpu = cuda_neighbors_available(&why) && cuda_descriptors_available(&why);
  std::printf("gpu_check: CUDA kernels built: %s; GPU: %s\n", dev.built_with_cuda ? "yes" : "no",
              gpu ? (dev.gpus.empty() ? "yes" : dev.gpus[0].name.c_str()) : ("NONE — " + why).c_str());
  const int all = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const DescriptorSet set = benchmark_set();
  const std::size_t F = set.max_features();
  std::string rows;
  bool ok = true;
  std::vector<Frame> frames;
  for (std::size_t s = 0; s < sizes.size(); ++s) {
    if (s == 0) frames.push_back(make_frame(sizes[0], true, 1));
    frames.push_back(make_frame(sizes[s], false, 2 + s));
  }
  std::printf("| frame | work | CPU 1 thread (s) | CPU %d threads (s) | CUDA (s) | CUDA ÷ 1 core | agreement |\n|---|---|---:|---:|---:|---:|---|\n", all);
  for (const Frame& fr : frames) {
    const std::size_t n = fr.species.size();
    const bool big = n >= 500000;
    // ---- neighbour list
    NeighborOptions o;
    o.cutoff = 6, o.distances = false, o.vectors = false;
    auto nl = [&](int threads, bool cuda) {
      NeighborOptions p = o;
      p.threads = threads;
      return cuda ? neighbor_list_cuda(fr.x.data(), n, fr.box, p) : neighbor_list(fr.x.data(), n, fr.box, p);
    };
    const double nl1 = timed(big ? 1 : 3, !big, [&] { nl(1, false); });
    const double nlN = timed(big ? 2 : 3, true, [&] { nl(all, false); });
    double nlG = NAN;
    std::string nl_agree = "not run (no GPU)";
    if (gpu) {
      nlG = timed(3, true, [&] { nl(all, true); });
      NeighborOptions d = o;
      d.distances = true, d.threads = all;
      const NeighborList a = neighbor_list(fr.x.data(), n, fr.box, d), b = neighbor_list_cuda(fr.x.data(), n, fr.box, d);
      std::string how;
      const bool same = same_pairs(a, b, 1e-12, &how);
      ok = ok && same;
      nl_agree = std::string(same ? "IDENTICAL" : "DIFFERENT") + " pair sets (" + std::to_string(a.size()) + " pairs; " + how + ")";
    }
    std::printf("| %s | half list rc 6 | %.4f | %.4f | %.5f | %.1f× | %s |\n", fr.name.c_str(), nl1, nlN, nlG, nl1 / nlG, nl_agree.c_str());
    // ---- symmetry functions
    std::vector<int32_t> rowsv(n);
    for (std::size_t i = 0; i < n; ++i) rowsv[i] = static_cast<int32_t>(i);
    DescriptorInput in;
    in.positions = fr.x.data(), in.frames = 1, in.natoms = n, in.boxes = &fr.box, in.species = fr.species.data();
    in.rows = rowsv.data(), in.nrows = n, in.stride = F;
    std::vector<double> cpu64(F * n);
    std::vector<float> out32(F * n);
    auto sf_cpu = [&](int threads) {
      DescriptorOptions d;
      d.threads = threads;
      compute_descriptors(set, in, out32.data(), d);
    };
    const double sf1 = timed(1, !big, [&] { sf_cpu(1); });
    const double sfN = timed(big ? 2 : 3, true, [&] { sf_cpu(all); });
    double sfG = NAN;
    std::string sf_agree = "not run (no GPU)";
    if (gpu) {
      sfG = timed(3, true, [&] { compute_descriptors_cuda(set, in, out32.data()); });
      DescriptorOptions d;
      d.threads = all;
      compute_descriptors(set, in, cpu64.data(), d);
      std::vector<double> g64(F * n);
      compute_descriptors_cuda(set, in, g64.data());
      compute_descriptors_cuda(set, in, out32.data());
      double a64, a32;
      const double r64 = worst_relative(cpu64, g64, &a64), r32 = worst_relative(cpu64, out32, &a32);
      const bool good = r64 <= 1e-10 && a64 <= 1e-12 && r32 <= 2e-7 && a32 <= 1e-12;
      ok = ok && good;
      char buf[256];
      std::snprintf(buf, sizeof buf, "%s: float64 worst %.2g rel (abs %.2g, bound 1e-10); float32 worst %.2g rel (bound 2e-7)", good ? "AGREE" : "DISAGREE", r64,
                    a64, r32);
      sf_agree = buf;
    }
    std::printf("| %s | symmetry functions, %zu features | %.4f | %.4f | %.5f | %.1f× | %s |\n", fr.name.c_str(), F, sf1, sfN, sfG, sf1 / sfG,
                sf_agree.c_str());
    std::fflush(stdout);
    char row[1024];
    auto num = [](double v) { return std::isnan(v) ? std::string("null") : std::to_string(v); };
    std::snprintf(row, sizeof row,
                  "%s{\"frame\":\"%s\",\"ions\":%zu,\"nl\":{\"cpu1\":%s,\"cpu_all\":%s,\"cuda\":%s,\"agreement\":\"%s\"},"
                  "\"sf\":{\"cpu1\":%s,\"cpu_all\":%s,\"cuda_float32\":%s,\"agreement\":\"%s\"}}",
                  rows.empty() ? "" : ",\n  ", fr.name.c_str(), n, num(nl1).c_str(), num(nlN).c_str(), num(nlG).c_str(), json_escape(nl_agree).c_str(),
                  num(sf1).c_str(), num(sfN).c_str(), num(sfG).c_str(), json_escape(sf_agree).c_str());
    rows += row;
  }
  if (!gpu) std::printf("NO GPU: %s. The CPU columns above ran; CUDA agreement and timing need a GPU.\n", why.c_str());
  if (!json_path.empty()) {
    if (FILE* f = std::fopen(json_path.c_str(), "w")) {
      std::fprintf(f,
                   "{\"schema\":\"ionfield.gpu-check/1\",\"gpu\":%s,\"gpu_name\":\"%s\",\"note\":\"%s\",\"compiler\":\"%s\",\"cuda_compiler\":\"%s\","
                   "\"cuda_runtime\":%d,\"cuda_driver\":%d,\"cpu_threads\":%d,\"all_agree\":%s,\n \"frames\":[\n  %s]}\n",
                   gpu ? "true" : "false", dev.gpus.empty() ? "" : json_escape(dev.gpus[0].name).c_str(), json_escape(gpu ? "" : why).c_str(),
                   json_escape(dev.compiler).c_str(), json_escape(dev.cuda_compiler).c_str(), dev.cuda_runtime_version, dev.cuda_driver_version, all,
                   gpu ? (ok ? "true" : "false") : "null", rows.c_str());
      std::fclose(f);
    } else {
      std::fprintf(stderr, "gpu_check: cannot write %s\n", json_path.c_str());
      return 1;
    }
  }
  std::printf("gpu_check: %s\n", !gpu ? "no GPU present — CPU only" : ok ? "CUDA = CPU on every frame" : "CUDA DIFFERS from CPU (see the table)");
  return ok ? 0 : 1;
}
