// The variational functional on sampled states: sufficient statistics (accumulate), the exact
// linear solve, its value, and per-state / per-transition evaluation (kinosons).
#include "ionfield/variational.hpp"

#include <atomic>
#include <map>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

#include "lattice/parallel.hpp"
#include "lattice/rng.hpp"
#include "lattice/stats.hpp"
#include "lattice/corrector_terms.hpp"
#include "lattice/residual_bias.hpp"
#include "lattice/transition_terms.hpp"

namespace ionfield::lattice {
namespace {

// Fixed number of accumulation lanes: the sums are merged in lane order, so results do not depend
// on how many threads ran them.
constexpr int kLanes = 16;


void check_states(const Lattice& lattice, const EnergyModel& model, const std::vector<std::vector<std::uint8_t>>& states) {
  for (const auto& s : states) check_occupancy(lattice, model, s);
}

}  // namespace

void QuadraticStats::merge(const QuadraticStats& o) {
  if (o.functions != functions || o.channels != channels) throw std::invalid_argument("cannot merge functionals of different shapes");
  states += o.states;
  transitions += o.transitions;
  corrector_solves += o.corrector_solves;
  corrector_iterations += o.corrector_iterations;
  corrector_seconds += o.corrector_seconds;
  for (std::size_t i = 0; i < A.size(); ++i) A[i] += o.A[i];
  for (std::size_t i = 0; i < B.size(); ++i) B[i] += o.B[i];
  for (std::size_t i = 0; i < C.size(); ++i) C[i] += o.C[i];
}

QuadraticStats accumulate_functional(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                                     const std::vector<std::vector<std::uint8_t>>& states, const VariationalOptions& o,
                                     const ProgressFn& progress) {
  return merge_lanes(accumulate_functional_lanes(lattice, model, basis, states, o, static_cast<long long>(states.size()), 0, kFunctionalLanes, progress));
}

QuadraticStats merge_lanes(const std::vector<QuadraticStats>& lanes) {
  if (lanes.empty()) throw std::invalid_argument("no accumulation lanes to merge");
  QuadraticStats total = lanes[0];
  for (std::size_t l = 1; l < lanes.size(); ++l) total.merge(lanes[l]);
  return total;
}

std::vector<QuadraticStats> accumulate_functional_lanes(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                                                        const std::vector<std::vector<std::uint8_t>>& states, const VariationalOptions& o,
                                                        long long total, int first_lane, int last_lane, const ProgressFn& progress) {
  if (first_lane < 0 || first_lane >= last_lane || last_lane > kFunctionalLanes) throw std::invalid_argument("accumulation lanes out of range");
  const long long offset = lane_start(first_lane, total);
  if (static_cast<long long>(states.size()) != lane_start(last_lane, total) - offset)
    throw std::invalid_argument("the states do not match the accumulation lanes");
  const RateModel rates(lattice, model, o.temperature);
  check_states(lattice, model, states);
  const int K = TermBuilder(lattice, basis, model, o).functions();
  if (K > 4000)
    throw std::invalid_argument("the basis has " + std::to_string(K) + " functions (more than 4000): use fewer shells " +
                                "(vacancyShells -1 spans the whole supercell and grows with it)");
  const int channels = o.target.collective ? model.species : 1;
  QuadraticStats proto;
  proto.functions = K;
  proto.channels = channels;
  proto.norm = normalisation(lattice, o.target, states, model);
  proto.A.assign(static_cast<std::size_t>(K) * K, 0.0);
  proto.B.assign(static_cast<std::size_t>(K) * channels, 0.0);
  proto.C.assign(static_cast<std::size_t>(channels) * channels, 0.0);
  const int count = last_lane - first_lane;
  std::vector<QuadraticStats> lanes(count, proto);
  const long long n = static_cast<long long>(states.size());
  std::atomic<long long> done{0};
  std::mutex progress_mutex;
  parallel_for(count, o.threads, [&](long long j, int) {
    const int lane = first_lane + static_cast<int>(j);
    QuadraticStats& q = lanes[j];
    TermBuilder builder(lattice, basis, model, o);
    std::vector<Jump> jumps;
    std::vector<Sampled> sampled;
    std::vector<TransitionTerm> terms;
    std::vector<std::vector<std::pair<int, double>>> by_component(3);
    for (long long index = lane_start(lane, total); index < lane_start(lane + 1, total); ++index) {
      check_cancelled();  // one state's transitions take microseconds: abort is seen at once
      auto occ = states[index - offset];
      const auto vac = vacancy_sites(occ);
      sample_transitions(rates, occ.data(), vac, o, index, jumps, sampled);
      builder.prepare(occ.data());
      ++q.states;
      for (const Sampled& s : sampled) {
        ++q.transitions;
        builder.build(occ.data(), vac, s.jump, terms);
        const double w = s.weight;
        for (const TransitionTerm& t : terms) {
          for (int a = 0; a < channels; ++a)
            for (int b = 0; b < channels; ++b)
              q.C[a * channels + b] += w * (t.dx[3 * a] * t.dx[3 * b] + t.dx[3 * a + 1] * t.dx[3 * b + 1] + t.dx[3 * a + 2] * t.dx[3 * b + 2]);
          for (auto& v : by_component) v.clear();
          for (const SparseEntry& e : t.db) {
            by_component[e.component].push_back({e.function, e.value});
            for (int a = 0; a < channels; ++a) q.B[static_cast<std::size_t>(e.function) * channels + a] += w * e.value * t.dx[3 * a + e.component];
          }
          for (const auto& comp : by_component)
            for (const auto& [f, x] : comp)
              for (const auto& [g, y] : comp) q.A[static_cast<std::size_t>(f) * K + g] += w * x * y;
        }
      }
      const long long now = done.fetch_add(1) + 1;
      if (progress && (now % 256 == 0 || now == n)) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress(now, n);
      }
    }
    if (const CorrectorTerms* c = builder.corrector()) {
      q.corrector_solves = c->solves();
      q.corrector_iterations = c->iterations();
      q.corrector_seconds = c->seconds();
    }
  });
  return lanes;
}

