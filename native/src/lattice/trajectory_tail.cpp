// Short trajectories through a relaxation vector (see ionfield/trajectory_tail.hpp).
#include "ionfield/trajectory_tail.hpp"

#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "lattice/parallel.hpp"
#include "lattice/rng.hpp"
#include "lattice/stats.hpp"
#include "lattice/corrector_terms.hpp"
#include "lattice/tracked_jump.hpp"
#include "lattice/transition_terms.hpp"

namespace ionfield::lattice {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// y of every relaxation vector of the state: tracer, one per atom of the species (in atom order);
// collective, one per channel. Units of a.
class Relaxation {
 public:
  Relaxation(const Lattice& lattice, const VectorBasis* basis, const EnergyModel& model, const VariationalOptions& o,
             const std::vector<double>& theta)
      : builder_(lattice, basis, model, o), target_(o.target), theta_(theta), buffer_(3 * builder_.functions()) {
    const std::size_t expected = static_cast<std::size_t>(builder_.functions()) * builder_.channels();
    if (theta.size() != expected)
      throw std::invalid_argument("trajectory tail: " + std::to_string(theta.size()) + " coefficients for " + std::to_string(expected) +
                                  " functions × channels");
  }
  int channels() const { return builder_.channels(); }
  long long solves() const { return builder_.corrector() ? builder_.corrector()->solves() : 0; }
  long long iterations() const { return builder_.corrector() ? builder_.corrector()->iterations() : 0; }

  // sites: the site of each atom (tracer) — ignored for collective targets.
  // chi: the segment's corrector from its last checkpoint (warm start), updated.
  void evaluate(const std::uint8_t* occ, const std::vector<int>& vacancies, const std::vector<int>& sites, std::vector<double>& chi,
                std::vector<double>& y) {
    builder_.prepare_from(occ, chi);
    const int K = builder_.functions(), ch = builder_.channels();
    if (target_.collective) {
      y.assign(3 * ch, 0.0);
      builder_.values(occ, vacancies, -1, buffer_.data());
      for (int f = 0; f < K; ++f)
        for (int a = 0; a < ch; ++a)
          for (int d = 0; d < 3; ++d) y[3 * a + d] += theta_[f * ch + a] * buffer_[3 * f + d];
      return;
    }
    y.assign(3 * sites.size(), 0.0);
    for (std::size_t i = 0; i < sites.size(); ++i) {
      builder_.values(occ, vacancies, sites[i], buffer_.data());
      for (int f = 0; f < K; ++f)
        for (int d = 0; d < 3; ++d) y[3 * i + d] += theta_[f] * buffer_[3 * f + d];
    }
  }

 private:
  TermBuilder builder_;
  VariationalTarget target_;
  const std::vector<double>& theta_;
  std::vector<double> buffer_;
};

// One segment from an equilibrium state, extended checkpoint by checkpoint. The followed
// relaxation vectors: tracer, the atoms of the species (in atom order); collective, the channels.
class Segment {
 public:
  Segment(const Lattice& lattice, const EnergyModel& model, const std::vector<std::uint8_t>& start, const VariationalTarget& target,
          double norm, std::uint64_t seed)
      : lattice_(lattice), target_(target), species_count_(model.species), norm_(norm), occ_(start), rng_(seed) {
    const int n = lattice.num_sites();
    atom_at_.assign(n, -1);
    for (int i = 0; i < n; ++i)
      if (occ_[i] != kVacancy) {
        atom_at_[i] = static_cast<int>(species_.size());
        species_.push_back(occ_[i]);
        site_of_.push_back(i);
      }
    disp_.assign(3 * species_.size(), 0);
    vacancies_ = vacancy_sites(occ_);
    if (!target.collective)
      for (std::size_t a = 0; a < species_.size(); ++a)
        if (species_[a] == target.species) followed_.push_back(static_cast<int>(a));
    sites_.resize(followed_.size());
  }

