// A kinoson study (see ionfield/kinosons.hpp): states → fits → validation → kinosons.
#include <chrono>
#include <memory>
#include <stdexcept>

#include "ionfield/gated_network.hpp"
#include "ionfield/site_network.hpp"
#include "ionfield/kinosons.hpp"
#include "lattice/stats.hpp"
#include "lattice/transition_terms.hpp"

namespace ionfield::lattice {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

int shell_norm2(const Lattice& lattice, int shells) {
  if (shells < 0) return 1 << 30;  // the whole supercell
  if (shells == 0) return 0;
  if (shells > lattice.num_shells()) throw std::invalid_argument("basis uses more neighbour shells than the lattice tabulates");
  return lattice.shell_norm2(shells - 1);
}

// The variational options of a study's fit (seeded for the KMC choice of one jump per state).
VariationalOptions fit_options(const StudyOptions& o, std::uint64_t seed) {
  VariationalOptions vo;
  vo.target = o.target;
  vo.sampling = o.sampling;
  vo.temperature = o.temperature;
  vo.seed = seed;
  vo.threads = o.threads;
  return vo;
}

// The models a study fits: "uncorrelated" (y = 0) first, then the configured ones.
std::vector<BasisSpec> study_models(const StudyOptions& o) {
  std::vector<BasisSpec> specs{BasisSpec{"uncorrelated", 0, 0, 0, 0, false}};
  specs.insert(specs.end(), o.models.begin(), o.models.end());
  return specs;
}

// Σ_X' W(X→X') averaged over the states: jumps per unit time.
double mean_escape_rate(const Lattice& lattice, const EnergyModel& model, double temperature, const std::vector<std::vector<std::uint8_t>>& states) {
  const RateModel rates(lattice, model, temperature);
  std::vector<Jump> jumps;
  std::vector<std::uint8_t> occ;  // exit_jumps takes a mutable occupancy
  double sum = 0;
  for (const auto& state : states) {
    occ.assign(state.begin(), state.end());
    jumps.clear();
    rates.exit_jumps(occ.data(), vacancy_sites(occ), jumps);
    for (const Jump& j : jumps) sum += j.rate;
  }
  if (!(sum > 0)) throw std::invalid_argument("trajectory tail: no vacancy can move in the validation states");
  return sum / static_cast<double>(states.size());
}

}  // namespace

int basis_shells_needed(const BasisSpec& s) {
  int n = 1;
  for (int v : {s.vacancy_shells, s.species_shells, s.pair_first_shells, s.pair_second_shells, s.triplet_first_shells,
                s.triplet_second_shells})
    n = std::max(n, v);
  if (s.hidden > 0) n = std::max(n, s.feature_shells);
  if (s.network_hidden > 0) n = std::max(n, s.network_shells);
  n = std::max(n, s.corrector_shells);
  return n;
}

std::vector<Cluster> basis_clusters(const Lattice& lattice, const EnergyModel& model, const BasisSpec& s, bool collective) {
  std::vector<std::uint8_t> atoms;
  for (int a = 0; a < model.species; ++a) atoms.push_back(static_cast<std::uint8_t>(a));
  std::vector<Cluster> out;
  auto append = [&](std::vector<Cluster> more) { out.insert(out.end(), more.begin(), more.end()); };
  if (s.vacancy_shells != 0) append(singlet_clusters(lattice, shell_norm2(lattice, s.vacancy_shells), {kVacancy}));
  if (s.species_shells != 0) append(singlet_clusters(lattice, shell_norm2(lattice, s.species_shells), atoms));
  if (s.pair_first_shells != 0 && s.pair_second_shells != 0) {
    const std::vector<std::uint8_t> first = collective ? atoms : std::vector<std::uint8_t>{kVacancy};
    append(pair_clusters(lattice, shell_norm2(lattice, s.pair_first_shells), first, shell_norm2(lattice, s.pair_second_shells), atoms));
  }
  if (s.triplet_first_shells != 0 && s.triplet_second_shells != 0) {
    const std::vector<std::uint8_t> first = collective ? atoms : std::vector<std::uint8_t>{kVacancy};
    append(triplet_clusters(lattice, shell_norm2(lattice, s.triplet_first_shells), first, shell_norm2(lattice, s.triplet_second_shells),
                            atoms));
  }
  return out;
}