LinearSolution solve_linear(const QuadraticStats& q, double rel_tol) {
  const int K = q.functions, ch = q.channels;
  LinearSolution sol;
  sol.theta.assign(static_cast<std::size_t>(K) * ch, 0.0);
  if (K == 0) return sol;
  // Cholesky factorisation that skips directions already spanned (pivot below tolerance): the
  // result is the minimum of the quadratic over the span of the kept functions, which is the
  // minimum over all of them (dropped ones are linear combinations or vanish on the data).
  double max_diag = 0;
  for (int i = 0; i < K; ++i) max_diag = std::max(max_diag, q.A[static_cast<std::size_t>(i) * K + i]);
  std::vector<double> L(static_cast<std::size_t>(K) * K, 0.0);
  std::vector<char> kept(K, 0);
  for (int j = 0; j < K; ++j) {
    double d = q.A[static_cast<std::size_t>(j) * K + j];
    for (int k = 0; k < j; ++k)
      if (kept[k]) d -= L[static_cast<std::size_t>(j) * K + k] * L[static_cast<std::size_t>(j) * K + k];
    if (!(d > rel_tol * max_diag) || max_diag <= 0) continue;
    kept[j] = 1;
    ++sol.rank;
    const double ljj = std::sqrt(d);
    L[static_cast<std::size_t>(j) * K + j] = ljj;
    for (int i = j + 1; i < K; ++i) {
      double s = q.A[static_cast<std::size_t>(i) * K + j];
      for (int k = 0; k < j; ++k)
        if (kept[k]) s -= L[static_cast<std::size_t>(i) * K + k] * L[static_cast<std::size_t>(j) * K + k];
      L[static_cast<std::size_t>(i) * K + j] = s / ljj;
    }
  }
  for (int a = 0; a < ch; ++a) {
    std::vector<double> z(K, 0.0), x(K, 0.0);
    for (int i = 0; i < K; ++i) {
      if (!kept[i]) continue;
      double s = -q.B[static_cast<std::size_t>(i) * ch + a];
      for (int k = 0; k < i; ++k)
        if (kept[k]) s -= L[static_cast<std::size_t>(i) * K + k] * z[k];
      z[i] = s / L[static_cast<std::size_t>(i) * K + i];
    }
    for (int i = K - 1; i >= 0; --i) {
      if (!kept[i]) continue;
      double s = z[i];
      for (int k = i + 1; k < K; ++k)
        if (kept[k]) s -= L[static_cast<std::size_t>(k) * K + i] * x[k];
      x[i] = s / L[static_cast<std::size_t>(i) * K + i];
    }
    for (int i = 0; i < K; ++i) sol.theta[static_cast<std::size_t>(i) * ch + a] = x[i];
  }
  return sol;
}

