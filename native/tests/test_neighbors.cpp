// Property tests: the cell-list neighbour list equals a brute-force O(N^2 * images) reference
// (same pairs, same shifts, same distances and vectors) on random orthorhombic, triclinic,
// partly periodic and open boxes, with small cutoffs and cutoffs beyond half the box.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <tuple>

#include "check.hpp"
#include "ionfield/neighbors.hpp"

using namespace ionfield;
using Key = std::tuple<int, int, int, int, int>;

struct Ref {
  double d;
  Vec3 v;
};

std::map<Key, Ref> brute_force(const std::vector<double>& x, const Box& box, double rc, bool full) {
  const std::size_t n = x.size() / 3;
  const Vec3 H = box.heights();
  int K[3];
  // positions span up to 2.2 cells in fractional coordinates, hence + 3 images
  for (int k = 0; k < 3; ++k) K[k] = box.periodic[k] ? static_cast<int>(std::ceil(rc / H[k])) + 3 : 0;
  std::map<Key, Ref> out;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (int a = -K[0]; a <= K[0]; ++a)
        for (int b = -K[1]; b <= K[1]; ++b)
          for (int c = -K[2]; c <= K[2]; ++c) {
            if (i == j && a == 0 && b == 0 && c == 0) continue;
            if (!full) {
              if (j < i) continue;
              if (i == j && !(a > 0 || (a == 0 && (b > 0 || (b == 0 && c > 0))))) continue;
            }
            Vec3 v;
            for (int k = 0; k < 3; ++k) v[k] = x[3 * j + k] - x[3 * i + k] + a * box.h[0][k] + b * box.h[1][k] + c * box.h[2][k];
            const double d = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            if (d < rc) out[{int(i), int(j), a, b, c}] = {d, v};
          }
  return out;
}

int cases = 0;

void compare(const std::vector<double>& x, const Box& box, double rc, bool full, int threads, const char* what) {
  NeighborOptions o;
  o.cutoff = rc;
  o.full = full;
  o.threads = threads;
  const NeighborList nl = neighbor_list(x.data(), x.size() / 3, box, o);
  const auto ref = brute_force(x, box, rc, full);
  bool ok = nl.size() == ref.size();
  double worst = 0;
  for (std::size_t p = 0; p < nl.size() && ok; ++p) {
    const Key key{nl.first[p], nl.second[p], nl.shifts[3 * p], nl.shifts[3 * p + 1], nl.shifts[3 * p + 2]};
    auto it = ref.find(key);
    if (it == ref.end()) {
      ok = false;
      break;
    }
    worst = std::max(worst, std::fabs(nl.distances[p] - it->second.d));
    for (int k = 0; k < 3; ++k) worst = std::max(worst, std::fabs(nl.vectors[3 * p + k] - it->second.v[k]));
  }
  ++cases;
  check::report(ok && worst < 1e-9, what, __FILE__, __LINE__,
                "(pairs " + std::to_string(nl.size()) + " vs reference " + std::to_string(ref.size()) + ", worst " +
                    std::to_string(worst) + ", rc " + std::to_string(rc) + ", full " + std::to_string(full) + ")");
}

