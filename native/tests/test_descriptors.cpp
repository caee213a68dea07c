// Symmetry functions: fast paths (tensor G5, shift recurrence, cell-list gather) against a
// straightforward brute-force evaluation over explicit periodic images, plus invariances.
// (The independent reference in TypeScript lives in test/descriptors.test.ts.)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "check.hpp"
#include "ionfield/descriptors.hpp"

using namespace ionfield;

double fc(double r, double rc, CutoffFunction k) {
  if (r >= rc) return 0;
  const double x = r / rc;
  if (k == CutoffFunction::Cosine) return 0.5 * (std::cos(M_PI * x) + 1);
  return ((15 - 6 * x) * x - 10) * x * x * x + 1;
}

// Direct definition: every image of every atom within the cutoff (explicit image loops).
std::vector<double> brute(const DescriptorSet& set, const std::vector<double>& x, const std::vector<int>& sp, const Box& box,
                          int i) {
  const int n = static_cast<int>(sp.size());
  struct Nb {
    Vec3 v;
    double r;
    int s;
  };
  std::vector<Nb> nb;
  const double rc = set.max_cutoff();
  const Vec3 H = box.heights();
  int K[3];
  for (int k = 0; k < 3; ++k) K[k] = box.periodic[k] ? static_cast<int>(std::ceil(rc / H[k])) + 2 : 0;
  for (int j = 0; j < n; ++j)
    for (int a = -K[0]; a <= K[0]; ++a)
      for (int b = -K[1]; b <= K[1]; ++b)
        for (int c = -K[2]; c <= K[2]; ++c) {
          if (j == i && a == 0 && b == 0 && c == 0) continue;
          Vec3 v;
          for (int k = 0; k < 3; ++k) v[k] = x[3 * j + k] - x[3 * i + k] + a * box.h[0][k] + b * box.h[1][k] + c * box.h[2][k];
          const double r = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
          if (r < rc) nb.push_back({v, r, sp[j]});
        }
  std::vector<double> out;
  for (const auto& f : set.functions) {
    if (f.centre != sp[i]) continue;
    double g = 0;
    if (f.type == SymmetryFunctionType::G2) {
      for (auto& p : nb)
        if (p.s == f.neighbour1) g += std::exp(-f.eta * (p.r - f.rs) * (p.r - f.rs)) * fc(p.r, f.cutoff, f.cutoff_function);
    } else {
      for (std::size_t j = 0; j < nb.size(); ++j)
        for (std::size_t k = j + 1; k < nb.size(); ++k) {
          const bool match = (nb[j].s == f.neighbour1 && nb[k].s == f.neighbour2) || (nb[j].s == f.neighbour2 && nb[k].s == f.neighbour1);
          if (!match) continue;
          const double cs = (nb[j].v[0] * nb[k].v[0] + nb[j].v[1] * nb[k].v[1] + nb[j].v[2] * nb[k].v[2]) / (nb[j].r * nb[k].r);
          double e = (nb[j].r - f.rs) * (nb[j].r - f.rs) + (nb[k].r - f.rs) * (nb[k].r - f.rs);
          double cut = fc(nb[j].r, f.cutoff, f.cutoff_function) * fc(nb[k].r, f.cutoff, f.cutoff_function);
          if (f.type == SymmetryFunctionType::G4) {
            double d2 = 0;
            for (int q = 0; q < 3; ++q) d2 += (nb[j].v[q] - nb[k].v[q]) * (nb[j].v[q] - nb[k].v[q]);
            const double rjk = std::sqrt(d2);
            e += (rjk - f.rs) * (rjk - f.rs);
            cut *= fc(rjk, f.cutoff, f.cutoff_function);
          }
          g += std::pow(std::max(0.0, 1 + f.lambda * cs), f.zeta) * std::exp(-f.eta * e) * cut;
        }
      g *= std::pow(2.0, 1 - f.zeta);
    }
    out.push_back(g);
  }
  return out;
}