std::vector<double> functional_value(const QuadraticStats& q, const std::vector<double>& theta) {
  const int K = q.functions, ch = q.channels;
  const bool zero = theta.empty();
  if (!zero && theta.size() != static_cast<std::size_t>(K) * ch) throw std::invalid_argument("coefficients do not match the basis");
  std::vector<double> out(static_cast<std::size_t>(ch) * ch, 0.0);
  const double scale = q.norm / static_cast<double>(q.states);
  for (int a = 0; a < ch; ++a)
    for (int b = 0; b < ch; ++b) {
      double v = q.C[a * ch + b];
      if (!zero)
        for (int f = 0; f < K; ++f) {
          v += theta[f * ch + a] * q.B[f * ch + b] + theta[f * ch + b] * q.B[f * ch + a];
          double af = 0;
          for (int g = 0; g < K; ++g) af += q.A[static_cast<std::size_t>(f) * K + g] * theta[g * ch + b];
          v += theta[f * ch + a] * af;
        }
      out[a * ch + b] = v * scale;
    }
  return out;
}

Evaluation evaluate_functional(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                               const std::vector<std::vector<std::uint8_t>>& states, const std::vector<double>& theta,
                               const VariationalOptions& o, bool keep_kinosons, int kinoson_channel,
                               const std::vector<double>& residual) {
  const RateModel rates(lattice, model, o.temperature);
  check_states(lattice, model, states);
  const int K = TermBuilder(lattice, basis, model, o).functions();
  const int ch = o.target.collective ? model.species : 1;
  if (!residual.empty() && o.corrector_shells >= 0) throw std::invalid_argument("the residual bias is not combined with the harmonic corrector");
  if (!theta.empty() && theta.size() != static_cast<std::size_t>(K) * ch) throw std::invalid_argument("coefficients do not match the basis");
  if (kinoson_channel < 0 || kinoson_channel >= ch) throw std::invalid_argument("kinoson channel out of range");
  if (!residual.empty() && static_cast<int>(residual.size()) != ch) throw std::invalid_argument("one residual-bias coefficient per channel");
  const double norm = normalisation(lattice, o.target, states, model);
  const long long n = static_cast<long long>(states.size());
  Evaluation ev;
  ev.channels = ch;
  ev.per_state.assign(static_cast<std::size_t>(n) * ch * ch, 0.0);
  std::vector<std::vector<Kinoson>> per_state_kinosons(keep_kinosons ? n : 0);
  parallel_for(kLanes, o.threads, [&](long long lane, int) {
    TermBuilder builder(lattice, basis, model, o);
    ResidualBias bias(rates, builder, theta, ch);
    std::vector<Jump> jumps;
    std::vector<Sampled> sampled;
    std::vector<TransitionTerm> terms;
    std::vector<RefinedTerm> refined;
    std::map<int, std::vector<double>> at_x;
    std::vector<double> r(3 * ch);
    for (long long k = lane; k < n; k += kLanes) {
      check_cancelled();  // one state's transitions take microseconds: abort is seen at once
      auto occ = states[k];
      const auto vac = vacancy_sites(occ);
      sample_transitions(rates, occ.data(), vac, o, k, jumps, sampled);
      builder.prepare(occ.data());
      if (!residual.empty()) bias.at_state(occ.data(), vac, at_x);
      double* out = &ev.per_state[static_cast<std::size_t>(k) * ch * ch];
      for (const Sampled& s : sampled) {
        std::vector<double> kappa(static_cast<std::size_t>(ch) * ch, 0.0);
        auto add = [&](const std::vector<double>& v) {
          for (int a = 0; a < ch; ++a)
            for (int b = 0; b < ch; ++b)
              kappa[a * ch + b] += norm * s.weight * (v[3 * a] * v[3 * b] + v[3 * a + 1] * v[3 * b + 1] + v[3 * a + 2] * v[3 * b + 2]);
        };
        if (residual.empty()) {
          builder.build(occ.data(), vac, s.jump, terms);
          for (const TransitionTerm& t : terms) add(bias.residual(t));
        } else {
          bias.refine(occ.data(), vac, s.jump, at_x, refined);
          for (const RefinedTerm& t : refined) {
            r = t.r;
            for (int a = 0; a < ch; ++a)
              for (int d = 0; d < 3; ++d) r[3 * a + d] += residual[a] * t.dres[3 * a + d];
            add(r);
          }
        }
        for (int i = 0; i < ch * ch; ++i) out[i] += kappa[i];
        if (keep_kinosons) {
          int like = 0;
          for (int q = 0; q < lattice.coordination(0); ++q) like += occ[lattice.neighbour(s.jump.target, 0, q)] == s.jump.species;
          per_state_kinosons[k].push_back(Kinoson{static_cast<std::int32_t>(k), s.jump.species, static_cast<std::uint8_t>(like),
                                                  static_cast<float>(s.weight), kappa[kinoson_channel * ch + kinoson_channel]});
        }
      }
    }
  });
  std::vector<Accumulator> acc(static_cast<std::size_t>(ch) * ch);
  for (long long k = 0; k < n; ++k)
    for (int i = 0; i < ch * ch; ++i) acc[i].add(ev.per_state[static_cast<std::size_t>(k) * ch * ch + i]);
  for (auto& a : acc) ev.value.push_back(a.estimate());
  for (auto& v : per_state_kinosons) ev.kinosons.insert(ev.kinosons.end(), v.begin(), v.end());
  return ev;
}