std::string unshardable_reason(const BasisSpec& s) {
  if (s.hidden > 0) return "model '" + s.name + "': the equivariant gated network (hidden) is trained by gradient descent over epochs of all training states, which no sum over a part of them can replace";
  if (s.network_hidden > 0) return "model '" + s.name + "': the equivariant site network (networkHidden) is trained by gradient descent over epochs of all training states, which no sum over a part of them can replace";
  if (s.residual_bias) return "model '" + s.name + "': the residual bias (residualBias) is fitted in a second pass over all training states at the coefficients solved from every shard's sums";
  return "";
}

TrainingSums accumulate_training(const Lattice& lattice, const EnergyModel& model, const StudyOptions& o, int first_lane, int last_lane,
                                 const ProgressFn& progress) {
  model.validate(lattice);
  if (first_lane < 0 || first_lane >= last_lane || last_lane > kFunctionalLanes) throw std::invalid_argument("accumulation lanes out of range");
  const std::vector<BasisSpec> specs = study_models(o);
  for (const BasisSpec& spec : specs)
    if (const std::string why = unshardable_reason(spec); !why.empty()) throw std::invalid_argument(why);
  const auto t0 = std::chrono::steady_clock::now();
  StateSampling train = o.training;
  train.threads = o.threads;
  const long long total = o.given_training.empty() ? train.states : static_cast<long long>(o.given_training.size());
  TrainingSums out;
  out.first_lane = first_lane;
  out.last_lane = last_lane;
  out.first_state = lane_start(first_lane, total);
  out.last_state = lane_start(last_lane, total);
  if (out.first_state == out.last_state) throw std::invalid_argument("these accumulation lanes hold no training state");
  std::vector<std::vector<std::uint8_t>> training;
  if (o.given_training.empty()) {
    train.first = static_cast<int>(out.first_state);
    train.last = static_cast<int>(out.last_state);
    training = sample_states(lattice, model, o.temperature, train);
  } else {
    training.assign(o.given_training.begin() + out.first_state, o.given_training.begin() + out.last_state);
  }
  out.sampling_seconds = seconds_since(t0);
  VariationalOptions vo = fit_options(o, train.seed);
  long long step = 0;
  for (const BasisSpec& spec : specs) {
    auto clusters = basis_clusters(lattice, model, spec, o.target.collective);
    std::unique_ptr<VectorBasis> basis = clusters.empty() ? nullptr : std::make_unique<VectorBasis>(lattice, std::move(clusters));
    vo.corrector_shells = spec.corrector_shells;
    const auto t1 = std::chrono::steady_clock::now();
    out.lanes.push_back(accumulate_functional_lanes(lattice, model, basis.get(), training, vo, total, first_lane, last_lane));
    out.accumulate_seconds.push_back(seconds_since(t1));
    out.names.push_back(spec.name);
    if (progress) progress(++step, static_cast<long long>(specs.size()));
  }
  return out;
}

