// JS access to the lattice engine: exact correlation factors, KMC and kinoson studies. Parses the
// (already validated, see lib/kinosons/config.ts) spec objects and runs the work on a worker thread.
#include <napi.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "cancel.hpp"
#include "errors.hpp"
#include "ionfield/cancel.hpp"
#include "ionfield/correlation.hpp"
#include "ionfield/kinosons.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

using namespace ionfield::lattice;

double number(const Napi::Object& o, const char* key, double fallback) {
  return o.Has(key) && o.Get(key).IsNumber() ? o.Get(key).As<Napi::Number>().DoubleValue() : fallback;
}

std::vector<double> numbers(const Napi::Object& o, const char* key) {
  std::vector<double> v;
  if (!o.Has(key) || !o.Get(key).IsArray()) return v;
  Napi::Array a = o.Get(key).As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) v.push_back(a.Get(i).As<Napi::Number>().DoubleValue());
  return v;
}

std::vector<int> integers(const Napi::Object& o, const char* key) {
  std::vector<int> v;
  for (double x : numbers(o, key)) v.push_back(static_cast<int>(x));
  return v;
}

struct Spec {
  LatticeKind kind = LatticeKind::FCC;
  int cells = 4, shells = 1;
  EnergyModel model;
  KmcOptions kmc;
  StudyOptions study;
  int first_lane = 0, last_lane = kFunctionalLanes;  // kinosonsFitSums: the shard's accumulation lanes
};

Napi::Float64Array doubles(Napi::Env env, const std::vector<double>& v);

std::vector<double> float64s(const Napi::Object& o, const char* key) {
  if (!o.Has(key) || !o.Get(key).IsTypedArray()) throw std::invalid_argument(std::string("training sums: ") + key + " must be a Float64Array");
  Napi::TypedArray t = o.Get(key).As<Napi::TypedArray>();
  if (t.TypedArrayType() != napi_float64_array) throw std::invalid_argument(std::string("training sums: ") + key + " must be a Float64Array");
  Napi::Float64Array a = t.As<Napi::Float64Array>();
  return std::vector<double>(a.Data(), a.Data() + a.ElementLength());
}

// One lane's sums (QuadraticStats) from / to JS: {functions, channels, states, transitions, norm,
// A, B, C (Float64Array), correctorSolves, correctorIterations, correctorSeconds}.
QuadraticStats parse_lane(const Napi::Object& o) {
  QuadraticStats q;
  q.functions = static_cast<int>(number(o, "functions", 0));
  q.channels = static_cast<int>(number(o, "channels", 1));
  q.states = static_cast<long long>(number(o, "states", 0));
  q.transitions = static_cast<long long>(number(o, "transitions", 0));
  q.norm = number(o, "norm", 0);
  q.A = float64s(o, "A");
  q.B = float64s(o, "B");
  q.C = float64s(o, "C");
  if (q.functions < 0 || q.channels < 1 || q.A.size() != static_cast<std::size_t>(q.functions) * q.functions ||
      q.B.size() != static_cast<std::size_t>(q.functions) * q.channels || q.C.size() != static_cast<std::size_t>(q.channels) * q.channels)
    throw std::invalid_argument("training sums: A, B and C do not match functions and channels");
  q.corrector_solves = static_cast<long long>(number(o, "correctorSolves", 0));
  q.corrector_iterations = static_cast<long long>(number(o, "correctorIterations", 0));
  q.corrector_seconds = number(o, "correctorSeconds", 0);
  return q;
}

Napi::Object lane_object(Napi::Env env, const QuadraticStats& q) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("functions", q.functions);
  o.Set("channels", q.channels);
  o.Set("states", static_cast<double>(q.states));
  o.Set("transitions", static_cast<double>(q.transitions));
  o.Set("norm", q.norm);
  o.Set("A", doubles(env, q.A));
  o.Set("B", doubles(env, q.B));
  o.Set("C", doubles(env, q.C));
  o.Set("correctorSolves", static_cast<double>(q.corrector_solves));
  o.Set("correctorIterations", static_cast<double>(q.corrector_iterations));
  o.Set("correctorSeconds", q.corrector_seconds);
  return o;
}