// A frame large enough for a real cell grid (many cells, the stencil inside the grid): brute force
// over exactly the images each pair can reach (|ds_k + S_k| H_k <= rc), then the same list with 1,
// 2 and 3 threads must be identical, pair order and bits included (half and full lists).
// extent < 1 packs the atoms into that fraction of each direction: far denser than the box
// average, so the threaded list outgrows the room it sized from the mean density.
void large_frame(const Box& box, int n, double rc, std::mt19937_64& rng, const char* what, double extent = 1.0) {
  std::uniform_real_distribution<double> U(0, 1);
  std::vector<double> x(3 * n), s(3 * n);
  for (int i = 0; i < n; ++i) {
    // most inside the cell, one in ten up to half a box outside (unwrapped coordinates)
    const double spread = i % 10 == 0 ? 2.0 : 1.0, lo = i % 10 == 0 ? -0.5 : 0.0;
    const Vec3 f{extent * (lo + spread * U(rng)), extent * (lo + spread * U(rng)), extent * (lo + spread * U(rng))};
    const Vec3 r = box.to_cartesian(f);
    for (int k = 0; k < 3; ++k) x[3 * i + k] = r[k], s[3 * i + k] = f[k];
  }
  const Vec3 H = box.heights();
  for (bool full : {false, true}) {
    std::map<Key, Ref> ref;
    for (int i = 0; i < n; ++i)
      for (int j = full ? 0 : i; j < n; ++j) {
        int lo[3], hi[3];
        for (int k = 0; k < 3; ++k) {
          const double ds = s[3 * j + k] - s[3 * i + k], reach = rc / H[k] + 1e-9;
          lo[k] = box.periodic[k] ? static_cast<int>(std::ceil(-ds - reach)) : 0;
          hi[k] = box.periodic[k] ? static_cast<int>(std::floor(-ds + reach)) : 0;
        }
        for (int a = lo[0]; a <= hi[0]; ++a)
          for (int b = lo[1]; b <= hi[1]; ++b)
            for (int c = lo[2]; c <= hi[2]; ++c) {
              if (i == j && a == 0 && b == 0 && c == 0) continue;
              if (!full && i == j && !(a > 0 || (a == 0 && (b > 0 || (b == 0 && c > 0))))) continue;
              Vec3 v;
              for (int k = 0; k < 3; ++k) v[k] = x[3 * j + k] - x[3 * i + k] + a * box.h[0][k] + b * box.h[1][k] + c * box.h[2][k];
              const double d = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
              if (d < rc) ref[{i, j, a, b, c}] = {d, v};
            }
      }
    NeighborOptions o;
    o.cutoff = rc;
    o.full = full;
    o.threads = 1;
    const NeighborList one = neighbor_list(x.data(), n, box, o);
    bool ok = one.size() == ref.size();
    double worst = 0;
    std::size_t missing = 0;
    for (std::size_t p = 0; p < one.size(); ++p) {
      auto it = ref.find({one.first[p], one.second[p], one.shifts[3 * p], one.shifts[3 * p + 1], one.shifts[3 * p + 2]});
      if (it == ref.end()) {
        ++missing;
        continue;
      }
      worst = std::max(worst, std::fabs(one.distances[p] - it->second.d));
      for (int k = 0; k < 3; ++k) worst = std::max(worst, std::fabs(one.vectors[3 * p + k] - it->second.v[k]));
    }
    ok = ok && missing == 0 && worst < 1e-9;
    check::report(ok, what, __FILE__, __LINE__,
                  "(pairs " + std::to_string(one.size()) + " vs reference " + std::to_string(ref.size()) + ", not in the reference " +
                      std::to_string(missing) + ", worst " + std::to_string(worst) + ", full " + std::to_string(full) + ")");
    for (int threads : {2, 3}) {
      o.threads = threads;
      const NeighborList t = neighbor_list(x.data(), n, box, o);
      const bool same = t.first == one.first && t.second == one.second && t.shifts == one.shifts && t.distances == one.distances &&
                        t.vectors == one.vectors;
      check::report(same, "the list with more threads is identical (order and bits)", __FILE__, __LINE__,
                    std::string(what) + ", " + std::to_string(threads) + " threads, full " + std::to_string(full));
    }
    std::printf("%s: %zu %s pairs\n", what, one.size(), full ? "full" : "half");
  }
}

