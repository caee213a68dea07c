// Equivariant site network for relaxation vectors (see ionfield/site_network.hpp).
#include "ionfield/site_network.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "lattice/parallel.hpp"
#include "lattice/rng.hpp"
#include "lattice/stats.hpp"
#include "lattice/transition_terms.hpp"

namespace ionfield::lattice {
namespace {

constexpr int kLanes = 16;  // fixed lanes, merged in order: results do not depend on thread count
constexpr int kMaxSpecies = 10;

// Neighbour vectors of the first `shells` shells, flattened (shell-major), with their shell.
std::vector<std::pair<IVec, int>> centre_vectors(const Lattice& lattice, int shells) {
  std::vector<std::pair<IVec, int>> v;
  for (int s = 0; s < shells; ++s)
    for (const IVec& r : lattice.shell_vectors(s)) v.push_back({r, s});
  return v;
}

struct Rows {
  std::vector<std::uint64_t> env;
  std::vector<int> vec;
  std::vector<double> sign;
};

// Rows of Σ_j φ(e_j) r_j at `centre` with the given sign.
void centre_rows(const Lattice& lattice, int species, const std::uint8_t* occ, int centre, int shells, double sign, Rows& out) {
  int index = 0;
  for (int s = 0; s < shells; ++s) {
    const int* nb = lattice.neighbours(centre, s);
    for (int k = 0; k < lattice.coordination(s); ++k, ++index) {
      out.env.push_back(site_environment(lattice, species, occ, nb[k], s));
      out.vec.push_back(index);
      out.sign.push_back(sign);
    }
  }
}

// Per-state cache before the environments are numbered globally.
struct StateCache {
  std::vector<std::uint64_t> env;  // per row
  std::vector<int> vec;
  std::vector<double> sign;
  std::vector<SiteNetworkData::Term> terms;  // rows relative to this state
  std::vector<Kinoson> transitions;
  std::vector<double> weights;
};

// Forward pass of the MLP for one input; keeps the activations of every layer.
void mlp_forward(const SiteNetwork& n, const std::vector<double>& x, std::vector<std::vector<double>>& act) {
  act.resize(n.W.size() + 1);
  act[0] = x;
  for (std::size_t l = 0; l < n.W.size(); ++l) {
    const int out = static_cast<int>(n.b[l].size()), in = static_cast<int>(act[l].size());
    act[l + 1].assign(out, 0.0);
    for (int o = 0; o < out; ++o) {
      double z = n.b[l][o];
      for (int i = 0; i < in; ++i) z += n.W[l][static_cast<std::size_t>(o) * in + i] * act[l][i];
      act[l + 1][o] = l + 1 < n.W.size() ? std::tanh(z) : z;
    }
  }
}

// Parameters flattened: layer by layer, W then b.
std::size_t parameter_count(const SiteNetwork& n) {
  std::size_t p = 0;
  for (std::size_t l = 0; l < n.W.size(); ++l) p += n.W[l].size() + n.b[l].size();
  return p;
}

// Adds the gradient of Σ_a g_a φ_a(x) (activations act) into grad.
void mlp_backward(const SiteNetwork& n, const std::vector<std::vector<double>>& act, const double* g, double* grad) {
  std::vector<std::size_t> offset(n.W.size());
  std::size_t p = 0;
  for (std::size_t l = 0; l < n.W.size(); ++l) {
    offset[l] = p;
    p += n.W[l].size() + n.b[l].size();
  }
  std::vector<double> delta(g, g + n.outputs);
  for (int l = static_cast<int>(n.W.size()) - 1; l >= 0; --l) {
    const int out = static_cast<int>(n.b[l].size()), in = static_cast<int>(act[l].size());
    double* gW = grad + offset[l];
    double* gb = gW + n.W[l].size();
    std::vector<double> prev(in, 0.0);
    for (int o = 0; o < out; ++o) {
      const double d = delta[o];
      if (d == 0) continue;
      gb[o] += d;
      for (int i = 0; i < in; ++i) {
        gW[static_cast<std::size_t>(o) * in + i] += d * act[l][i];
        prev[i] += d * n.W[l][static_cast<std::size_t>(o) * in + i];
      }
    }
    if (l > 0)
      for (int i = 0; i < in; ++i) prev[i] *= 1 - act[l][i] * act[l][i];  // tanh'
    delta = std::move(prev);
  }
}

// φ for every environment of the data (E × outputs) and the activations when asked.
std::vector<double> all_phi(const SiteNetwork& n, const SiteNetworkData& d, int z, std::vector<std::vector<std::vector<double>>>* acts) {
  const long long E = static_cast<long long>(d.environments.size());
  std::vector<double> phi(static_cast<std::size_t>(E) * n.outputs);
  if (acts) acts->assign(E, {});
  parallel_for(E, 0, [&](long long e, int) {
    std::vector<std::vector<double>> act;
    mlp_forward(n, environment_inputs(d.environments[e], n.shells, n.species, z), act);
    for (int a = 0; a < n.outputs; ++a) phi[e * n.outputs + a] = act.back()[a];
    if (acts) (*acts)[e] = std::move(act);
  });
  return phi;
}

// Residual r (channels × 3) of one term for the given φ table.
void residual(const SiteNetworkData& d, const std::vector<IVec>& vectors, const SiteNetworkData::Term& t, const double* phi, int ch,
              double* r) {
  for (int i = 0; i < 3 * ch; ++i) r[i] = t.u[i];
  for (int k = t.begin; k < t.end; ++k) {
    const auto& row = d.rows[k];
    const IVec& v = vectors[row.vector];
    for (int a = 0; a < ch; ++a) {
      const double f = row.sign * phi[static_cast<std::size_t>(row.environment) * ch + a] * 0.5;  // a/2 → a
      for (int q = 0; q < 3; ++q) r[3 * a + q] += f * v[q];
    }
  }
}

}  // namespace

std::uint64_t site_environment(const Lattice& lattice, int species, const std::uint8_t* occ, int site, int shell) {
  const std::uint8_t o = occ[site];
  std::uint64_t key = static_cast<std::uint64_t>(shell) | static_cast<std::uint64_t>(o == kVacancy ? species : o) << 4;
  std::uint64_t counts[kMaxSpecies + 1] = {};
  const int* nb = lattice.neighbours(site, 0);
  for (int k = 0; k < lattice.coordination(0); ++k) {
    const std::uint8_t x = occ[nb[k]];
    ++counts[x == kVacancy ? species : x];
  }
  for (int c = 0; c <= species; ++c) key |= counts[c] << (10 + 4 * c);
  return key;
}

std::vector<double> environment_inputs(std::uint64_t e, int shells, int species, int z) {
  std::vector<double> x(static_cast<std::size_t>(shells) + 2 * (species + 1), 0.0);
  x[e & 15] = 1;
  x[shells + ((e >> 4) & 63)] = 1;
  for (int c = 0; c <= species; ++c) x[shells + species + 1 + c] = static_cast<double>((e >> (10 + 4 * c)) & 15) / z;
  return x;
}

SiteNetworkData cache_site_network(const Lattice& lattice, const EnergyModel& model, const VectorBasis* basis,
                                   const std::vector<double>& theta, const std::vector<std::vector<std::uint8_t>>& states,
                                   const VariationalOptions& o, int shells) {
  if (model.species > kMaxSpecies) throw std::invalid_argument("the site network handles up to 10 species");
  if (shells < 1 || shells > lattice.num_shells() || shells > 15) throw std::invalid_argument("site network shells exceed the tabulated shells");
  if (lattice.coordination(0) > 15) throw std::invalid_argument("site network: coordination above 15");
  const RateModel rates(lattice, model, o.temperature);
  const int ch = o.target.collective ? model.species : 1;
  // The linear part: the cluster basis and, with o.corrector_shells >= 0, the harmonic corrector's
  // functions after it (theta is their joint linear solution).
  const int K = TermBuilder(lattice, basis, model, o).functions();
  if (static_cast<int>(theta.size()) != K * ch) throw std::invalid_argument("site network needs the linear coefficients of its basis");
  SiteNetworkData d;
  d.channels = ch;
  d.shells = shells;
  d.species = model.species;
  d.norm = normalisation(lattice, o.target, states, model);
  d.states = static_cast<long long>(states.size());
  const auto cv = centre_vectors(lattice, shells);
  for (const auto& [v, s] : cv) d.vectors.push_back(v);
  // Offsets o for which the occupant of c + o can change the network part at c: the vectors r_j
  // and their nearest neighbours (whose counts enter e_j), and 0.
  std::set<IVec> reach{{0, 0, 0}};
  for (const auto& [v, s] : cv) {
    reach.insert(v);
    for (const IVec& n : lattice.shell_vectors(0)) reach.insert(add(v, n));
  }
  const std::uint8_t tracer = static_cast<std::uint8_t>(o.target.species);
  const long long n = d.states;
  std::vector<StateCache> caches(n);
  parallel_for(n, o.threads, [&](long long k, int) {
    StateCache& sc = caches[k];
    auto occ = states[k];
    const auto vac = vacancy_sites(occ);
    TermBuilder builder(lattice, basis, model, o);
    std::vector<Jump> jumps;
    std::vector<Sampled> sampled;
    std::vector<TransitionTerm> linear;
    sample_transitions(rates, occ.data(), vac, o, k, jumps, sampled);
    builder.prepare(occ.data());  // the corrector's solve of this state (nothing without it)
    for (const Sampled& s : sampled) {
      const int tid = static_cast<int>(sc.transitions.size());
      const Jump& jump = s.jump;
      int like = 0;
      for (int q = 0; q < lattice.coordination(0); ++q) like += occ[lattice.neighbour(jump.target, 0, q)] == jump.species;
      sc.transitions.push_back(Kinoson{static_cast<std::int32_t>(k), jump.species, static_cast<std::uint8_t>(like), static_cast<float>(s.weight), 0});
      sc.weights.push_back(s.weight);
      builder.build(occ.data(), vac, jump, linear);
      // u = δx + Σ θ Δb per centre (tracer) or for the single collective term.
      std::map<int, std::vector<double>> u;
      for (const TransitionTerm& t : linear) {
        std::vector<double> v = t.dx;
        for (const SparseEntry& e : t.db)
          for (int a = 0; a < ch; ++a) v[3 * a + e.component] += theta[static_cast<std::size_t>(e.function) * ch + a] * e.value;
        u[t.centre] = std::move(v);
      }
      // Centres whose network part can change.
      std::set<int> centres;
      if (o.target.collective) {
        centres.insert(-1);
      } else {
        for (const auto& [c, v] : u) centres.insert(c);
        for (const IVec& off : reach)
          for (int site : {jump.vacancy, jump.target}) {
            const int c = lattice.site_at(sub(lattice.position(site), off));
            if (occ[c] == tracer) centres.insert(c);
          }
      }
      std::vector<Rows> rows(centres.size());
      std::size_t i = 0;
      for (int c : centres) {
        if (c < 0)
          for (int v : vac) centre_rows(lattice, model.species, occ.data(), v, shells, -1.0, rows[i]);
        else
          centre_rows(lattice, model.species, occ.data(), c, shells, -1.0, rows[i]);
        ++i;
      }
      std::swap(occ[jump.vacancy], occ[jump.target]);
      i = 0;
      for (int c : centres) {
        if (c < 0) {
          for (int v : vac) centre_rows(lattice, model.species, occ.data(), v == jump.vacancy ? jump.target : v, shells, 1.0, rows[i]);
        } else {
          centre_rows(lattice, model.species, occ.data(), c == jump.target ? jump.vacancy : c, shells, 1.0, rows[i]);
        }
        ++i;
      }
      std::swap(occ[jump.vacancy], occ[jump.target]);
      i = 0;
      for (int c : centres) {
        Rows& r = rows[i++];
        // Rows with the same environment and vector on both sides cancel exactly.
        std::map<std::pair<std::uint64_t, int>, double> net;
        for (std::size_t q = 0; q < r.env.size(); ++q) net[{r.env[q], r.vec[q]}] += r.sign[q];
        SiteNetworkData::Term t;
        t.transition = tid;
        auto it = u.find(c);
        t.u = it != u.end() ? it->second : std::vector<double>(3 * ch, 0.0);
        t.begin = static_cast<int>(sc.env.size());
        for (const auto& [key, sign] : net)
          if (sign != 0) {
            sc.env.push_back(key.first);
            sc.vec.push_back(key.second);
            sc.sign.push_back(sign);
          }
        t.end = static_cast<int>(sc.env.size());
        bool zero = t.begin == t.end;
        for (double x : t.u) zero = zero && x == 0;
        if (!zero) sc.terms.push_back(std::move(t));
      }
    }
  });
  // Number environments in state order (deterministic) and concatenate.
  std::unordered_map<std::uint64_t, int> index;
  for (long long k = 0; k < n; ++k) {
    StateCache& sc = caches[k];
    const int row0 = static_cast<int>(d.rows.size());
    const int tr0 = static_cast<int>(d.transitions.size());
    for (std::size_t q = 0; q < sc.env.size(); ++q) {
      auto it = index.find(sc.env[q]);
      if (it == index.end()) {
        it = index.emplace(sc.env[q], static_cast<int>(d.environments.size())).first;
        d.environments.push_back(sc.env[q]);
      }
      d.rows.push_back(SiteNetworkData::Row{it->second, sc.vec[q], sc.sign[q]});
    }
    for (auto& t : sc.terms) {
      t.begin += row0;
      t.end += row0;
      t.transition += tr0;
      d.terms.push_back(std::move(t));
    }
    d.transitions.insert(d.transitions.end(), sc.transitions.begin(), sc.transitions.end());
    d.weights.insert(d.weights.end(), sc.weights.begin(), sc.weights.end());
    sc = StateCache{};
  }
  return d;
}

namespace {

// Σ_a L_aa over the data (the channels' own functionals) and, when asked, its gradient.
double objective(const SiteNetwork& n, const SiteNetworkData& d, int z, std::vector<double>* grad) {
  std::vector<std::vector<std::vector<double>>> acts;
  const std::vector<double> phi = all_phi(n, d, z, grad ? &acts : nullptr);
  const int ch = d.channels;
  const std::size_t E = d.environments.size();
  const double c = d.norm / static_cast<double>(d.states);
  std::vector<double> lane_value(kLanes, 0.0);
  std::vector<std::vector<double>> lane_dphi(grad ? kLanes : 0, std::vector<double>(E * ch, 0.0));
  const long long T = static_cast<long long>(d.terms.size());
  parallel_for(kLanes, 0, [&](long long lane, int) {
    std::vector<double> r(3 * ch);
    for (long long t = lane; t < T; t += kLanes) {
      const auto& term = d.terms[t];
      residual(d, d.vectors, term, phi.data(), ch, r.data());
      const double w = c * d.weights[term.transition];
      double r2 = 0;
      for (double x : r) r2 += x * x;
      lane_value[lane] += w * r2;
      if (!grad) continue;
      for (int k = term.begin; k < term.end; ++k) {
        const auto& row = d.rows[k];
        const IVec& v = d.vectors[row.vector];
        for (int a = 0; a < ch; ++a)
          lane_dphi[lane][static_cast<std::size_t>(row.environment) * ch + a] +=
              2 * w * row.sign * 0.5 * (r[3 * a] * v[0] + r[3 * a + 1] * v[1] + r[3 * a + 2] * v[2]);
      }
    }
  });
  double value = 0;
  for (double v : lane_value) value += v;
  if (grad) {
    std::vector<double> dphi(E * ch, 0.0);
    for (const auto& l : lane_dphi)
      for (std::size_t i = 0; i < dphi.size(); ++i) dphi[i] += l[i];
    const std::size_t P = parameter_count(n);
    std::vector<std::vector<double>> lane_grad(kLanes, std::vector<double>(P, 0.0));
    parallel_for(kLanes, 0, [&](long long lane, int) {
      for (std::size_t e = static_cast<std::size_t>(lane); e < E; e += kLanes) mlp_backward(n, acts[e], &dphi[e * ch], lane_grad[lane].data());
    });
    grad->assign(P, 0.0);
    for (const auto& l : lane_grad)
      for (std::size_t i = 0; i < P; ++i) (*grad)[i] += l[i];
  }
  return value;
}

double& parameter(SiteNetwork& n, std::size_t i) {
  for (std::size_t l = 0; l < n.W.size(); ++l) {
    if (i < n.W[l].size()) return n.W[l][i];
    i -= n.W[l].size();
    if (i < n.b[l].size()) return n.b[l][i];
    i -= n.b[l].size();
  }
  throw std::out_of_range("site network parameter");
}

}  // namespace

SiteNetwork train_site_network(const SiteNetworkData& train, const SiteNetworkOptions& o, int) {
  if (o.hidden < 1 || o.layers < 1) throw std::invalid_argument("the site network needs at least one hidden layer of one unit");
  SiteNetwork n;
  n.shells = train.shells;
  n.species = train.species;
  n.inputs = train.shells + 2 * (train.species + 1);
  n.hidden = o.hidden;
  n.layers = o.layers;
  n.outputs = train.channels;
  Rng rng(o.seed);
  int in = n.inputs;
  for (int l = 0; l <= o.layers; ++l) {
    const bool last = l == o.layers;
    const int out = last ? n.outputs : o.hidden;
    std::vector<double> W(static_cast<std::size_t>(out) * in, 0.0);
    // Hidden layers: uniform(±√(3/in)) (unit-variance pre-activations); the output layer starts at
    // zero, so the untrained model is exactly the linear one.
    if (!last)
      for (double& w : W) w = (2 * rng.uniform() - 1) * std::sqrt(3.0 / in);
    n.W.push_back(std::move(W));
    n.b.push_back(std::vector<double>(out, 0.0));
    in = out;
  }
  const int z = 12;  // counts are scaled by a fixed 12 so that inputs do not depend on the lattice
  const std::size_t P = parameter_count(n);
  std::vector<double> m1(P, 0.0), m2(P, 0.0), grad;
  const double b1 = 0.9, b2 = 0.999, eps = 1e-12;
  SiteNetwork best = n;
  best.training_value = objective(n, train, z, nullptr);
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    check_cancelled();
    const double value = objective(n, train, z, &grad);
    if (value < best.training_value) {
      best = n;
      best.training_value = value;
      best.best_epoch = epoch - 1;
    }
    for (std::size_t i = 0; i < P; ++i) {
      m1[i] = b1 * m1[i] + (1 - b1) * grad[i];
      m2[i] = b2 * m2[i] + (1 - b2) * grad[i] * grad[i];
      const double mh = m1[i] / (1 - std::pow(b1, epoch)), vh = m2[i] / (1 - std::pow(b2, epoch));
      parameter(n, i) -= o.learning_rate * mh / (std::sqrt(vh) + eps);
    }
  }
  const double last = objective(n, train, z, nullptr);
  if (last < best.training_value) {
    best = n;
    best.training_value = last;
    best.best_epoch = o.epochs;
  }
  return best;
}