// spec = { lattice, cells, shells, model: {species, nu, e0, pair}, temperature, counts, seed, threads,
//          kmc: {steps, trajectories, equilibrationSweeps, exponentialTimes, checkpoints, windowFrom, windowTo},
//          study: {target: 'collective' | species index, sampling: 'all' | 'kmc', trainingStates,
//                  validationStates, chains, equilibrationSweeps, decorrelationSweeps, kinosonChannel,
//                  trainingOccupancy?, validationOccupancy? (Uint8Array states × sites), validationChains?,
//                  models: [{name, vacancyShells, speciesShells, pairFirstShells, pairSecondShells, tripletFirstShells, tripletSecondShells, residualBias}]} }
Spec parse_spec(const Napi::Object& o) {
  Spec s;
  s.kind = parse_lattice_kind(o.Get("lattice").As<Napi::String>());
  s.cells = static_cast<int>(number(o, "cells", 4));
  s.shells = static_cast<int>(number(o, "shells", 1));
  Napi::Object m = o.Get("model").As<Napi::Object>();
  s.model.species = static_cast<int>(number(m, "species", 1));
  s.model.nu = numbers(m, "nu");
  s.model.e0 = numbers(m, "e0");
  s.model.pair = numbers(m, "pair");
  const double temperature = number(o, "temperature", 1000);
  const auto counts = integers(o, "counts");
  const auto seed = static_cast<std::uint64_t>(number(o, "seed", 1));
  const int threads = static_cast<int>(number(o, "threads", 0));
  s.kmc.counts = counts;
  s.kmc.temperature = temperature;
  s.kmc.seed = seed;
  s.kmc.threads = threads;
  if (o.Has("kmc") && o.Get("kmc").IsObject()) {
    Napi::Object k = o.Get("kmc").As<Napi::Object>();
    s.kmc.steps = static_cast<long long>(number(k, "steps", 10000));
    s.kmc.trajectories = static_cast<int>(number(k, "trajectories", 16));
    s.kmc.equilibration_sweeps = static_cast<long long>(number(k, "equilibrationSweeps", 200));
    s.kmc.exponential_times = k.Has("exponentialTimes") && k.Get("exponentialTimes").ToBoolean();
    if (k.Has("checkpoints")) s.kmc.checkpoints = static_cast<int>(number(k, "checkpoints", 32));
    if (k.Has("windowFrom")) s.kmc.window_from = number(k, "windowFrom", 0.1);
    if (k.Has("windowTo")) s.kmc.window_to = number(k, "windowTo", 0.5);
    s.kmc.first_trajectory = static_cast<int>(number(k, "firstTrajectory", 0));
    s.kmc.run_trajectories = static_cast<int>(number(k, "runTrajectories", 0));
  }
  if (o.Has("study") && o.Get("study").IsObject()) {
    Napi::Object st = o.Get("study").As<Napi::Object>();
    StudyOptions& so = s.study;
    const Napi::Value target = st.Get("target");
    so.target.collective = target.IsString() && target.As<Napi::String>().Utf8Value() == "collective";
    so.target.species = target.IsNumber() ? target.As<Napi::Number>().Int32Value() : 0;
    so.sampling = st.Has("sampling") && st.Get("sampling").IsString() && st.Get("sampling").As<Napi::String>().Utf8Value() == "kmc"
                      ? TransitionSampling::KmcChoice
                      : TransitionSampling::AllExits;
    so.temperature = temperature;
    so.threads = threads;
    so.training.counts = counts;
    so.training.seed = seed;
    so.training.states = static_cast<int>(number(st, "trainingStates", 1000));
    so.training.chains = static_cast<int>(number(st, "chains", 16));
    so.training.equilibration_sweeps = static_cast<long long>(number(st, "equilibrationSweeps", 200));
    so.training.decorrelation_sweeps = static_cast<long long>(number(st, "decorrelationSweeps", 10));
    so.training.first = static_cast<int>(number(st, "firstState", 0));
    so.training.last = static_cast<int>(number(st, "lastState", -1));
    so.validation_states = static_cast<int>(number(st, "validationStates", 1000));
    so.kinoson_channel = static_cast<int>(number(st, "kinosonChannel", 0));
    so.keep_kinosons = !st.Has("kinosons") || st.Get("kinosons").ToBoolean();
    if (st.Has("tail") && st.Get("tail").IsObject()) {
      Napi::Object t = st.Get("tail").As<Napi::Object>();
      so.tail.rounds = static_cast<int>(number(t, "rounds", 10));
      so.tail.min_rounds = static_cast<int>(number(t, "minRounds", 5));
      so.tail.tolerance = number(t, "tolerance", 0.03);
      so.tail_first_jumps = number(t, "firstJumps", 0);
    }
    // States read from .npy files: flat Uint8Arrays of states × sites (validated in lib/kinosons).
    auto given = [&](const char* key, std::vector<std::vector<std::uint8_t>>& out) {
      if (!st.Has(key) || !st.Get(key).IsTypedArray()) return;
      Napi::Uint8Array a = st.Get(key).As<Napi::Uint8Array>();
      const std::size_t per_cell = s.kind == LatticeKind::FCC ? 4 : s.kind == LatticeKind::BCC ? 2 : 1;
      const std::size_t sites = per_cell * static_cast<std::size_t>(s.cells) * s.cells * s.cells;
      if (sites == 0 || a.ElementLength() % sites != 0) throw std::invalid_argument(std::string(key) + ": not a whole number of states");
      for (std::size_t k = 0; k < a.ElementLength() / sites; ++k) out.emplace_back(a.Data() + k * sites, a.Data() + (k + 1) * sites);
    };
    given("trainingOccupancy", so.given_training);
    given("validationOccupancy", so.given_validation);
    so.given_validation_chains = static_cast<int>(number(st, "validationChains", 0));
    // Merged fit shards: per model (uncorrelated first), every lane's sums.
    if (st.Has("trainingSums") && st.Get("trainingSums").IsArray()) {
      Napi::Array models = st.Get("trainingSums").As<Napi::Array>();
      for (uint32_t i = 0; i < models.Length(); ++i) {
        Napi::Array lanes = models.Get(i).As<Napi::Array>();
        std::vector<QuadraticStats> v;
        for (uint32_t l = 0; l < lanes.Length(); ++l) v.push_back(parse_lane(lanes.Get(l).As<Napi::Object>()));
        so.given_sums.push_back(std::move(v));
      }
    }
    s.first_lane = static_cast<int>(number(st, "firstLane", 0));
    s.last_lane = static_cast<int>(number(st, "lastLane", kFunctionalLanes));
    if (st.Has("models") && st.Get("models").IsArray()) {
      Napi::Array models = st.Get("models").As<Napi::Array>();
      for (uint32_t i = 0; i < models.Length(); ++i) {
        Napi::Object b = models.Get(i).As<Napi::Object>();
        BasisSpec spec;
        spec.name = b.Has("name") ? b.Get("name").As<Napi::String>().Utf8Value() : "linear";
        spec.vacancy_shells = static_cast<int>(number(b, "vacancyShells", 0));
        spec.species_shells = static_cast<int>(number(b, "speciesShells", 0));
        spec.pair_first_shells = static_cast<int>(number(b, "pairFirstShells", 0));
        spec.pair_second_shells = static_cast<int>(number(b, "pairSecondShells", 0));
        spec.triplet_first_shells = static_cast<int>(number(b, "tripletFirstShells", 0));
        spec.triplet_second_shells = static_cast<int>(number(b, "tripletSecondShells", 0));
        spec.residual_bias = b.Has("residualBias") && b.Get("residualBias").ToBoolean();
        spec.hidden = static_cast<int>(number(b, "hidden", 0));
        spec.epochs = static_cast<int>(number(b, "epochs", 300));
        spec.learning_rate = number(b, "learningRate", 3e-3);
        spec.feature_shells = static_cast<int>(number(b, "featureShells", 2));
        spec.network_hidden = static_cast<int>(number(b, "networkHidden", 0));
        spec.network_layers = static_cast<int>(number(b, "networkLayers", 2));
        spec.network_shells = static_cast<int>(number(b, "networkShells", 2));
        spec.corrector_shells = static_cast<int>(number(b, "correctorShells", -1));
        s.shells = std::max(s.shells, basis_shells_needed(spec));
        so.models.push_back(spec);
      }
    }
  }
  s.shells = std::max({s.shells, s.model.pair_shells(), 1});
  return s;
}

