// Pair kernels against known answers: a simple-cubic lattice (exact neighbour shells), a sheared
// triclinic cell holding the same lattice, brute-force image search, and hand-placed clusters.
#include <cmath>
#include <vector>

#include "check.hpp"
#include "ionfield/analysis.hpp"

using namespace ionfield;

static std::vector<double> cubic_lattice(int m, double a) {
  std::vector<double> x;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      for (int k = 0; k < m; ++k) {
        x.push_back(i * a);
        x.push_back(j * a);
        x.push_back(k * a);
      }
  return x;
}

// Ordered pairs within r_max of a simple-cubic lattice: shells at a (6), a√2 (12), a√3 (8), 2a (6).
static void lattice_shells(const Box& box, const std::vector<double>& x, const char* what) {
  const std::size_t n = x.size() / 3;
  std::vector<int> sp(n, 0);
  PairSums s = pair_sums(x.data(), n, box, sp.data(), 1, nullptr, 2.1, 7);  // bins of 0.3: each shell mid-bin
  auto at = [&](double r) { return s.counts[static_cast<std::size_t>(r / 0.3)]; };
  CHECK_NEAR(at(1.0), 6.0 * n, 0.0);
  CHECK_NEAR(at(std::sqrt(2.0)), 12.0 * n, 0.0);
  CHECK_NEAR(at(std::sqrt(3.0)), 8.0 * n, 0.0);
  CHECK_NEAR(at(2.0), 6.0 * n, 0.0);
  double total = 0;
  for (double c : s.counts) total += c;
  CHECK_NEAR(total, 32.0 * n, 0.0);
  std::printf("%s: lattice shells ok\n", what);
}

int main() {
  const int m = 6;
  const auto x = cubic_lattice(m, 1.0);
  lattice_shells(Box::orthorhombic(m, m, m), x, "cubic");
  // The same periodic lattice in a sheared cell: b = (1, m, 0) spans the same lattice points.
  Box sheared;
  sheared.h = {Vec3{double(m), 0, 0}, Vec3{1, double(m), 0}, Vec3{0, 0, double(m)}};
  lattice_shells(sheared, x, "sheared");
  // r_max beyond half the smallest width is refused.
  std::vector<int> sp(x.size() / 3, 0);
  CHECK_THROWS(pair_sums(x.data(), x.size() / 3, Box::orthorhombic(4, 4, 4), sp.data(), 1, nullptr, 2.5, 10));

  // Products: values 1 on species 0, 2 on species 1, two atoms at distance 1.4 across the boundary.
  {
    std::vector<double> p{0.2, 0, 0, 8.8, 0, 0};
    std::vector<int> s{0, 1};
    std::vector<double> v{1.0, 2.0};
    PairSums r = pair_sums(p.data(), 2, Box::orthorhombic(10, 10, 10), s.data(), 2, v.data(), 5, 10);
    CHECK_NEAR(r.counts[(0 * 2 + 1) * 10 + 2], 1.0, 0.0);
    CHECK_NEAR(r.counts[(1 * 2 + 0) * 10 + 2], 1.0, 0.0);
    CHECK_NEAR(r.products[(0 * 2 + 1) * 10 + 2], 2.0, 0.0);
  }

  // Hand-placed clusters in a box of 20: a free cation, a contact pair across the boundary,
  // a chain + - + (3 ions), and two like-charged ions in contact (not linked).
  {
    std::vector<double> p{1, 1, 1,  19.5, 10, 10, 0.5, 10, 10,  10, 5, 5, 11, 5, 5, 12, 5, 5,  5, 15, 15, 5.5, 15, 15};
    std::vector<double> q{1, 1, -1, 1, -1, 1, 1, 1};
    auto l = contact_clusters(p.data(), 8, Box::orthorhombic(20, 20, 20), q.data(), 1.2);
    std::vector<int> want{0, 1, 1, 3, 3, 3, 6, 7};
    std::vector<int> counter{0, 1, 1, 1, 2, 1, 0, 0};
    for (int i = 0; i < 8; ++i) {
      CHECK(l.label[i] == want[i]);
      CHECK(l.counter_ions[i] == counter[i]);
    }
  }
  return check::summary("test_analysis");
}