std::vector<double> fit_residual_bias(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                                      const std::vector<std::vector<std::uint8_t>>& states, const std::vector<double>& theta,
                                      const VariationalOptions& o) {
  const RateModel rates(lattice, model, o.temperature);
  check_states(lattice, model, states);
  const int ch = o.target.collective ? model.species : 1;
  const long long n = static_cast<long long>(states.size());
  std::vector<std::vector<double>> num(kLanes, std::vector<double>(ch, 0.0)), den = num;
  parallel_for(kLanes, o.threads, [&](long long lane, int) {
    TermBuilder builder(lattice, basis, o.target, model.species);
    ResidualBias bias(rates, builder, theta, ch);
    std::vector<Jump> jumps;
    std::vector<Sampled> sampled;
    std::vector<RefinedTerm> refined;
    std::map<int, std::vector<double>> at_x;
    for (long long k = lane; k < n; k += kLanes) {
      check_cancelled();  // one state's transitions take microseconds: abort is seen at once
      auto occ = states[k];
      const auto vac = vacancy_sites(occ);
      sample_transitions(rates, occ.data(), vac, o, k, jumps, sampled);
      bias.at_state(occ.data(), vac, at_x);
      for (const Sampled& s : sampled) {
        bias.refine(occ.data(), vac, s.jump, at_x, refined);
        for (const RefinedTerm& t : refined)
          for (int a = 0; a < ch; ++a)
            for (int d = 0; d < 3; ++d) {
              num[lane][a] += s.weight * t.r[3 * a + d] * t.dres[3 * a + d];
              den[lane][a] += s.weight * t.dres[3 * a + d] * t.dres[3 * a + d];
            }
      }
    }
  });
  std::vector<double> c(ch, 0.0);
  for (int a = 0; a < ch; ++a) {
    double nu = 0, de = 0;
    for (int l = 0; l < kLanes; ++l) {
      nu += num[l][a];
      de += den[l][a];
    }
    c[a] = de > 0 ? -nu / de : 0.0;
  }
  return c;
}

}  // namespace ionfield::lattice
