// JS access to the native network trainer: trainNetwork runs on a worker thread and reports every
// epoch back to JS (AsyncProgressQueueWorker); nnPredict evaluates a model on a block of ions (the
// reference the ONNX export is checked against).
#include <napi.h>

#include <cmath>
#include <memory>
#include <string>

#include "cancel.hpp"
#include "ionfield/cancel.hpp"
#include "errors.hpp"
#include "ionfield/nn.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

using nn::Architecture;
using nn::EpochReport;
using nn::Model;
using nn::SystemData;

std::vector<int> int_list(const Napi::Value& v, const char* name) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), std::string(name) + " must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int> out;
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(a.Get(i).ToNumber().Int32Value());
  return out;
}

std::vector<double> doubles(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a Float64Array");
  auto a = v.As<Napi::Float64Array>();
  return std::vector<double>(a.Data(), a.Data() + a.ElementLength());
}

Architecture architecture_from(const Napi::Object& o) {
  Architecture arch;
  arch.features = int_list(o.Get("features"), "features");
  arch.hidden = int_list(o.Get("hidden"), "hidden");
  arch.activation = nn::parse_activation(o.Get("activation").ToString().Utf8Value());
  return arch;
}

// {name, frames, species: [{ions, features: Float32Array, lambda: Float64Array} | {ions, featuresFile, ...}]}
SystemData system_from(const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (!value.IsObject()) throw Napi::TypeError::New(env, "a system must be an object");
  Napi::Object o = value.As<Napi::Object>();
  SystemData sys;
  sys.name = o.Get("name").ToString().Utf8Value();
  sys.frames = static_cast<std::size_t>(o.Get("frames").ToNumber().Int64Value());
  Napi::Array species = o.Get("species").As<Napi::Array>();
  for (uint32_t s = 0; s < species.Length(); ++s) {
    Napi::Object d = species.Get(s).As<Napi::Object>();
    nn::SpeciesData data;
    data.ions = static_cast<std::size_t>(d.Get("ions").ToNumber().Int64Value());
    if (d.Get("features").IsUndefined() && d.Get("featuresFile").IsString()) {
      // On disk ({featuresFile, featuresOffset, lambdaFile, lambdaOffset}: the .npy data offsets,
      // headers checked in lib/): the trainer reads frames as it needs them.
      data.features_file = d.Get("featuresFile").ToString().Utf8Value();
      data.lambda_file = d.Get("lambdaFile").ToString().Utf8Value();
      data.features_offset = static_cast<std::uint64_t>(d.Get("featuresOffset").ToNumber().Int64Value());
      data.lambda_offset = static_cast<std::uint64_t>(d.Get("lambdaOffset").ToNumber().Int64Value());
      sys.species.push_back(std::move(data));
      continue;
    }
    Napi::Value f = d.Get("features");
    if (!f.IsTypedArray() || f.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, "system " + sys.name + ": features must be a Float32Array");
    auto fa = f.As<Napi::Float32Array>();
    data.features.assign(fa.Data(), fa.Data() + fa.ElementLength());
    data.lambda = doubles(d.Get("lambda"), "lambda");
    sys.species.push_back(std::move(data));
  }
  return sys;
}

std::vector<SystemData> systems_from(const Napi::Value& v) {
  if (!v.IsArray()) throw Napi::TypeError::New(v.Env(), "systems must be an array");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<SystemData> out;
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(system_from(a.Get(i)));
  return out;
}

