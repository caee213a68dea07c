// Exact finite-supercell tracer correlation factor: a Laplacian solve over vacancy positions
// relative to the tracer (see ionfield/correlation.hpp).
#include "ionfield/correlation.hpp"

#include <cmath>
#include <vector>

namespace ionfield::lattice {

double known_correlation_factor(LatticeKind kind) {
  switch (kind) {
    case LatticeKind::FCC: return 0.78145;
    case LatticeKind::BCC: return 0.72719;
    case LatticeKind::SimpleCubic: return 0.65311;
  }
  return 0;
}

ExactCorrelation exact_tracer_correlation(const Lattice& lattice, double tolerance) {
  const int n = lattice.num_sites();
  const auto& vectors = lattice.shell_vectors(0);
  const int z = static_cast<int>(vectors.size());
  // Tracer at site 0 (position (0,0,0)); node r − 1 is the vacancy at site r.
  const int m = n - 1;
  std::vector<int> next(static_cast<std::size_t>(m) * z);
  std::vector<double> dx(static_cast<std::size_t>(m) * z, 0.0);  // x-displacement of the tracer (a)
  for (int r = 1; r < n; ++r)
    for (int k = 0; k < z; ++k) {
      const IVec target = add(lattice.position(r), vectors[k]);
      int t = lattice.site_at(target);
      double d = 0;
      if (t == 0) {
        // The vacancy exchanges with the tracer: the tracer moves by −z and the vacancy ends up
        // at relative position +z.
        t = lattice.site_at(vectors[k]);
        d = -0.5 * vectors[k][0];
      }
      next[static_cast<std::size_t>(r - 1) * z + k] = t - 1;
      dx[static_cast<std::size_t>(r - 1) * z + k] = d;
    }
  // Laplacian (z·I − A) y = b, b_r = Σ_out δx (rates are all 1: f does not depend on them).
  std::vector<double> b(m, 0.0), y(m, 0.0), res(m), p(m), ap(m);
  double uncorrelated = 0;
  for (int r = 0; r < m; ++r)
    for (int k = 0; k < z; ++k) {
      b[r] += dx[static_cast<std::size_t>(r) * z + k];
      uncorrelated += dx[static_cast<std::size_t>(r) * z + k] * dx[static_cast<std::size_t>(r) * z + k];
    }
  auto apply = [&](const std::vector<double>& v, std::vector<double>& out) {
    for (int r = 0; r < m; ++r) {
      double s = z * v[r];
      for (int k = 0; k < z; ++k) s -= v[next[static_cast<std::size_t>(r) * z + k]];
      out[r] = s;
    }
  };
  res = b;
  p = res;
  double rr = 0, bb = 0;
  for (int r = 0; r < m; ++r) rr += res[r] * res[r];
  bb = rr;
  ExactCorrelation out;
  out.states = m;
  while (out.iterations < 20 * m && rr > tolerance * tolerance * bb) {
    apply(p, ap);
    double pap = 0;
    for (int r = 0; r < m; ++r) pap += p[r] * ap[r];
    const double alpha = rr / pap;
    for (int r = 0; r < m; ++r) {
      y[r] += alpha * p[r];
      res[r] -= alpha * ap[r];
    }
    double rr_new = 0;
    for (int r = 0; r < m; ++r) rr_new += res[r] * res[r];
    for (int r = 0; r < m; ++r) p[r] = res[r] + (rr_new / rr) * p[r];
    rr = rr_new;
    ++out.iterations;
  }
  out.residual = bb > 0 ? std::sqrt(rr / bb) : 0;
  double correlated = 0;
  for (int r = 0; r < m; ++r)
    for (int k = 0; k < z; ++k) {
      const double e = dx[static_cast<std::size_t>(r) * z + k] + y[next[static_cast<std::size_t>(r) * z + k]] - y[r];
      correlated += e * e;
    }
  out.f = correlated / uncorrelated;
  return out;
}

}  // namespace ionfield::lattice
