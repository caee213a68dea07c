// Equivariant gated network for tracer relaxation vectors (see ionfield/gated_network.hpp).
#include "ionfield/gated_network.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "lattice/parallel.hpp"
#include "lattice/rng.hpp"
#include "lattice/stats.hpp"

namespace ionfield::lattice {
namespace {

constexpr int kLanes = 16;

std::vector<std::pair<int, double>> sparse_b(const VectorBasis& basis, const std::uint8_t* occ, int centre, std::vector<double>& dense) {
  dense.assign(3 * basis.size(), 0.0);
  basis.accumulate(occ, centre, dense.data());
  std::vector<std::pair<int, double>> out;
  for (std::size_t i = 0; i < dense.size(); ++i)
    if (dense[i] != 0) out.push_back({static_cast<int>(i), dense[i]});
  return out;
}

// y of one side of a term: Σ_k b_k g_k(s); also returns the gates and hidden activations.
struct Forward {
  std::vector<double> h, g;
  double y[3] = {0, 0, 0};
};

void forward(const GatedModel& m, const std::vector<std::pair<int, double>>& b, const float* s, Forward& f) {
  f.h.assign(m.H, 0.0);
  for (int h = 0; h < m.H; ++h) {
    double z = m.a[h];
    for (int q = 0; q < m.F; ++q) z += m.U[h * m.F + q] * (s[q] - m.mean[q]) / m.scale[q];
    f.h[h] = std::tanh(z);
  }
  f.y[0] = f.y[1] = f.y[2] = 0;
  f.g.assign(m.K, 0.0);
  std::vector<char> done(m.K, 0);
  for (const auto& [i, v] : b) {
    const int k = i / 3;
    if (!done[k]) {
      double g = m.theta[k];
      for (int h = 0; h < m.H; ++h) g += m.V[k * m.H + h] * f.h[h];
      f.g[k] = g;
      done[k] = 1;
    }
    f.y[i % 3] += v * f.g[k];
  }
}

// Adds the gradient of c·|r|² through one side (sign +1 after, −1 before).
void backward(const GatedModel& m, const std::vector<std::pair<int, double>>& b, const float* s, const Forward& f, const double dr[3],
              double sign, std::vector<double>& grad) {
  // grad layout: theta (K), V (K×H), U (H×F), a (H)
  double* gtheta = grad.data();
  double* gV = gtheta + m.K;
  double* gU = gV + m.K * m.H;
  double* ga = gU + m.H * m.F;
  std::vector<double> dg(m.K, 0.0);
  for (const auto& [i, v] : b) dg[i / 3] += sign * v * dr[i % 3];
  std::vector<double> dh(m.H, 0.0);
  for (int k = 0; k < m.K; ++k) {
    if (dg[k] == 0) continue;
    gtheta[k] += dg[k];
    for (int h = 0; h < m.H; ++h) {
      gV[k * m.H + h] += dg[k] * f.h[h];
      dh[h] += dg[k] * m.V[k * m.H + h];
    }
  }
  for (int h = 0; h < m.H; ++h) {
    const double dz = dh[h] * (1 - f.h[h] * f.h[h]);
    if (dz == 0) continue;
    ga[h] += dz;
    for (int q = 0; q < m.F; ++q) gU[h * m.F + q] += dz * (s[q] - m.mean[q]) / m.scale[q];
  }
}

// Value (and optionally gradient, per-term values) over the cached terms.
double value_and_gradient(const GatedModel& m, const GatedData& d, std::vector<double>* grad, std::vector<double>* per_transition) {
  const std::size_t P = m.K + m.K * m.H + m.H * m.F + m.H;
  std::vector<std::vector<double>> lane_grad(grad ? kLanes : 0, std::vector<double>(P, 0.0));
  std::vector<double> lane_value(kLanes, 0.0);
  const double c = d.norm / static_cast<double>(d.states);
  const long long n = static_cast<long long>(d.terms.size());
  std::vector<double> term_value(per_transition ? n : 0, 0.0);
  parallel_for(kLanes, 0, [&](long long lane, int) {
    Forward fb, fa;
    for (long long t = lane; t < n; t += kLanes) {
      const GatedTerm& term = d.terms[t];
      forward(m, term.before, term.s_before.data(), fb);
      forward(m, term.after, term.s_after.data(), fa);
      const double w = d.weights[term.transition];
      double r[3], r2 = 0;
      for (int q = 0; q < 3; ++q) {
        r[q] = term.dx[q] + fa.y[q] - fb.y[q];
        r2 += r[q] * r[q];
      }
      lane_value[lane] += c * w * r2;
      if (per_transition) term_value[t] = d.norm * w * r2;
      if (grad) {
        const double dr[3] = {2 * c * w * r[0], 2 * c * w * r[1], 2 * c * w * r[2]};
        backward(m, term.after, term.s_after.data(), fa, dr, 1.0, lane_grad[lane]);
        backward(m, term.before, term.s_before.data(), fb, dr, -1.0, lane_grad[lane]);
      }
    }
  });
  double value = 0;
  for (double v : lane_value) value += v;
  if (per_transition) {  // serially: terms of one transition live in different lanes
    per_transition->assign(d.transitions.size(), 0.0);
    for (long long t = 0; t < n; ++t) (*per_transition)[d.terms[t].transition] += term_value[t];
  }
  if (grad) {
    grad->assign(P, 0.0);
    for (const auto& g : lane_grad)
      for (std::size_t i = 0; i < P; ++i) (*grad)[i] += g[i];
  }
  return value;
}

}  // namespace

std::vector<double> invariant_features(const Lattice& lattice, int species, const std::uint8_t* occ, int centre, int shells) {
  std::vector<double> f(static_cast<std::size_t>(shells) * (species + 1), 0.0);
  for (int s = 0; s < shells; ++s) {
    const int* nb = lattice.neighbours(centre, s);
    for (int k = 0; k < lattice.coordination(s); ++k) {
      const std::uint8_t o = occ[nb[k]];
      f[s * (species + 1) + (o == kVacancy ? species : o)] += 1;
    }
  }
  return f;
}

GatedData cache_gated_terms(const Lattice& lattice, const EnergyModel& model, const VectorBasis& basis,
                            const std::vector<std::vector<std::uint8_t>>& states, const VariationalOptions& o, int feature_shells) {
  if (o.target.collective) throw std::invalid_argument("the equivariant network is implemented for tracer targets only");
  if (feature_shells < 1 || feature_shells > lattice.num_shells()) throw std::invalid_argument("network feature shells exceed the tabulated shells");
  const RateModel rates(lattice, model, o.temperature);
  const std::uint8_t s = static_cast<std::uint8_t>(o.target.species);
  // Offsets whose occupant can change y(·; c): the basis reach and the feature shells.
  std::set<IVec> offsets(basis.reach().begin(), basis.reach().end());
  for (int sh = 0; sh < feature_shells; ++sh)
    for (const IVec& v : lattice.shell_vectors(sh)) offsets.insert(v);
  const std::vector<IVec> reach(offsets.begin(), offsets.end());
  GatedData d;
  d.functions = basis.size();
  d.features = feature_shells * (model.species + 1);
  d.states = static_cast<long long>(states.size());
  int count = 0;
  for (auto x : states[0]) count += x == s;
  if (count == 0) throw std::invalid_argument("the states hold no atom of the tracer species");
  d.norm = 1.0 / (6.0 * count);
  const long long n = d.states;
  std::vector<std::vector<GatedTerm>> per_state_terms(n);
  std::vector<std::vector<Kinoson>> per_state_transitions(n);
  std::vector<std::vector<double>> per_state_weights(n);
  parallel_for(n, 0, [&](long long k, int) {
    auto occ = states[k];
    const auto vac = vacancy_sites(occ);
    std::vector<Jump> jumps;
    rates.exit_jumps(occ.data(), vac, jumps);
    std::vector<std::pair<Jump, double>> sampled;
    if (o.sampling == TransitionSampling::AllExits) {
      for (const Jump& j : jumps) sampled.push_back({j, j.rate});
    } else if (!jumps.empty()) {
      double total = 0;
      for (const Jump& j : jumps) total += j.rate;
      Rng rng(stream_seed(o.seed ^ 0x766164ULL, k));
      double pick = rng.uniform() * total;
      std::size_t c = 0;
      while (c + 1 < jumps.size() && pick >= jumps[c].rate) pick -= jumps[c++].rate;
      sampled.push_back({jumps[c], total});
    }
    std::vector<double> dense;
    for (const auto& [jump, w] : sampled) {
      const int tid = static_cast<int>(per_state_transitions[k].size());
      int like = 0;
      for (int q = 0; q < lattice.coordination(0); ++q) like += occ[lattice.neighbour(jump.target, 0, q)] == jump.species;
      per_state_transitions[k].push_back(Kinoson{static_cast<std::int32_t>(k), jump.species, static_cast<std::uint8_t>(like), static_cast<float>(w), 0});
      per_state_weights[k].push_back(w);
      std::set<int> centres;
      for (const IVec& off : reach)
        for (int site : {jump.vacancy, jump.target}) {
          const int c = lattice.site_at(sub(lattice.position(site), off));
          if (occ[c] == s) centres.insert(c);
        }
      const IVec& z = lattice.shell_vectors(0)[jump.vector];
      std::vector<GatedTerm> side;
      for (int c : centres) {
        GatedTerm t;
        t.transition = tid;
        const bool moves = c == jump.target;
        for (int q = 0; q < 3; ++q) t.dx[q] = moves ? -0.5 * z[q] : 0.0;
        t.before = sparse_b(basis, occ.data(), c, dense);
        const auto fb = invariant_features(lattice, model.species, occ.data(), c, feature_shells);
        t.s_before.assign(fb.begin(), fb.end());
        side.push_back(std::move(t));
      }
      std::swap(occ[jump.vacancy], occ[jump.target]);
      std::size_t i = 0;
      for (int c : centres) {
        GatedTerm& t = side[i++];
        const int c2 = c == jump.target ? jump.vacancy : c;
        t.after = sparse_b(basis, occ.data(), c2, dense);
        const auto fa = invariant_features(lattice, model.species, occ.data(), c2, feature_shells);
        t.s_after.assign(fa.begin(), fa.end());
      }
      std::swap(occ[jump.vacancy], occ[jump.target]);
      for (auto& t : side) per_state_terms[k].push_back(std::move(t));
    }
  });
  // Concatenate in state order with global transition ids.
  for (long long k = 0; k < n; ++k) {
    const int offset = static_cast<int>(d.transitions.size());
    for (auto& t : per_state_terms[k]) {
      t.transition += offset;
      d.terms.push_back(std::move(t));
    }
    d.transitions.insert(d.transitions.end(), per_state_transitions[k].begin(), per_state_transitions[k].end());
    d.weights.insert(d.weights.end(), per_state_weights[k].begin(), per_state_weights[k].end());
  }
  return d;
}

GatedModel train_gated(const GatedData& train, const std::vector<double>& theta0, const GatedOptions& o, int) {
  GatedModel m;
  m.K = train.functions;
  m.F = train.features;
  m.H = o.hidden;
  if (static_cast<int>(theta0.size()) != m.K) throw std::invalid_argument("network needs the linear coefficients of its basis");
  m.theta = theta0;
  // Feature standardisation from the training terms (both sides).
  m.mean.assign(m.F, 0.0);
  m.scale.assign(m.F, 1.0);
  std::vector<Accumulator> acc(m.F);
  for (const auto& t : train.terms)
    for (int q = 0; q < m.F; ++q) {
      acc[q].add(t.s_before[q]);
      acc[q].add(t.s_after[q]);
    }
  for (int q = 0; q < m.F; ++q) {
    m.mean[q] = acc[q].mean();
    const double sd = std::sqrt(acc[q].variance());
    m.scale[q] = sd > 1e-12 ? sd : 1.0;
  }
  Rng rng(o.seed);
  m.U.resize(static_cast<std::size_t>(m.H) * m.F);
  for (double& u : m.U) u = (rng.uniform() * 2 - 1) / std::sqrt(static_cast<double>(m.F));
  m.a.assign(m.H, 0.0);
  m.V.assign(static_cast<std::size_t>(m.K) * m.H, 0.0);  // start exactly at the linear model
  const std::size_t P = m.K + m.K * m.H + m.H * m.F + m.H;
  std::vector<double> first(P, 0.0), second(P, 0.0), grad;
  auto params = [&](std::size_t i) -> double& {
    if (i < static_cast<std::size_t>(m.K)) return m.theta[i];
    i -= m.K;
    if (i < m.V.size()) return m.V[i];
    i -= m.V.size();
    if (i < m.U.size()) return m.U[i];
    return m.a[i - m.U.size()];
  };
  // Adam, with the step scaled by the size of the coefficients it moves (θ is O(1) in a).
  const double b1 = 0.9, b2 = 0.999, eps = 1e-12;
  GatedModel best = m;
  best.training_value = value_and_gradient(m, train, nullptr, nullptr);
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    check_cancelled();
    const double value = value_and_gradient(m, train, &grad, nullptr);
    if (value < best.training_value) {
      best = m;
      best.training_value = value;
    }
    for (std::size_t i = 0; i < P; ++i) {
      first[i] = b1 * first[i] + (1 - b1) * grad[i];
      second[i] = b2 * second[i] + (1 - b2) * grad[i] * grad[i];
      const double mh = first[i] / (1 - std::pow(b1, epoch)), vh = second[i] / (1 - std::pow(b2, epoch));
      params(i) -= o.learning_rate * mh / (std::sqrt(vh) + eps);
    }
  }
  const double last = value_and_gradient(m, train, nullptr, nullptr);
  if (last < best.training_value) {
    best = m;
    best.training_value = last;
  }
  return best;
}