Napi::Object estimate(Napi::Env env, const Estimate& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("mean", e.mean);
  o.Set("error", e.error);
  return o;
}

Napi::Array estimates(Napi::Env env, const std::vector<Estimate>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (std::size_t i = 0; i < v.size(); ++i) a.Set(static_cast<uint32_t>(i), estimate(env, v[i]));
  return a;
}

Napi::Float64Array doubles(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * sizeof(double));
  return a;
}

Napi::Error bad_input_aware(Napi::Env env, const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::invalid_argument& ex) {
    Napi::Error js = Napi::Error::New(env, ex.what());
    js.Set("code", "IONFIELD_BAD_INPUT");
    return js;
  } catch (...) {
    return error_from_exception(env, e);
  }
}

// Shared shape of the two long-running calls: run `work` on a worker thread with progress.
template <class Result>
class LatticeWorker : public Napi::AsyncProgressWorker<double> {
 public:
  LatticeWorker(Napi::Env env, Spec spec, Napi::Function on_progress, CancelFlag cancel)
      : Napi::AsyncProgressWorker<double>(env), spec_(std::move(spec)), cancel_(std::move(cancel)), deferred_(Napi::Promise::Deferred::New(env)) {
    if (!on_progress.IsEmpty()) progress_ = Napi::Persistent(on_progress);
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute(const ExecutionProgress& progress) override {
    // The native loops poll the flag (per 4096 KMC steps, per swap-MC block, per state, per
    // epoch) and throw Cancelled, which rejects the promise; the thread is then free again.
    CancelScope scope(cancel_.get());
    try {
      lattice_ = std::make_unique<Lattice>(spec_.kind, spec_.cells, spec_.shells);
      auto last = std::chrono::steady_clock::now();
      result_ = run(*lattice_, [&](long long done, long long total) {
        const auto now = std::chrono::steady_clock::now();
        if (done != total && now - last < std::chrono::milliseconds(100)) return;
        last = now;
        const double data[2] = {static_cast<double>(done), static_cast<double>(total)};
        progress.Send(data, 2);
      });
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  void OnProgress(const double* data, size_t count) override {
    if (!progress_.IsEmpty() && count >= 2) progress_.Call({Napi::Number::New(Env(), data[0]), Napi::Number::New(Env(), data[1])});
  }
  void OnOK() override {
    if (error_) deferred_.Reject(bad_input_aware(Env(), error_).Value());
    else deferred_.Resolve(convert(Env(), result_));
  }

 protected:
  virtual Result run(const Lattice& lattice, const ProgressFn& progress) = 0;
  virtual Napi::Value convert(Napi::Env env, const Result& r) = 0;
  Spec spec_;
  std::unique_ptr<Lattice> lattice_;
  CancelFlag cancel_;

 private:
  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference progress_;
  Result result_;
  std::exception_ptr error_;
};

// The estimates of a KMC result (shared by kinosonsKmc and kinosonsKmcEstimate).
void set_kmc_estimates(Napi::Env env, Napi::Object& o, const KmcResult& r) {
  o.Set("tracer", estimates(env, r.tracer));
  o.Set("onsager", estimates(env, r.onsager));
  o.Set("correlation", estimate(env, r.correlation));
  o.Set("wholeTracer", estimates(env, r.whole_tracer));
  o.Set("wholeOnsager", estimates(env, r.whole_onsager));
  o.Set("wholeCorrelation", estimate(env, r.whole_correlation));
  o.Set("tracerEarly", estimates(env, r.tracer_early));
  o.Set("tracerLate", estimates(env, r.tracer_late));
  o.Set("tracerChange", estimates(env, r.tracer_change));
  o.Set("onsagerChange", estimates(env, r.onsager_change));
  o.Set("windowJumps", doubles(env, std::vector<double>(r.window_jumps.begin(), r.window_jumps.end())));
  o.Set("windowTimes", doubles(env, std::vector<double>(r.window_times.begin(), r.window_times.end())));
}

class KmcWorker : public LatticeWorker<KmcResult> {
 public:
  using LatticeWorker::LatticeWorker;

 protected:
  KmcResult run(const Lattice& lattice, const ProgressFn& progress) override { return run_kmc(lattice, spec_.model, spec_.kmc, progress); }
  Napi::Value convert(Napi::Env env, const KmcResult& r) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("sites", lattice_->num_sites());
    o.Set("trajectories", r.trajectories);
    o.Set("steps", static_cast<double>(r.total_steps));
    o.Set("seconds", r.seconds);
    set_kmc_estimates(env, o, r);
    // Per trajectory (what merging shards needs): time, sums and the slope estimator's inputs.
    o.Set("times", doubles(env, r.times));
    o.Set("tracerSums", doubles(env, r.tracer_sums));
    o.Set("collective", doubles(env, r.collective));
    o.Set("slopeTracer", doubles(env, r.slope_tracer));
    o.Set("slopeCollective", doubles(env, r.slope_collective));
    o.Set("slopeEarly", doubles(env, r.slope_early));
    o.Set("slopeLate", doubles(env, r.slope_late));
    o.Set("slopeCorrelation", doubles(env, r.slope_correlation));
    o.Set("slopeCollectiveEarly", doubles(env, r.slope_collective_early));
    o.Set("slopeCollectiveLate", doubles(env, r.slope_collective_late));
    o.Set("windowLags", doubles(env, std::vector<double>(r.window_lags.begin(), r.window_lags.end())));
    return o;
  }
};

// kinosonsKmcEstimate(spec, perTrajectory): the estimates of kinosonsKmc(spec) from the
// per-trajectory arrays of its result (trajectory order; plain arrays) and its windowLags —
// merging KMC shards.
Napi::Value KmcEstimate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsObject()) throw Napi::TypeError::New(env, "kinosonsKmcEstimate(spec, perTrajectory)");
  Napi::Object o = info[1].As<Napi::Object>();
  KmcResult r;
  try {
    const Spec spec = parse_spec(info[0].As<Napi::Object>());
    const Lattice lattice(spec.kind, spec.cells, spec.shells);
    r.species = spec.model.species;
    r.times = numbers(o, "times");
    r.tracer_sums = numbers(o, "tracerSums");
    r.collective = numbers(o, "collective");
    r.slope_tracer = numbers(o, "slopeTracer");
    r.slope_collective = numbers(o, "slopeCollective");
    r.slope_early = numbers(o, "slopeEarly");
    r.slope_late = numbers(o, "slopeLate");
    r.slope_correlation = numbers(o, "slopeCorrelation");
    r.slope_collective_early = numbers(o, "slopeCollectiveEarly");
    r.slope_collective_late = numbers(o, "slopeCollectiveLate");
    const std::vector<double> lags = numbers(o, "windowLags");  // from, to, intervals (as the shards ran)
    if (lags.size() != 3) throw std::invalid_argument("kinosonsKmcEstimate: windowLags must be [from, to, intervals]");
    r.window_lags = {static_cast<int>(lags[0]), static_cast<int>(lags[1]), static_cast<int>(lags[2])};
    estimate_kmc(r, spec.kmc.counts, lattice.num_sites(), 0.25 * lattice.shell_norm2(0), spec.kmc.steps);
  } catch (...) {
    throw bad_input_aware(env, std::current_exception());
  }
  Napi::Object out = Napi::Object::New(env);
  set_kmc_estimates(env, out, r);
  return out;
}