DescriptorSet test_set() {
  DescriptorSet s;
  s.nspecies = 2;
  for (int c = 0; c < 2; ++c) {
    for (int b = 0; b < 2; ++b) {
      for (int k = 0; k < 8; ++k) {  // uniform grid -> recurrence
        SymmetryFunction f;
        f.centre = c, f.neighbour1 = b, f.eta = 1.5, f.rs = 0.5 + 0.6 * k, f.cutoff = 5.5;
        s.functions.push_back(f);
      }
      SymmetryFunction f;  // lone shift, polynomial cutoff
      f.centre = c, f.neighbour1 = b, f.eta = 0.3, f.rs = 1.1, f.cutoff = 4.7, f.cutoff_function = CutoffFunction::Polynomial2;
      s.functions.push_back(f);
    }
    for (int b1 = 0; b1 < 2; ++b1)
      for (int b2 = b1; b2 < 2; ++b2)
        for (auto type : {SymmetryFunctionType::G5, SymmetryFunctionType::G4})
          for (double zeta : {1.0, 2.0, 4.0, 1.5})
            for (double lambda : {1.0, -1.0}) {
              SymmetryFunction f;
              f.type = type, f.centre = c, f.neighbour1 = b2, f.neighbour2 = b1, f.eta = 0.05, f.zeta = zeta, f.lambda = lambda;
              f.cutoff = 4.0, f.rs = type == SymmetryFunctionType::G4 ? 0.2 : 0.0;
              s.functions.push_back(f);
            }
  }
  return s;
}

double rel(double a, double b) { return std::fabs(a - b) / std::max({std::fabs(a), std::fabs(b), 1e-300}); }