Napi::Float64Array to_js(Napi::Env env, const std::vector<double>& v) {
  auto a = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

Napi::Object report_to_js(Napi::Env env, const EpochReport& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("epoch", r.epoch);
  o.Set("epochs", r.epochs_total);
  o.Set("trainLoss", r.train_loss);
  o.Set("valLoss", std::isnan(r.val_loss) ? env.Null() : Napi::Number::New(env, r.val_loss));
  o.Set("valLambdaRelError", std::isnan(r.val_lambda_rel_error) ? env.Null() : Napi::Number::New(env, r.val_lambda_rel_error));
  o.Set("improved", r.improved);
  return o;
}

// The model as a plain object: {features, hidden, activation, params, featureMean[], featureScale[],
// targetShift, targetScale, layers: [[{in, out, w, b}]]} (layers: offsets into params, per species).
Napi::Object model_to_js(Napi::Env env, const Model& m) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array features = Napi::Array::New(env), hidden = Napi::Array::New(env);
  for (std::size_t i = 0; i < m.arch.features.size(); ++i) features.Set(static_cast<uint32_t>(i), m.arch.features[i]);
  for (std::size_t i = 0; i < m.arch.hidden.size(); ++i) hidden.Set(static_cast<uint32_t>(i), m.arch.hidden[i]);
  o.Set("features", features);
  o.Set("hidden", hidden);
  o.Set("activation", nn::activation_name(m.arch.activation));
  o.Set("params", to_js(env, m.params));
  Napi::Array mean = Napi::Array::New(env), scale = Napi::Array::New(env), layers = Napi::Array::New(env);
  for (std::size_t s = 0; s < m.species(); ++s) {
    mean.Set(static_cast<uint32_t>(s), to_js(env, m.feature_mean[s]));
    scale.Set(static_cast<uint32_t>(s), to_js(env, m.feature_scale[s]));
    Napi::Array ls = Napi::Array::New(env);
    for (std::size_t l = 0; l < m.layout.layers[s].size(); ++l) {
      const auto& slot = m.layout.layers[s][l];
      Napi::Object x = Napi::Object::New(env);
      x.Set("in", slot.in);
      x.Set("out", slot.out);
      x.Set("w", static_cast<double>(slot.w));
      x.Set("b", static_cast<double>(slot.b));
      ls.Set(static_cast<uint32_t>(l), x);
    }
    layers.Set(static_cast<uint32_t>(s), ls);
  }
  o.Set("featureMean", mean);
  o.Set("featureScale", scale);
  o.Set("targetShift", m.target_shift);
  o.Set("targetScale", m.target_scale);
  o.Set("layers", layers);
  return o;
}

Model model_from(const Napi::Object& o) {
  Model m;
  m.arch = architecture_from(o);
  m.layout = nn::Layout::of(m.arch);
  m.params = doubles(o.Get("params"), "params");
  if (m.params.size() != m.layout.size)
    throw Napi::TypeError::New(o.Env(), "model params: " + std::to_string(m.params.size()) + " values, the architecture needs " +
                                            std::to_string(m.layout.size));
  Napi::Array mean = o.Get("featureMean").As<Napi::Array>(), scale = o.Get("featureScale").As<Napi::Array>();
  for (std::size_t s = 0; s < m.arch.features.size(); ++s) {
    m.feature_mean.push_back(doubles(mean.Get(static_cast<uint32_t>(s)), "featureMean"));
    m.feature_scale.push_back(doubles(scale.Get(static_cast<uint32_t>(s)), "featureScale"));
  }
  m.target_shift = o.Get("targetShift").ToNumber().DoubleValue();
  m.target_scale = o.Get("targetScale").ToNumber().DoubleValue();
  return m;
}