  // Runs on to `until` and appends the squared displacements there (channels² each) to z and x.
  void advance(const RateModel& rates, Relaxation& relax, double until, std::vector<double>& z, std::vector<double>& x) {
    if (y0_.empty()) evaluate(relax, y0_);
    const auto t0 = std::chrono::steady_clock::now();
    for (long long step = 0;; ++step) {
      jumps_.clear();
      rates.exit_jumps(occ_.data(), vacancies_, jumps_);
      if (jumps_.empty()) throw std::invalid_argument("trajectory tail: no vacancy can move (no vacancies, or no atoms next to them)");
      double total = 0;
      for (const Jump& j : jumps_) total += j.rate;
      // Waiting times are memoryless, so the one that crosses the checkpoint is dropped and a
      // new one drawn when the segment is extended: the state at `until` is exact.
      const double wait = rng_.exponential() / total;
      if (time_ + wait >= until) break;
      time_ += wait;
      const Jump& j = jumps_[pick_jump(jumps_, total, rng_.uniform())];
      site_of_[apply_tracked_jump(lattice_, j, occ_, atom_at_, disp_, vacancies_)] = j.vacancy;
      ++jumps_done_;
      if ((step & 4095) == 4095) check_cancelled();
    }
    time_ = until;
    kmc_seconds_ += seconds_since(t0);
    evaluate(relax, y_);
    record(relax.channels(), z, x);
  }
  long long jumps() const { return jumps_done_; }
  double kmc_seconds() const { return kmc_seconds_; }
  double relaxation_seconds() const { return relaxation_seconds_; }

 private:
  void evaluate(Relaxation& relax, std::vector<double>& y) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < followed_.size(); ++i) sites_[i] = site_of_[followed_[i]];
    relax.evaluate(occ_.data(), vacancies_, sites_, chi_, y);
    relaxation_seconds_ += seconds_since(t0);
  }
  void record(int ch, std::vector<double>& z, std::vector<double>& x) const {
    const std::size_t at = z.size();
    z.resize(at + static_cast<std::size_t>(ch) * ch, 0.0);
    x.resize(at + static_cast<std::size_t>(ch) * ch, 0.0);
    auto moved = [&](std::size_t a, int d) { return 0.5 * static_cast<double>(disp_[3 * a + d]); };  // a/2 → a
    if (!target_.collective) {
      for (std::size_t i = 0; i < followed_.size(); ++i)
        for (int d = 0; d < 3; ++d) {
          const double dx = moved(followed_[i], d), dz = dx + y_[3 * i + d] - y0_[3 * i + d];
          x[at] += norm_ * dx * dx;
          z[at] += norm_ * dz * dz;
        }
      return;
    }
    std::vector<double> X(3 * static_cast<std::size_t>(species_count_), 0.0);
    for (std::size_t a = 0; a < species_.size(); ++a)
      for (int d = 0; d < 3; ++d) X[3 * species_[a] + d] += moved(a, d);
    for (int a = 0; a < ch; ++a)
      for (int b = 0; b < ch; ++b)
        for (int d = 0; d < 3; ++d) {
          const double za = X[3 * a + d] + y_[3 * a + d] - y0_[3 * a + d], zb = X[3 * b + d] + y_[3 * b + d] - y0_[3 * b + d];
          x[at + a * ch + b] += norm_ * X[3 * a + d] * X[3 * b + d];
          z[at + a * ch + b] += norm_ * za * zb;
        }
  }

  const Lattice& lattice_;
  VariationalTarget target_;
  int species_count_;
  double norm_;
  std::vector<std::uint8_t> occ_;
  Rng rng_;
  std::vector<int> atom_at_, site_of_, vacancies_, followed_, sites_;
  std::vector<std::uint8_t> species_;
  std::vector<std::int32_t> disp_;  // units of a/2 (a segment of 2³¹ jumps of one atom is far beyond any tail)
  std::vector<double> y0_, y_, chi_;
  std::vector<Jump> jumps_;
  double time_ = 0;
  long long jumps_done_ = 0;
  double kmc_seconds_ = 0, relaxation_seconds_ = 0;
};

}  // namespace