// The trajectory tail's estimates per checkpoint (channels² each) and its cost.
Napi::Object tail_object(Napi::Env env, const TailSummary& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("model", t.model);
  o.Set("firstJumps", t.first_jumps);
  o.Set("seconds", t.seconds);
  o.Set("converged", t.result.converged);
  o.Set("jumps", static_cast<double>(t.result.jumps));
  o.Set("kmcThreadSeconds", t.result.kmc_seconds);
  o.Set("relaxationThreadSeconds", t.result.relaxation_seconds);
  o.Set("correctorSolves", static_cast<double>(t.result.corrector_solves));
  o.Set("correctorIterations", static_cast<double>(t.result.corrector_iterations));
  o.Set("times", doubles(env, t.result.times));
  auto per_checkpoint = [&](const std::vector<std::vector<Estimate>>& v) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (std::size_t k = 0; k < v.size(); ++k) a.Set(static_cast<uint32_t>(k), estimates(env, v[k]));
    return a;
  };
  o.Set("zValue", per_checkpoint(t.estimates.z_value));
  o.Set("xValue", per_checkpoint(t.estimates.x_value));
  o.Set("zSlope", per_checkpoint(t.estimates.z_slope));
  o.Set("xSlope", per_checkpoint(t.estimates.x_slope));
  o.Set("zDrop", per_checkpoint(t.estimates.z_drop));
  return o;
}

