// Preconditioned conjugate gradients for the harmonic corrector (see corrector.hpp).
#include "lattice/corrector.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ionfield/kinetics.hpp"

namespace ionfield::lattice {

HarmonicCorrector::HarmonicCorrector(const Lattice& lattice, const std::vector<double>& mobility) : lattice_(lattice), mobility_(mobility) {
  if (mobility_.empty()) throw std::invalid_argument("the corrector needs one mobility per species");
  for (double m : mobility_)
    if (!(m >= 0) || !std::isfinite(m)) throw std::invalid_argument("corrector mobilities must be finite and not negative");
  vacancy_mobility_ = *std::max_element(mobility_.begin(), mobility_.end());
  if (!(vacancy_mobility_ > 0)) throw std::invalid_argument("the corrector needs at least one species that moves");
  // A species whose rate underflows (a cold, immobile species) still needs a connected network:
  // its bonds get 10⁻¹² of the fastest, which cuts its clusters off just as well.
  for (double& m : mobility_) m = std::max(m, 1e-12 * vacancy_mobility_);
}

double HarmonicCorrector::mobility(std::uint8_t occupant) const { return occupant == kVacancy ? vacancy_mobility_ : mobility_[occupant]; }

int HarmonicCorrector::solve(const std::uint8_t* occ, std::vector<double>& chi, bool warm) {
  const int n = lattice_.num_sites(), z = lattice_.coordination(0);
  const auto& vectors = lattice_.shell_vectors(0);
  c_.resize(static_cast<std::size_t>(n) * z);
  diag_.assign(n, 0.0);
  std::vector<double> b(3 * static_cast<std::size_t>(n), 0.0);
  for (int i = 0; i < n; ++i) {
    const double mi = mobility(occ[i]);
    const int* nb = lattice_.neighbours(i, 0);
    for (int k = 0; k < z; ++k) {
      const double mj = mobility(occ[nb[k]]);
      const double c = 2 * mi * mj / (mi + mj);
      c_[static_cast<std::size_t>(i) * z + k] = c;
      diag_[i] += c;
      for (int d = 0; d < 3; ++d) b[3 * i + d] += c * 0.5 * vectors[k][d];  // d_ij in units of a
    }
  }
  if (!warm || chi.size() != b.size()) chi.assign(b.size(), 0.0);
  auto apply = [&](const std::vector<double>& x, std::vector<double>& y) {  // y = L x
    y.assign(x.size(), 0.0);
    for (int i = 0; i < n; ++i) {
      const int* nb = lattice_.neighbours(i, 0);
      const double* ci = &c_[static_cast<std::size_t>(i) * z];
      double s[3] = {diag_[i] * x[3 * i], diag_[i] * x[3 * i + 1], diag_[i] * x[3 * i + 2]};
      for (int k = 0; k < z; ++k) {
        const double* xj = &x[3 * static_cast<std::size_t>(nb[k])];
        s[0] -= ci[k] * xj[0];
        s[1] -= ci[k] * xj[1];
        s[2] -= ci[k] * xj[2];
      }
      y[3 * i] = s[0];
      y[3 * i + 1] = s[1];
      y[3 * i + 2] = s[2];
    }
  };
  apply(chi, q_);
  r_.resize(b.size());
  double bnorm[3] = {0, 0, 0};
  for (std::size_t i = 0; i < b.size(); ++i) {
    r_[i] = b[i] - q_[i];
    bnorm[i % 3] += b[i] * b[i];
  }
  z_.resize(b.size());
  p_.assign(b.size(), 0.0);
  double rz_old[3] = {0, 0, 0};
  int it = 0;
  const int max_iterations = 20 * n;
  for (; it < max_iterations; ++it) {
    double rr[3] = {0, 0, 0}, rz[3] = {0, 0, 0};
    for (std::size_t i = 0; i < b.size(); ++i) {
      z_[i] = r_[i] / diag_[i / 3];
      rr[i % 3] += r_[i] * r_[i];
      rz[i % 3] += r_[i] * z_[i];
    }
    bool done = true;
    for (int d = 0; d < 3; ++d) done = done && rr[d] <= 1e-20 * std::max(bnorm[d], 1e-300);
    if (done) break;
    for (std::size_t i = 0; i < b.size(); ++i) {
      const int d = static_cast<int>(i % 3);
      p_[i] = z_[i] + (it == 0 || rz_old[d] == 0 ? 0.0 : rz[d] / rz_old[d]) * p_[i];
    }
    apply(p_, q_);
    double pq[3] = {0, 0, 0};
    for (std::size_t i = 0; i < b.size(); ++i) pq[i % 3] += p_[i] * q_[i];
    for (std::size_t i = 0; i < b.size(); ++i) {
      const int d = static_cast<int>(i % 3);
      const double alpha = pq[d] > 0 ? rz[d] / pq[d] : 0.0;
      chi[i] += alpha * p_[i];
      r_[i] -= alpha * q_[i];
    }
    for (int d = 0; d < 3; ++d) rz_old[d] = rz[d];
  }
  if (it == max_iterations) throw std::runtime_error("the harmonic corrector did not converge (mobility contrast too large?)");
  // The Laplacian of a connected network fixes χ up to a constant: mean zero over the supercell.
  double mean[3] = {0, 0, 0};
  for (std::size_t i = 0; i < chi.size(); ++i) mean[i % 3] += chi[i] / n;
  for (std::size_t i = 0; i < chi.size(); ++i) chi[i] -= mean[i % 3];
  return it;
}

}  // namespace ionfield::lattice