Evaluation evaluate_gated(const GatedModel& m, const GatedData& d, bool keep_kinosons) {
  std::vector<double> per_transition;
  value_and_gradient(m, d, nullptr, &per_transition);
  Evaluation ev;
  ev.channels = 1;
  ev.per_state.assign(d.states, 0.0);
  for (std::size_t t = 0; t < d.transitions.size(); ++t) ev.per_state[d.transitions[t].state] += per_transition[t];
  Accumulator acc;
  for (double v : ev.per_state) acc.add(v);
  ev.value.push_back(acc.estimate());
  if (keep_kinosons) {
    ev.kinosons = d.transitions;
    for (std::size_t t = 0; t < ev.kinosons.size(); ++t) ev.kinosons[t].value = per_transition[t];
  }
  return ev;
}

void gated_vector(const GatedModel& m, const VectorBasis& basis, const Lattice& lattice, int species, const std::uint8_t* occ,
                  int centre, int feature_shells, double out[3]) {
  std::vector<double> dense;
  const auto b = sparse_b(basis, occ, centre, dense);
  const auto s = invariant_features(lattice, species, occ, centre, feature_shells);
  const std::vector<float> sf(s.begin(), s.end());
  Forward f;
  forward(m, b, sf.data(), f);
  for (int q = 0; q < 3; ++q) out[q] = f.y[q];
}

}  // namespace ionfield::lattice