class StudyWorker : public LatticeWorker<StudyResult> {
 public:
  using LatticeWorker::LatticeWorker;

 protected:
  StudyResult run(const Lattice& lattice, const ProgressFn& progress) override { return run_study(lattice, spec_.model, spec_.study, progress); }
  Napi::Value convert(Napi::Env env, const StudyResult& r) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("sites", lattice_->num_sites());
    o.Set("channels", r.channels);
    o.Set("trainingTransitions", static_cast<double>(r.training_transitions));
    o.Set("validationTransitions", static_cast<double>(r.validation_transitions));
    o.Set("samplingSeconds", r.sampling_seconds);
    o.Set("best", r.best);
    Napi::Array models = Napi::Array::New(env, r.models.size());
    for (std::size_t i = 0; i < r.models.size(); ++i) {
      const ModelResult& m = r.models[i];
      Napi::Object mo = Napi::Object::New(env);
      mo.Set("name", m.name);
      mo.Set("functions", m.functions);
      mo.Set("rank", m.rank);
      mo.Set("residualCoefficients", doubles(env, m.residual_coefficients));
      mo.Set("training", doubles(env, m.training_value));
      mo.Set("validation", estimates(env, m.validation));
      mo.Set("fitSeconds", m.fit_seconds);
      mo.Set("validationSeconds", m.validation_seconds);
      Napi::Object profile = Napi::Object::New(env);
      profile.Set("accumulateSeconds", m.accumulate_seconds);
      profile.Set("solveSeconds", m.solve_seconds);
      profile.Set("correctorSolves", static_cast<double>(m.corrector_solves));
      profile.Set("correctorIterations", static_cast<double>(m.corrector_iterations));
      profile.Set("correctorThreadSeconds", m.corrector_seconds);
      mo.Set("profile", profile);
      models.Set(static_cast<uint32_t>(i), mo);
    }
    o.Set("models", models);
    Napi::Int32Array blocks = Napi::Int32Array::New(env, r.validation_blocks.size());
    for (std::size_t i = 0; i < r.validation_blocks.size(); ++i) blocks[i] = r.validation_blocks[i];
    o.Set("validationBlocks", blocks);
    const std::size_t n = r.kinosons.size();
    Napi::Float64Array value = Napi::Float64Array::New(env, n), rate = Napi::Float64Array::New(env, n);
    Napi::Int32Array state = Napi::Int32Array::New(env, n);
    Napi::Uint8Array species = Napi::Uint8Array::New(env, n), environment = Napi::Uint8Array::New(env, n);
    for (std::size_t i = 0; i < n; ++i) {
      value[i] = r.kinosons[i].value;
      rate[i] = r.kinosons[i].rate;
      state[i] = r.kinosons[i].state;
      species[i] = r.kinosons[i].species;
      environment[i] = r.kinosons[i].environment;
    }
    Napi::Object k = Napi::Object::New(env);
    k.Set("value", value);
    k.Set("rate", rate);
    k.Set("state", state);
    k.Set("species", species);
    k.Set("environment", environment);
    o.Set("kinosons", k);
    if (r.has_tail) o.Set("tail", tail_object(env, r.tail));
    return o;
  }
};