int main() {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> U(0, 1);
  const DescriptorSet set = test_set();
  const int F = set.max_features();
  auto run = [&](const std::vector<double>& x, const std::vector<int>& sp, const Box& box, DescriptorOptions o = {}) {
    std::vector<int32_t> rows(sp.size());
    for (std::size_t i = 0; i < sp.size(); ++i) rows[i] = static_cast<int32_t>(i);
    DescriptorInput in;
    in.positions = x.data(), in.frames = 1, in.natoms = sp.size(), in.boxes = &box, in.species = sp.data();
    in.rows = rows.data(), in.nrows = rows.size(), in.stride = F;
    std::vector<double> out(F * sp.size());
    compute_descriptors(set, in, out.data(), o);
    return out;
  };
  double worst_brute = 0, worst_paths = 0;
  for (int trial = 0; trial < 6; ++trial) {
    Box box = trial % 2 ? Box::from_lengths_angles(7 + U(rng) * 3, 7 + U(rng) * 3, 7 + U(rng) * 3, 70 + 40 * U(rng), 70 + 40 * U(rng), 70 + 40 * U(rng))
                        : Box::orthorhombic(6 + 4 * U(rng), 6 + 4 * U(rng), 6 + 4 * U(rng));
    if (trial == 4) box.periodic = {false, false, false};
    const int n = 40 + trial * 10;
    std::vector<double> x(3 * n);
    std::vector<int> sp(n);
    for (int i = 0; i < n; ++i) {
      const Vec3 r = box.to_cartesian({U(rng) * 1.4 - 0.2, U(rng) * 1.4 - 0.2, U(rng) * 1.4 - 0.2});
      for (int k = 0; k < 3; ++k) x[3 * i + k] = r[k];
      sp[i] = i % 3 == 0;
    }
    const auto fast = run(x, sp, box);
    DescriptorOptions slow;
    slow.separable_g5 = false;
    slow.shift_recurrence = false;
    slow.threads = 1;
    const auto direct = run(x, sp, box, slow);
    for (int i = 0; i < n; ++i) {
      const auto ref = brute(set, x, sp, box, i);
      for (std::size_t k = 0; k < ref.size(); ++k) {
        const double scale = std::fabs(ref[k]) > 1e-8 ? 1.0 : 0.0;  // relative where not ~0
        worst_brute = std::max(worst_brute, scale * rel(fast[F * i + k], ref[k]));
        worst_paths = std::max(worst_paths, scale * rel(fast[F * i + k], direct[F * i + k]));
        if (scale == 0) worst_brute = std::max(worst_brute, std::fabs(fast[F * i + k] - ref[k]) * 1e4);
      }
    }
  }
  std::printf("worst relative difference: fast vs brute force %.3g, fast vs direct paths %.3g\n", worst_brute, worst_paths);
  CHECK(worst_brute < 1e-10);
  CHECK(worst_paths < 1e-10);

  // Invariance: rotation, translation, permutation, image shifts.
  {
    Box box = Box::from_lengths_angles(9, 9.5, 10, 80, 100, 95);
    const int n = 80;
    std::vector<double> x(3 * n);
    std::vector<int> sp(n);
    for (int i = 0; i < n; ++i) {
      const Vec3 r = box.to_cartesian({U(rng), U(rng), U(rng)});
      for (int k = 0; k < 3; ++k) x[3 * i + k] = r[k];
      sp[i] = i % 2;
    }
    const auto base = run(x, sp, box);
    // rotation of positions and cell together
    const double a = 0.7, b = -1.1;
    const double R[3][3] = {{std::cos(a), -std::sin(a), 0}, {std::sin(a) * std::cos(b), std::cos(a) * std::cos(b), -std::sin(b)},
                            {std::sin(a) * std::sin(b), std::cos(a) * std::sin(b), std::cos(b)}};
    auto rot = [&](const double* v, double* o) {
      for (int r = 0; r < 3; ++r) o[r] = R[r][0] * v[0] + R[r][1] * v[1] + R[r][2] * v[2];
    };
    Box rb = box;
    for (int k = 0; k < 3; ++k) rot(box.h[k].data(), rb.h[k].data());
    std::vector<double> xr(3 * n), xt(3 * n), xs(3 * n);
    for (int i = 0; i < n; ++i) rot(&x[3 * i], &xr[3 * i]);
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < 3; ++k) xt[3 * i + k] = x[3 * i + k] + 3.3 - 1.1 * k;
    xs = x;
    for (int i = 0; i < n; i += 3)
      for (int k = 0; k < 3; ++k) xs[3 * i + k] += 2 * box.h[0][k] - box.h[2][k] + 3 * box.h[1][k];
    std::vector<int> perm(n);
    for (int i = 0; i < n; ++i) perm[i] = (i * 37 + 11) % n;  // 37 coprime with 80
    std::vector<double> xp(3 * n);
    std::vector<int> spp(n);
    for (int i = 0; i < n; ++i) {
      for (int k = 0; k < 3; ++k) xp[3 * perm[i] + k] = x[3 * i + k];
      spp[perm[i]] = sp[i];
    }
    const auto vr = run(xr, sp, rb), vt = run(xt, sp, box), vs = run(xs, sp, box), vp = run(xp, spp, box);
    double wr = 0, wt = 0, ws = 0, wp = 0;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < set.feature_counts()[sp[i]]; ++k) {
        const double v = base[F * i + k];
        if (std::fabs(v) < 1e-8) continue;
        wr = std::max(wr, rel(vr[F * i + k], v));
        wt = std::max(wt, rel(vt[F * i + k], v));
        ws = std::max(ws, rel(vs[F * i + k], v));
        wp = std::max(wp, rel(vp[F * perm[i] + k], v));
      }
    std::printf("invariance (worst relative): rotation %.2g translation %.2g image shift %.2g permutation %.2g\n", wr, wt, ws, wp);
    CHECK(wr < 1e-10);
    CHECK(wt < 1e-10);
    CHECK(ws < 1e-10);
    CHECK(wp < 1e-10);
  }
  // Bad sets are refused with a reason.
  {
    DescriptorSet bad = set;
    bad.functions[0].cutoff = 0;
    CHECK_THROWS(bad.validate());
    bad = set;
    bad.functions.back().lambda = 0.5;
    CHECK_THROWS(bad.validate());
  }
  // CUDA twin.
  {
    std::string why;
    if (!cuda_descriptors_available(&why)) {
      std::printf("SKIP CUDA descriptors: %s\n", why.c_str());
    } else {
      Box box = Box::from_lengths_angles(14, 15, 16, 80, 100, 95);
      const int n = 1500;
      std::vector<double> x(3 * n);
      std::vector<int> sp(n);
      for (int i = 0; i < n; ++i) {
        const Vec3 r = box.to_cartesian({U(rng), U(rng), U(rng)});
        for (int k = 0; k < 3; ++k) x[3 * i + k] = r[k];
        sp[i] = i % 2;
      }
      const auto cpu = run(x, sp, box);
      std::vector<int32_t> rows(n);
      for (int i = 0; i < n; ++i) rows[i] = i;
      DescriptorInput in;
      in.positions = x.data(), in.frames = 1, in.natoms = n, in.boxes = &box, in.species = sp.data();
      in.rows = rows.data(), in.nrows = n, in.stride = F;
      std::vector<double> gpu(F * n);
      compute_descriptors_cuda(set, in, gpu.data());
      double w = 0;
      for (int i = 0; i < n; ++i)
        for (int k = 0; k < set.feature_counts()[sp[i]]; ++k)
          if (std::fabs(cpu[F * i + k]) > 1e-8) w = std::max(w, rel(gpu[F * i + k], cpu[F * i + k]));
      std::printf("CUDA vs CPU descriptors: worst relative difference %.3g over %d atoms\n", w, n);
      CHECK(w < 1e-9);
    }
  }
  return check::summary("test_descriptors");
}