class TrainWorker : public Napi::AsyncProgressQueueWorker<EpochReport> {
 public:
  TrainWorker(Napi::Env env, Architecture arch, std::vector<SystemData> train, std::vector<SystemData> val,
              nn::TrainOptions options, Napi::Function on_epoch, CancelFlag cancel)
      : Napi::AsyncProgressQueueWorker<EpochReport>(env), arch_(std::move(arch)), train_(std::move(train)),
        val_(std::move(val)), options_(std::move(options)), cancel_(std::move(cancel)), deferred_(Napi::Promise::Deferred::New(env)) {
    if (!on_epoch.IsEmpty()) callback_ = Napi::Persistent(on_epoch);
  }
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    CancelScope scope(cancel_.get());  // the training loop polls it per mini-batch
    try {
      result_ = nn::train(arch_, train_, val_, options_, [&](const EpochReport& r) {
        progress.Send(&r, 1);
        return true;
      });
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  void OnProgress(const EpochReport* data, size_t count) override {
    if (callback_.IsEmpty()) return;
    Napi::HandleScope scope(Env());
    for (size_t i = 0; i < count; ++i) callback_.Call({report_to_js(Env(), data[i])});
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (error_) {
      deferred_.Reject(error_from_exception(env, error_).Value());
      return;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("model", model_to_js(env, result_.model));
    Napi::Array history = Napi::Array::New(env);
    for (std::size_t i = 0; i < result_.history.size(); ++i)
      history.Set(static_cast<uint32_t>(i), report_to_js(env, result_.history[i]));
    o.Set("history", history);
    o.Set("bestEpoch", result_.best_epoch);
    o.Set("stoppedEarly", result_.stopped_early);
    o.Set("resumedFromEpoch", result_.resumed_from_epoch);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Architecture arch_;
  std::vector<SystemData> train_, val_;
  nn::TrainOptions options_;
  CancelFlag cancel_;
  nn::TrainResult result_;
  std::exception_ptr error_;
  Napi::FunctionReference callback_;
  Napi::Promise::Deferred deferred_;
};

// trainNetwork(arch {features, hidden, activation}, train: System[], validation: System[],
//              options {objective, epochs, batchFrames, learningRate, weightDecay, patience, seed, threads,
//              checkpoint}, onEpoch?): Promise<{model, history, bestEpoch, stoppedEarly, resumedFromEpoch}>
Napi::Value TrainNetwork(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    Architecture arch = architecture_from(info[0].As<Napi::Object>());
    auto train = systems_from(info[1]);
    auto val = systems_from(info[2]);
    Napi::Object o = info[3].As<Napi::Object>();
    nn::TrainOptions options;
    auto num = [&](const char* key, double fallback) {
      Napi::Value v = o.Get(key);
      return v.IsUndefined() || v.IsNull() ? fallback : v.ToNumber().DoubleValue();
    };
    if (o.Get("objective").IsString()) options.objective = nn::parse_objective(o.Get("objective").ToString().Utf8Value());
    options.epochs = static_cast<int>(num("epochs", options.epochs));
    options.batch_frames = static_cast<int>(num("batchFrames", options.batch_frames));
    options.learning_rate = num("learningRate", options.learning_rate);
    options.weight_decay = num("weightDecay", options.weight_decay);
    options.patience = static_cast<int>(num("patience", options.patience));
    options.seed = static_cast<std::uint64_t>(num("seed", 1));
    options.threads = static_cast<int>(num("threads", 0));
    if (o.Has("checkpoint") && o.Get("checkpoint").IsString()) options.checkpoint = o.Get("checkpoint").ToString().Utf8Value();
    Napi::Function cb = info.Length() > 4 && info[4].IsFunction() ? info[4].As<Napi::Function>() : Napi::Function();
    CancelFlag cancel = cancel_flag_from(info.Length() > 5 ? info[5] : env.Undefined());
    auto* worker = new TrainWorker(env, std::move(arch), std::move(train), std::move(val), options, cb, std::move(cancel));
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
  } catch (const Napi::Error& e) {
    throw;
  } catch (...) {
    throw error_from_current_exception(env);
  }
}

// nnPredict(model, species index, features: Float32Array [n x F], n): Float64Array λ̂
Napi::Value NnPredict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const Model m = model_from(info[0].As<Napi::Object>());
    const auto s = static_cast<std::size_t>(info[1].ToNumber().Int64Value());
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, "features must be a Float32Array");
    auto x = info[2].As<Napi::Float32Array>();
    const auto n = static_cast<std::size_t>(info[3].ToNumber().Int64Value());
    if (s >= m.species() || x.ElementLength() != n * static_cast<std::size_t>(m.arch.features[s]))
      throw Napi::RangeError::New(env, "nnPredict: features do not hold n rows of this species' columns");
    std::vector<double> out(n);
    m.predict(s, x.Data(), n, out.data());
    return to_js(env, out);
  } catch (const Napi::Error& e) {
    throw;
  } catch (...) {
    throw error_from_current_exception(env);
  }
}

}  // namespace

void register_nn(Napi::Env env, Napi::Object exports) {
  exports.Set("trainNetwork", Napi::Function::New(env, TrainNetwork));
  exports.Set("nnPredict", Napi::Function::New(env, NnPredict));
}

}  // namespace ionfield::binding