template <class Worker>
Napi::Value start(const Napi::CallbackInfo& info, const char* usage) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, usage);
  Spec spec;
  try {
    spec = parse_spec(info[0].As<Napi::Object>());
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw bad_input_aware(env, std::current_exception());
  }
  Napi::Function cb = info.Length() > 1 && info[1].IsFunction() ? info[1].As<Napi::Function>() : Napi::Function();
  CancelFlag cancel = cancel_flag_from(info.Length() > 2 ? info[2] : env.Undefined());
  auto* worker = new Worker(env, std::move(spec), cb, std::move(cancel));
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

Napi::Value ExactCorrelation(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "kinosonsExactCorrelation(lattice, cells)");
  try {
    const LatticeKind kind = parse_lattice_kind(info[0].As<Napi::String>());
    const Lattice lattice(kind, info[1].As<Napi::Number>().Int32Value());
    const auto r = exact_tracer_correlation(lattice);
    Napi::Object o = Napi::Object::New(env);
    o.Set("f", r.f);
    o.Set("states", r.states);
    o.Set("sites", lattice.num_sites());
    o.Set("iterations", r.iterations);
    o.Set("residual", r.residual);
    o.Set("infinite", known_correlation_factor(kind));
    return o;
  } catch (...) {
    throw bad_input_aware(env, std::current_exception());
  }
}

