// λ_i(t0) against the definition written out by hand, and the sum rule Σ_i λ_i = N K |J|²/τ.
#include <random>
#include <vector>

#include "check.hpp"
#include "ionfield/dataset.hpp"

int main() {
  using ionfield::dataset::local_conductivity;
  // Two ions by hand: z = +1 moves (1,0,0), z = -1 moves (-1,0,0): J = (2,0,0), |J|² = 4.
  {
    const double r0[6] = {0, 0, 0, 5, 5, 5}, r1[6] = {1, 0, 0, 4, 5, 5}, q[2] = {1, -1};
    double lam[2];
    auto r = local_conductivity(r0, r1, q, 2, 0.5, 2.0, lam);
    CHECK_NEAR(r.j2, 4.0, 1e-15);
    // λ_1 = K N z Δr·J/τ = 0.5*2*1*(1*2)/2 = 1; λ_2 = 0.5*2*(-1)*(-1*2)/2 = 1
    CHECK_NEAR(lam[0], 1.0, 1e-15);
    CHECK_NEAR(lam[1], 1.0, 1e-15);
    CHECK_NEAR(r.lambda_sum, 2.0, 1e-15);
  }
  // Random 2:1 salt: the mean of λ equals K |J|²/τ to round-off.
  {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> g(0, 3);
    const std::size_t n = 300;
    std::vector<double> r0(3 * n), r1(3 * n), q(n), lam(n);
    for (std::size_t i = 0; i < n; ++i) {
      q[i] = i < 100 ? 2 : -1;
      for (int d = 0; d < 3; ++d) {
        r0[3 * i + d] = 1e3 + g(rng);
        r1[3 * i + d] = r0[3 * i + d] + g(rng);
      }
    }
    const double K = 1.0 / (6 * 1.3 * 100), tau = 7;
    auto r = local_conductivity(r0.data(), r1.data(), q.data(), n, K, tau, lam.data());
    double mean = r.lambda_sum / n;
    CHECK_NEAR(mean / (K * r.j2 / tau), 1.0, 1e-12);
    CHECK_THROWS(local_conductivity(r0.data(), r1.data(), q.data(), n, K, 0.0, lam.data()));
  }
  return check::summary("test_dataset");
}