int main() {
  std::mt19937_64 rng(20261121);
  std::uniform_real_distribution<double> U(0, 1);
  for (int trial = 0; trial < 80; ++trial) {
    const int kind = trial % 4;  // 0 orthorhombic, 1 triclinic, 2 partly periodic, 3 open
    Box box;
    const double lx = 4 + 8 * U(rng), ly = 4 + 8 * U(rng), lz = 4 + 8 * U(rng);
    if (kind == 0 || kind == 2 || kind == 3) {
      box = Box::orthorhombic(lx, ly, lz);
    } else {
      box.h = {{{lx, 0, 0}, {(U(rng) - 0.5) * lx, ly, 0}, {(U(rng) - 0.5) * lx, (U(rng) - 0.5) * ly, lz}}};
    }
    box.origin = {U(rng) * 3 - 1.5, U(rng) * 3 - 1.5, U(rng) * 3 - 1.5};
    if (kind == 2) box.periodic = {true, false, true};
    if (kind == 3) box.periodic = {false, false, false};
    const int n = 5 + static_cast<int>(U(rng) * 60);
    std::vector<double> x(3 * n);
    for (int i = 0; i < n; ++i) {
      // fractional coordinates in [-0.6, 1.6): atoms outside the cell too (unwrapped trajectories)
      const Vec3 s{U(rng) * 2.2 - 0.6, U(rng) * 2.2 - 0.6, U(rng) * 2.2 - 0.6};
      const Vec3 r = box.to_cartesian(s);
      for (int k = 0; k < 3; ++k) x[3 * i + k] = r[k];
    }
    const double hmin = std::min({box.heights()[0], box.heights()[1], box.heights()[2]});
    // small cutoff, near half the box, and beyond the box (many images)
    const double cut[3] = {0.2 * hmin + 0.3 * U(rng), (0.4 + 0.1 * U(rng)) * hmin, (0.8 + 1.2 * U(rng)) * hmin};
    for (double rc : cut)
      for (bool full : {false, true}) compare(x, box, rc, full, trial % 3 == 0 ? 1 : 0, "cell list == brute force");
  }
  // Large frames: orthorhombic (W1 density), triclinic, partly periodic.
  large_frame(Box::orthorhombic(28, 29, 30), 2500, 5.0, rng, "large orthorhombic frame == brute force");
  large_frame(Box::from_lengths_angles(17, 18, 19, 75, 100, 110), 1800, 4.5, rng, "large triclinic frame == brute force");
  large_frame(Box::orthorhombic(60, 60, 60), 2500, 5.0, rng, "clustered frame (64x the mean density) == brute force", 0.25);
  {
    Box box = Box::orthorhombic(18, 16, 17);
    box.periodic = {true, false, true};
    large_frame(box, 1500, 4.0, rng, "large partly periodic frame == brute force");
  }
  // Verlet reuse returns exactly the fresh list, frame after frame.
  {
    Box box = Box::from_lengths_angles(9, 10, 11, 80, 95, 105);
    const int n = 200;
    std::vector<double> x(3 * n);
    std::normal_distribution<double> step(0, 0.05);
    for (int i = 0; i < n; ++i) {
      const Vec3 r = box.to_cartesian({U(rng), U(rng), U(rng)});
      for (int k = 0; k < 3; ++k) x[3 * i + k] = r[k];
    }
    NeighborOptions o;
    o.cutoff = 3.0;
    VerletNeighbors verlet(o, 0.6);
    bool same = true;
    for (int frame = 0; frame < 30; ++frame) {
      for (double& v : x) v += step(rng);
      const NeighborList& a = verlet.update(x.data(), n, box);
      const NeighborList b = neighbor_list(x.data(), n, box, o);
      std::map<Key, double> mb;
      for (std::size_t p = 0; p < b.size(); ++p)
        mb[{b.first[p], b.second[p], b.shifts[3 * p], b.shifts[3 * p + 1], b.shifts[3 * p + 2]}] = b.distances[p];
      same = same && a.size() == b.size();
      for (std::size_t p = 0; p < a.size() && same; ++p) {
        auto it = mb.find({a.first[p], a.second[p], a.shifts[3 * p], a.shifts[3 * p + 1], a.shifts[3 * p + 2]});
        same = it != mb.end() && std::fabs(it->second - a.distances[p]) < 1e-12;
      }
    }
    CHECK(same);
    CHECK(verlet.rebuilds() < verlet.updates());
    std::printf("verlet: %zu rebuilds in %zu frames\n", verlet.rebuilds(), verlet.updates());
  }
  // Errors are clear.
  {
    NeighborOptions o;
    o.cutoff = -1;
    std::vector<double> x{0, 0, 0, 1, 1, 1};
    CHECK_THROWS(neighbor_list(x.data(), 2, Box::orthorhombic(5, 5, 5), o));
  }
  // CUDA twin: same list, or a printed reason to skip.
  {
    std::string why;
    if (!cuda_neighbors_available(&why)) {
      std::printf("SKIP CUDA neighbour list: %s\n", why.c_str());
    } else {
      Box box = Box::from_lengths_angles(12, 13, 14, 75, 100, 110);
      const int n = 3000;
      std::vector<double> x(3 * n);
      for (int i = 0; i < n; ++i) {
        const Vec3 r = box.to_cartesian({U(rng), U(rng), U(rng)});
        for (int k = 0; k < 3; ++k) x[3 * i + k] = r[k];
      }
      for (bool full : {false, true}) {
        NeighborOptions o;
        o.cutoff = 4.5;
        o.full = full;
        const NeighborList a = neighbor_list(x.data(), n, box, o), b = neighbor_list_cuda(x.data(), n, box, o);
        std::map<Key, double> ma;
        for (std::size_t p = 0; p < a.size(); ++p)
          ma[{a.first[p], a.second[p], a.shifts[3 * p], a.shifts[3 * p + 1], a.shifts[3 * p + 2]}] = a.distances[p];
        bool same = a.size() == b.size();
        for (std::size_t p = 0; p < b.size() && same; ++p) {
          auto it = ma.find({b.first[p], b.second[p], b.shifts[3 * p], b.shifts[3 * p + 1], b.shifts[3 * p + 2]});
          same = it != ma.end() && std::fabs(it->second - b.distances[p]) < 1e-12;
        }
        CHECK(same);
        std::printf("CUDA neighbour list (%s): %zu pairs, equal to CPU: %s\n", full ? "full" : "half", b.size(), same ? "yes" : "no");
      }
    }
  }
  std::printf("%d random neighbour-list cases\n", cases);
  return check::summary("test_neighbors");
}