// kinosonsFitSums(spec): one shard of a fit — the training sums of lanes [study.firstLane,
// study.lastLane) for every model ("uncorrelated" first).
class FitSumsWorker : public LatticeWorker<TrainingSums> {
 public:
  using LatticeWorker::LatticeWorker;

 protected:
  TrainingSums run(const Lattice& lattice, const ProgressFn& progress) override {
    return accumulate_training(lattice, spec_.model, spec_.study, spec_.first_lane, spec_.last_lane, progress);
  }
  Napi::Value convert(Napi::Env env, const TrainingSums& r) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("sites", lattice_->num_sites());
    o.Set("lanes", static_cast<double>(kFunctionalLanes));
    o.Set("firstLane", r.first_lane);
    o.Set("lastLane", r.last_lane);
    o.Set("firstState", static_cast<double>(r.first_state));
    o.Set("lastState", static_cast<double>(r.last_state));
    o.Set("samplingSeconds", r.sampling_seconds);
    Napi::Array models = Napi::Array::New(env, r.lanes.size());
    for (std::size_t m = 0; m < r.lanes.size(); ++m) {
      Napi::Object mo = Napi::Object::New(env);
      mo.Set("name", r.names[m]);
      mo.Set("accumulateSeconds", r.accumulate_seconds[m]);
      Napi::Array lanes = Napi::Array::New(env, r.lanes[m].size());
      for (std::size_t l = 0; l < r.lanes[m].size(); ++l) lanes.Set(static_cast<uint32_t>(l), lane_object(env, r.lanes[m][l]));
      mo.Set("lanes", lanes);
      models.Set(static_cast<uint32_t>(m), mo);
    }
    o.Set("models", models);
    return o;
  }
};

class StatesWorker : public LatticeWorker<std::vector<std::vector<std::uint8_t>>> {
 public:
  using LatticeWorker::LatticeWorker;

 protected:
  std::vector<std::vector<std::uint8_t>> run(const Lattice& lattice, const ProgressFn&) override {
    return sample_states(lattice, spec_.model, spec_.study.temperature, spec_.study.training);
  }
  Napi::Value convert(Napi::Env env, const std::vector<std::vector<std::uint8_t>>& states) override {
    const std::size_t sites = static_cast<std::size_t>(lattice_->num_sites());
    Napi::Uint8Array a = Napi::Uint8Array::New(env, states.size() * sites);
    for (std::size_t k = 0; k < states.size(); ++k) std::memcpy(a.Data() + k * sites, states[k].data(), sites);
    Napi::Int32Array pos = Napi::Int32Array::New(env, 3 * sites);
    for (std::size_t i = 0; i < sites; ++i)
      for (int d = 0; d < 3; ++d) pos[3 * i + d] = lattice_->position(static_cast<int>(i))[d];
    Napi::Object o = Napi::Object::New(env);
    o.Set("sites", static_cast<double>(sites));
    o.Set("states", static_cast<double>(states.size()));
    o.Set("occupancy", a);
    o.Set("positions", pos);
    return o;
  }
};

}  // namespace

void register_kinosons(Napi::Env env, Napi::Object exports) {
  exports.Set("kinosonsExactCorrelation", Napi::Function::New(env, ExactCorrelation));
  exports.Set("kinosonsKmcEstimate", Napi::Function::New(env, KmcEstimate));
  exports.Set("kinosonsKmc", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return start<KmcWorker>(info, "kinosonsKmc(spec, onProgress, cancelToken)"); }));
  exports.Set("kinosonsSampleStates", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return start<StatesWorker>(info, "kinosonsSampleStates(spec, onProgress, cancelToken)"); }));
  exports.Set("kinosonsFitSums", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return start<FitSumsWorker>(info, "kinosonsFitSums(spec, onProgress, cancelToken)"); }));
  exports.Set("kinosonsFitLanes", Napi::Number::New(env, kFunctionalLanes));
  exports.Set("kinosonsStudy", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return start<StudyWorker>(info, "kinosonsStudy(spec, onProgress, cancelToken)"); }));
}

}  // namespace ionfield::binding
