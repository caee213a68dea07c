// Multi-origin MSD of one KMC trajectory and its least-squares slope over a lag window.
#include "lattice/msd_slope.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ionfield::lattice {
namespace {

// Per lag ℓ = 1..to: the origin-averaged tracer sums (species), collective products (species²),
// all-atom sum, and the mean time and jump lags.
struct LagTable {
  std::vector<std::vector<double>> tracer, collective;
  std::vector<double> all, dt, dn;
};

LagTable lag_table(const MsdCheckpoints& c, const std::vector<std::uint8_t>& species, int S, int max_lag) {
  const int n = c.atoms;
  LagTable t;
  t.tracer.assign(max_lag + 1, std::vector<double>(S, 0.0));
  t.collective.assign(max_lag + 1, std::vector<double>(static_cast<std::size_t>(S) * S, 0.0));
  t.all.assign(max_lag + 1, 0.0);
  t.dt.assign(max_lag + 1, 0.0);
  t.dn.assign(max_lag + 1, 0.0);
  std::vector<double> R(3 * S);
  for (int lag = 1; lag <= max_lag; ++lag) {
    const int origins = c.count() - lag;
    for (int k = 0; k < origins; ++k) {
      const std::int64_t* a = &c.positions[static_cast<std::size_t>(k) * n * 3];
      const std::int64_t* b = &c.positions[static_cast<std::size_t>(k + lag) * n * 3];
      std::fill(R.begin(), R.end(), 0.0);
      for (int i = 0; i < n; ++i) {
        double r2 = 0;
        for (int d = 0; d < 3; ++d) {
          const double x = 0.5 * static_cast<double>(b[3 * i + d] - a[3 * i + d]);  // a/2 → a
          r2 += x * x;
          R[3 * species[i] + d] += x;
        }
        t.tracer[lag][species[i]] += r2;
        t.all[lag] += r2;
      }
      for (int p = 0; p < S; ++p)
        for (int q = 0; q < S; ++q)
          t.collective[lag][p * S + q] += R[3 * p] * R[3 * q] + R[3 * p + 1] * R[3 * q + 1] + R[3 * p + 2] * R[3 * q + 2];
      t.dt[lag] += c.times[k + lag] - c.times[k];
      t.dn[lag] += static_cast<double>(c.jumps[k + lag] - c.jumps[k]);
    }
    const double inv = 1.0 / origins;
    for (double& v : t.tracer[lag]) v *= inv;
    for (double& v : t.collective[lag]) v *= inv;
    t.all[lag] *= inv;
    t.dt[lag] *= inv;
    t.dn[lag] *= inv;
  }
  return t;
}

// Least-squares slope of y against x over lags [from, to].
template <class Y>
double slope(const std::vector<double>& x, const Y& y, int from, int to) {
  double mx = 0, my = 0;
  const int n = to - from + 1;
  for (int l = from; l <= to; ++l) {
    mx += x[l];
    my += y(l);
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0;
  for (int l = from; l <= to; ++l) {
    sxy += (x[l] - mx) * (y(l) - my);
    sxx += (x[l] - mx) * (x[l] - mx);
  }
  return sxx > 0 ? sxy / sxx : 0.0;
}

}  // namespace

LagWindow lag_window(int intervals, double from_fraction, double to_fraction) {
  if (!(from_fraction > 0 && from_fraction < to_fraction && to_fraction <= 1))
    throw std::invalid_argument("the MSD window needs 0 < from < to <= 1 (fractions of the trajectory)");
  if (intervals < 4) throw std::invalid_argument("the MSD slope needs at least 4 checkpoint intervals");
  LagWindow w;
  w.from = std::max(1, static_cast<int>(std::lround(from_fraction * intervals)));
  w.to = std::min(intervals, static_cast<int>(std::lround(to_fraction * intervals)));
  // The linearity check fits each half separately: at least two lags in each.
  if (w.to - w.from < 2) throw std::invalid_argument("the MSD window spans fewer than 3 lags: widen it or use more checkpoints");
  return w;
}

TrajectorySlopes msd_slopes(const MsdCheckpoints& c, const std::vector<std::uint8_t>& species, int S, const LagWindow& w, double nn2) {
  if (c.count() < w.to + 1) throw std::logic_error("fewer checkpoints than the MSD window needs");
  const LagTable t = lag_table(c, species, S, w.to);
  TrajectorySlopes s;
  for (int a = 0; a < S; ++a) {
    auto y = [&](int l) { return t.tracer[l][a]; };
    s.tracer.push_back(slope(t.dt, y, w.from, w.to));
    s.early.push_back(slope(t.dt, y, w.from, w.middle()));
    s.late.push_back(slope(t.dt, y, w.middle(), w.to));
  }
  for (int k = 0; k < S * S; ++k) {
    auto y = [&](int l) { return t.collective[l][k]; };
    s.collective.push_back(slope(t.dt, y, w.from, w.to));
    s.collective_early.push_back(slope(t.dt, y, w.from, w.middle()));
    s.collective_late.push_back(slope(t.dt, y, w.middle(), w.to));
  }
  s.correlation = slope(t.dn, [&](int l) { return t.all[l]; }, w.from, w.to) / nn2;
  return s;
}

}  // namespace ionfield::lattice