Evaluation evaluate_site_network(const SiteNetwork& n, const SiteNetworkData& d, bool keep_kinosons, int kc) {
  const std::vector<double> phi = all_phi(n, d, 12, nullptr);
  const int ch = d.channels;
  Evaluation ev;
  ev.channels = ch;
  ev.per_state.assign(static_cast<std::size_t>(d.states) * ch * ch, 0.0);
  std::vector<double> per_transition(d.transitions.size(), 0.0);
  std::vector<double> r(3 * ch);
  for (const auto& term : d.terms) {  // serial: cheap, and keeps the sums in a fixed order
    residual(d, d.vectors, term, phi.data(), ch, r.data());
    const double w = d.norm * d.weights[term.transition];
    double* out = &ev.per_state[static_cast<std::size_t>(d.transitions[term.transition].state) * ch * ch];
    for (int a = 0; a < ch; ++a)
      for (int b = 0; b < ch; ++b) out[a * ch + b] += w * (r[3 * a] * r[3 * b] + r[3 * a + 1] * r[3 * b + 1] + r[3 * a + 2] * r[3 * b + 2]);
    per_transition[term.transition] += w * (r[3 * kc] * r[3 * kc] + r[3 * kc + 1] * r[3 * kc + 1] + r[3 * kc + 2] * r[3 * kc + 2]);
  }
  std::vector<Accumulator> acc(static_cast<std::size_t>(ch) * ch);
  for (long long k = 0; k < d.states; ++k)
    for (int i = 0; i < ch * ch; ++i) acc[i].add(ev.per_state[static_cast<std::size_t>(k) * ch * ch + i]);
  for (const auto& a : acc) ev.value.push_back(a.estimate());
  if (keep_kinosons) {
    ev.kinosons = d.transitions;
    for (std::size_t t = 0; t < ev.kinosons.size(); ++t) ev.kinosons[t].value = per_transition[t];
  }
  return ev;
}

std::vector<double> site_network_vector(const SiteNetwork& n, const Lattice& lattice, const std::uint8_t* occ, int centre) {
  std::vector<double> y(3 * static_cast<std::size_t>(n.outputs), 0.0);
  Rows rows;
  centre_rows(lattice, n.species, occ, centre, n.shells, 1.0, rows);
  const auto vectors = centre_vectors(lattice, n.shells);
  std::vector<std::vector<double>> act;
  for (std::size_t q = 0; q < rows.env.size(); ++q) {
    mlp_forward(n, environment_inputs(rows.env[q], n.shells, n.species, 12), act);
    const IVec& v = vectors[rows.vec[q]].first;
    for (int a = 0; a < n.outputs; ++a)
      for (int d = 0; d < 3; ++d) y[3 * a + d] += act.back()[a] * 0.5 * v[d];
  }
  return y;
}

}  // namespace ionfield::lattice