StudyResult run_study(const Lattice& lattice, const EnergyModel& model, const StudyOptions& o, const ProgressFn& progress) {
  model.validate(lattice);
  if (o.validation_states < 2) throw std::invalid_argument("at least 2 validation states are needed for an error bar");
  const auto t0 = std::chrono::steady_clock::now();
  StateSampling train = o.training;
  train.threads = o.threads;
  StateSampling valid = train;
  valid.first = 0, valid.last = -1;  // a fit samples whole sets (ranges are for generate's shards)
  train.first = 0, train.last = -1;
  valid.states = o.validation_states;
  valid.seed = train.seed + 0x9e37ULL;
  const bool given_valid = !o.given_validation.empty();
  const bool given_sums = !o.given_sums.empty();
  if (given_sums) {
    if (o.given_sums.size() != o.models.size() + 1) throw std::invalid_argument("the training sums do not match the models (one per model, 'uncorrelated' first)");
    for (const auto& lanes : o.given_sums)
      if (lanes.size() != static_cast<std::size_t>(kFunctionalLanes)) throw std::invalid_argument("the training sums need every accumulation lane");
    for (const BasisSpec& spec : o.models)
      if (const std::string why = unshardable_reason(spec); !why.empty()) throw std::invalid_argument(why);
  }
  // Fitted from the shards' sums: no training state is needed.
  const auto training = given_sums ? std::vector<std::vector<std::uint8_t>>{}
                        : o.given_training.empty() ? sample_states(lattice, model, o.temperature, train) : o.given_training;
  const auto validation = given_valid ? o.given_validation : sample_states(lattice, model, o.temperature, valid);
  if (validation.size() < 2) throw std::invalid_argument("at least 2 validation states are needed for an error bar");
  valid.states = static_cast<int>(validation.size());
  const int chains = given_valid ? o.given_validation_chains : (model.interacting() ? valid.chains : 0);
  StudyResult r;
  if (chains > 0) {
    r.validation_blocks = chain_blocks(valid.states, chains);
  } else {
    r.validation_blocks.resize(valid.states);
    for (int i = 0; i < valid.states; ++i) r.validation_blocks[i] = i;
  }
  r.sampling_seconds = seconds_since(t0);
  VariationalOptions vo = fit_options(o, train.seed);
  VariationalOptions vv = fit_options(o, valid.seed);
  const std::vector<BasisSpec> specs = study_models(o);
  const long long total = static_cast<long long>(specs.size()) * 2;
  long long step = 0;
  std::vector<double> best_theta, best_residual;
  std::shared_ptr<VectorBasis> best_basis;
  // The best model without a network or residual bias: the tail's relaxation vector.
  int best_linear = -1;
  double best_linear_value = 0;
  std::vector<double> best_linear_theta;
  std::shared_ptr<VectorBasis> best_linear_basis;
  double best_value = 0;
  std::unique_ptr<GatedModel> best_network;
  std::unique_ptr<GatedData> best_network_data;
  std::unique_ptr<SiteNetwork> best_site;
  std::unique_ptr<SiteNetworkData> best_site_data;
  for (std::size_t index = 0; index < specs.size(); ++index) {
    const BasisSpec& spec = specs[index];
    ModelResult m;
    m.name = spec.name;
    auto clusters = basis_clusters(lattice, model, spec, o.target.collective);
    std::shared_ptr<VectorBasis> basis = clusters.empty() ? nullptr : std::make_shared<VectorBasis>(lattice, std::move(clusters));
    if (spec.corrector_shells >= 0 && (spec.hidden > 0 || spec.residual_bias))
      throw std::invalid_argument("model '" + spec.name + "': the harmonic corrector is combined with the linear basis and the site network only (not the gated network or the residual bias)");
    vo.corrector_shells = vv.corrector_shells = spec.corrector_shells;
    auto t1 = std::chrono::steady_clock::now();
    const QuadraticStats q = given_sums ? merge_lanes(o.given_sums[index]) : accumulate_functional(lattice, model, basis.get(), training, vo);
    if (given_sums) {
      const int K = TermBuilder(lattice, basis.get(), model, vo).functions();
      if (q.functions != K || q.channels != (o.target.collective ? model.species : 1))
        throw std::invalid_argument("model '" + spec.name + "': the training sums have " + std::to_string(q.functions) + " functions, its basis " + std::to_string(K));
    }
    m.accumulate_seconds = seconds_since(t1);
    m.corrector_solves = q.corrector_solves;
    m.corrector_iterations = q.corrector_iterations;
    m.corrector_seconds = q.corrector_seconds;
    r.training_transitions = q.transitions;
    const auto t_solve = std::chrono::steady_clock::now();
    const LinearSolution sol = solve_linear(q);
    m.solve_seconds = seconds_since(t_solve);
    m.functions = q.functions;
    m.rank = sol.rank;
    m.training_value = functional_value(q, sol.theta);
    if (spec.residual_bias) {
      m.residual_coefficients = fit_residual_bias(lattice, model, basis.get(), training, sol.theta, vo);
      m.residual_coefficient = m.residual_coefficients[0];
    }
    std::unique_ptr<GatedModel> network;
    std::unique_ptr<GatedData> network_data;
    std::unique_ptr<SiteNetwork> site;
    std::unique_ptr<SiteNetworkData> site_data;
    if (spec.network_hidden > 0 && spec.hidden > 0) throw std::invalid_argument("model '" + spec.name + "': choose the gated network (hidden) or the site network, not both");
    if (spec.network_hidden > 0 && spec.residual_bias) throw std::invalid_argument("model '" + spec.name + "': the residual bias is not combined with the site network");
    if (spec.network_hidden > 0) {
      SiteNetworkOptions so;
      so.hidden = spec.network_hidden;
      so.layers = spec.network_layers;
      so.shells = spec.network_shells;
      so.epochs = spec.epochs;
      so.learning_rate = spec.learning_rate;
      so.seed = train.seed;
      const SiteNetworkData cached = cache_site_network(lattice, model, basis.get(), sol.theta, training, vo, spec.network_shells);
      site = std::make_unique<SiteNetwork>(train_site_network(cached, so, o.threads));
      // Training value per channel pair at the trained network (the objective is Σ_a L_aa).
      const Evaluation tv = evaluate_site_network(*site, cached, false);
      m.training_value.assign(tv.value.size(), 0.0);
      for (std::size_t i = 0; i < tv.value.size(); ++i) m.training_value[i] = tv.value[i].mean;
    }
    if (spec.hidden > 0) {
      if (!basis) throw std::invalid_argument("model '" + spec.name + "': the network needs a basis (set some shells)");
      GatedOptions go;
      go.hidden = spec.hidden;
      go.epochs = spec.epochs;
      go.learning_rate = spec.learning_rate;
      go.feature_shells = spec.feature_shells;
      go.seed = train.seed;
      const GatedData cached = cache_gated_terms(lattice, model, *basis, training, vo, spec.feature_shells);
      network = std::make_unique<GatedModel>(train_gated(cached, sol.theta, go, o.threads));
      m.training_value = {network->training_value};
    }
    m.fit_seconds = seconds_since(t1);
    if (progress) progress(++step, total);
    t1 = std::chrono::steady_clock::now();
    Evaluation ev;
    if (site) {
      site_data = std::make_unique<SiteNetworkData>(cache_site_network(lattice, model, basis.get(), sol.theta, validation, vv, spec.network_shells));
      ev = evaluate_site_network(*site, *site_data, false);
    } else if (network) {
      network_data = std::make_unique<GatedData>(cache_gated_terms(lattice, model, *basis, validation, vv, spec.feature_shells));
      ev = evaluate_gated(*network, *network_data, false);
    } else {
      ev = evaluate_functional(lattice, model, basis.get(), validation, sol.theta, vv, false, 0, m.residual_coefficients);
    }
    // Errors from block means (chains), not from treating correlated states as independent.
    m.validation = ev.value;
    for (int i = 0; i < ev.channels * ev.channels; ++i)
      m.validation[i] = blocked_estimate(ev.per_state.data() + i, static_cast<std::size_t>(ev.channels) * ev.channels, r.validation_blocks);
    m.validation_seconds = seconds_since(t1);
    if (progress) progress(++step, total);
    r.channels = ev.channels;
    const double value = ev.value[o.kinoson_channel * ev.channels + o.kinoson_channel].mean;
    if (!site && !network && !spec.residual_bias && (best_linear < 0 || value < best_linear_value)) {
      best_linear = static_cast<int>(index);
      best_linear_value = value;
      best_linear_theta = sol.theta;
      best_linear_basis = basis;
    }
    if (r.models.empty() || value < best_value) {
      best_value = value;
      r.best = static_cast<int>(r.models.size());
      best_theta = sol.theta;
      best_residual = m.residual_coefficients;
      best_basis = basis;
      best_network = std::move(network);
      best_network_data = std::move(network_data);
      best_site = std::move(site);
      best_site_data = std::move(site_data);
    }
    r.models.push_back(std::move(m));
  }
  if (o.keep_kinosons && best_site) {
    Evaluation ev = evaluate_site_network(*best_site, *best_site_data, true, o.kinoson_channel);
    r.validation_transitions = static_cast<long long>(ev.kinosons.size());
    r.kinosons = std::move(ev.kinosons);
  } else if (o.keep_kinosons && best_network) {
    Evaluation ev = evaluate_gated(*best_network, *best_network_data, true);
    r.validation_transitions = static_cast<long long>(ev.kinosons.size());
    r.kinosons = std::move(ev.kinosons);
  } else if (o.keep_kinosons) {
    vv.corrector_shells = specs[r.best].corrector_shells;
    Evaluation ev = evaluate_functional(lattice, model, best_basis.get(), validation, best_theta, vv, true, o.kinoson_channel, best_residual);
    r.validation_transitions = static_cast<long long>(ev.kinosons.size());
    r.kinosons = std::move(ev.kinosons);
  }
  if (o.tail.rounds > 0 && best_linear >= 0) {
    const auto t_tail = std::chrono::steady_clock::now();
    r.has_tail = true;
    r.tail.model = specs[best_linear].name;
    r.tail.first_jumps = o.tail_first_jumps > 0 ? o.tail_first_jumps : lattice.num_sites();
    TailOptions to = o.tail;
    to.first = r.tail.first_jumps / mean_escape_rate(lattice, model, o.temperature, validation);
    to.seed = valid.seed;
    vv.corrector_shells = specs[best_linear].corrector_shells;
    r.tail.result = trajectory_tail(lattice, model, best_linear_basis.get(), validation, best_linear_theta, vv, to, r.validation_blocks, o.kinoson_channel);
    r.tail.estimates = tail_estimates(r.tail.result, r.validation_blocks);
    r.tail.seconds = seconds_since(t_tail);
  }
  return r;
}

}  // namespace ionfield::lattice