TailEstimates tail_estimates(const TailResult& t, const std::vector<int>& blocks) {
  const int K = static_cast<int>(t.times.size());
  const std::size_t C2 = static_cast<std::size_t>(t.channels) * t.channels, states = blocks.size();
  for (int k = 0; k < K; ++k)
    if (t.z[k].size() != states * C2 || t.x[k].size() != states * C2)
      throw std::invalid_argument("trajectory tail: one block per state needed");
  TailEstimates e;
  std::vector<double> per(states);
  auto blocked = [&](auto value) {
    for (std::size_t s = 0; s < states; ++s) per[s] = value(s);
    return blocked_estimate(per.data(), 1, blocks);
  };
  // The slope over [t_(k−1), t_k] of one state's MSD (t_(−1) = 0, MSD 0).
  auto slope = [&](const std::vector<std::vector<double>>& v, int k, std::size_t s, std::size_t i) {
    const double before = k > 0 ? v[k - 1][s * C2 + i] : 0.0, t_before = k > 0 ? t.times[k - 1] : 0.0;
    return (v[k][s * C2 + i] - before) / (t.times[k] - t_before);
  };
  for (int k = 0; k < K; ++k) {
    e.z_value.emplace_back(), e.x_value.emplace_back(), e.z_slope.emplace_back(), e.x_slope.emplace_back(), e.z_drop.emplace_back();
    for (std::size_t i = 0; i < C2; ++i) {
      e.z_value[k].push_back(blocked([&](std::size_t s) { return t.z[k][s * C2 + i] / t.times[k]; }));
      e.x_value[k].push_back(blocked([&](std::size_t s) { return t.x[k][s * C2 + i] / t.times[k]; }));
      e.z_slope[k].push_back(blocked([&](std::size_t s) { return slope(t.z, k, s, i); }));
      e.x_slope[k].push_back(blocked([&](std::size_t s) { return slope(t.x, k, s, i); }));
      e.z_drop[k].push_back(k == 0 ? Estimate{} : blocked([&](std::size_t s) { return slope(t.z, k - 1, s, i) - slope(t.z, k, s, i); }));
    }
  }
  return e;
}

TailResult trajectory_tail(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                           const std::vector<std::vector<std::uint8_t>>& states, const std::vector<double>& theta,
                           const VariationalOptions& options, const TailOptions& tail, const std::vector<int>& blocks, int channel,
                           const ProgressFn& progress) {
  if (!(tail.first > 0) || !std::isfinite(tail.first)) throw std::invalid_argument("trajectory tail: the first checkpoint time must be positive");
  if (tail.min_rounds < 3 || tail.min_rounds > tail.rounds)
    throw std::invalid_argument("trajectory tail: need 3 <= minRounds <= rounds (two drops of the slope to compare)");
  if (blocks.size() != states.size()) throw std::invalid_argument("trajectory tail: one block per state needed");
  const double norm = normalisation(lattice, options.target, states, model);
  const RateModel rates(lattice, model, options.temperature);
  const long long count = static_cast<long long>(states.size());
  const int threads = resolve_threads(options.threads, count);
  std::vector<std::unique_ptr<Relaxation>> relax(threads);
  std::vector<std::unique_ptr<Segment>> segments(count);
  TailResult r;
  r.channels = options.target.collective ? model.species : 1;
  if (channel < 0 || channel >= r.channels) throw std::invalid_argument("trajectory tail: channel out of range");
  std::mutex progress_mutex;
  long long done = 0;
  for (int k = 0; k < tail.rounds; ++k) {
    const double until = tail.first * std::ldexp(1.0, k);
    std::vector<std::vector<double>> z(count), x(count);
    parallel_for(count, threads, [&](long long s, int thread) {
      if (!relax[thread]) relax[thread] = std::make_unique<Relaxation>(lattice, basis, model, options, theta);
      if (!segments[s]) segments[s] = std::make_unique<Segment>(lattice, model, states[s], options.target, norm, stream_seed(tail.seed ^ 0x7461696cULL, s));
      segments[s]->advance(rates, *relax[thread], until, z[s], x[s]);
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress(++done, count * tail.rounds);
      }
    });
    r.times.push_back(until);
    r.z.emplace_back(), r.x.emplace_back();
    for (long long s = 0; s < count; ++s) {
      r.z.back().insert(r.z.back().end(), z[s].begin(), z[s].end());
      r.x.back().insert(r.x.back().end(), x[s].begin(), x[s].end());
    }
    if (k + 1 < tail.min_rounds) continue;
    const TailEstimates e = tail_estimates(r, blocks);
    const std::size_t i = static_cast<std::size_t>(channel) * r.channels + channel;
    // A drop is small when below the tolerance or not distinguishable from noise; two in a row
    // (one could be small by chance) end the run.
    const double scale = tail.tolerance * std::fabs(e.z_slope[k][i].mean);
    auto small = [&](const Estimate& drop) { return std::fabs(drop.mean) <= std::max(scale, 2 * drop.error); };
    if (small(e.z_drop[k][i]) && small(e.z_drop[k - 1][i])) {
      r.converged = true;
      break;
    }
  }
  for (const auto& seg : segments) {
    r.jumps += seg->jumps();
    r.kmc_seconds += seg->kmc_seconds();
    r.relaxation_seconds += seg->relaxation_seconds();
  }
  for (const auto& rl : relax)
    if (rl) {
      r.corrector_solves += rl->solves();
      r.corrector_iterations += rl->iterations();
    }
  return r;
}

}  // namespace ionfield::lattice
