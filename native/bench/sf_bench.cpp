// Symmetry functions on one W1-sized frame, timed as CPU time (steadier than wall time on a shared
// machine), for issue 16's 15 ms goal.
//   sf_bench [--ions 4096] [--repeats 9] [--threads 1] [--float64] [--part g2|g5] [--dump out.f64] [--compare ref.f64]
// Frame and set as gpu_check's cubic one (uniform ions at the W1 density, seed 2; the `benchmark`
// set, 34 features). Prints min / median / max of the process CPU time and the wall time per call
// (after one untimed warm-up). --dump writes the float64 features; --compare reads such a file and
// prints the worst relative difference (features above 1e-8) and the worst absolute one (below).
// --part keeps only the radial (22 G2) or only the angular (12 G5) functions of each centre, to
// see where the time goes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "bench_frames.hpp"
#include "ionfield/descriptors.hpp"

using namespace ionfield;

namespace {

double cpu_now() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

double wall_now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

void summary(const char* what, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::printf("%s ms: min %.2f  median %.2f  max %.2f\n", what, 1e3 * v.front(), 1e3 * v[v.size() / 2], 1e3 * v.back());
}

}  // namespace

int main(int argc, char** argv) {
  int ions = 4096, repeats = 9, threads = 1;
  bool f64 = false;
  std::string dump, compare, part;
  for (int a = 1; a < argc; ++a) {
    auto next = [&]() -> const char* {
      if (a + 1 >= argc) {
        std::fprintf(stderr, "sf_bench: %s needs a value\n", argv[a]);
        std::exit(2);
      }
      return argv[++a];
    };
    if (!std::strcmp(argv[a], "--ions")) ions = static_cast<int>(std::atof(next()));
    else if (!std::strcmp(argv[a], "--repeats")) repeats = std::atoi(next());
    else if (!std::strcmp(argv[a], "--threads")) threads = std::atoi(next());
    else if (!std::strcmp(argv[a], "--float64")) f64 = true;
    else if (!std::strcmp(argv[a], "--part")) part = next();
    else if (!std::strcmp(argv[a], "--dump")) dump = next();
    else if (!std::strcmp(argv[a], "--compare")) compare = next();
    else {
      std::fprintf(stderr, "usage: sf_bench [--ions N] [--repeats R] [--threads T] [--float64] [--part g2|g5] [--dump f] [--compare f]\n");
      return 2;
    }
  }
  DescriptorSet set = bench::benchmark_set();
  if (!part.empty()) {
    if (part != "g2" && part != "g5") return std::fprintf(stderr, "sf_bench: --part g2 or g5\n"), 2;
    const SymmetryFunctionType keep = part == "g2" ? SymmetryFunctionType::G2 : SymmetryFunctionType::G5;
    std::vector<SymmetryFunction> fs;
    for (const auto& f : set.functions)
      if (f.type == keep) fs.push_back(f);
    set.functions = fs;
  }
  const bench::Frame fr = bench::make_frame(ions, false, 2);
  const std::size_t n = fr.species.size(), F = set.max_features();
  std::vector<int32_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = static_cast<int32_t>(i);
  DescriptorInput in;
  in.positions = fr.x.data(), in.frames = 1, in.natoms = n, in.boxes = &fr.box, in.species = fr.species.data();
  in.rows = rows.data(), in.nrows = n, in.stride = F;
  DescriptorOptions opt;
  opt.threads = threads;
  std::vector<double> out64(F * n);
  std::vector<float> out32(F * n);
  auto call = [&] {
    if (f64) compute_descriptors(set, in, out64.data(), opt);
    else compute_descriptors(set, in, out32.data(), opt);
  };
  call();
  std::vector<double> cpu, wall;
  for (int r = 0; r < repeats; ++r) {
    const double c0 = cpu_now(), w0 = wall_now();
    call();
    cpu.push_back(cpu_now() - c0);
    wall.push_back(wall_now() - w0);
  }
  std::printf("sf_bench: %zu ions, %zu features, %s, %d thread(s), %d repeats\n", n, F, f64 ? "float64" : "float32", threads, repeats);
  summary("CPU ", cpu);
  summary("wall", wall);
  if (!dump.empty() || !compare.empty()) compute_descriptors(set, in, out64.data(), opt);
  if (!dump.empty()) {
    FILE* f = std::fopen(dump.c_str(), "wb");
    if (!f || std::fwrite(out64.data(), sizeof(double), out64.size(), f) != out64.size()) return std::fprintf(stderr, "sf_bench: cannot write %s\n", dump.c_str()), 1;
    std::fclose(f);
  }
  if (!compare.empty()) {
    std::vector<double> ref(out64.size());
    FILE* f = std::fopen(compare.c_str(), "rb");
    if (!f || std::fread(ref.data(), sizeof(double), ref.size(), f) != ref.size()) return std::fprintf(stderr, "sf_bench: cannot read %s\n", compare.c_str()), 1;
    std::fclose(f);
    double wr = 0, wa = 0, wr32 = 0;
    std::size_t identical = 0;
    for (std::size_t k = 0; k < ref.size(); ++k) {
      const double d = std::fabs(out64[k] - ref[k]);
      identical += out64[k] == ref[k];
      if (std::fabs(ref[k]) > 1e-8) wr = std::max(wr, d / std::fabs(ref[k]));
      else wa = std::max(wa, d);
      if (std::fabs(ref[k]) > 1e-8) wr32 = std::max(wr32, std::fabs(static_cast<double>(out32[k]) - ref[k]) / std::fabs(ref[k]));
    }
    std::printf("against %s: float64 worst %.3g relative, %.3g absolute below 1e-8, %zu of %zu bit-identical", compare.c_str(), wr, wa, identical, ref.size());
    if (!f64) std::printf("; float32 worst %.3g relative (bound 2e-7)", wr32);
    std::printf("\n");
  }
  return 0;
}
