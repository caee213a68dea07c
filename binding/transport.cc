// JS access to the transport accumulator: batches of frames go in on a worker thread
// (AsyncWorker), partial results (plain sums) come out as TypedArrays and merge in native code.
#include <napi.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "errors.hpp"
#include "ionfield/transport.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

template <typename T>
Napi::Float64Array to_float64(Napi::Env env, const std::vector<T>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  for (std::size_t i = 0; i < v.size(); ++i) a[i] = static_cast<double>(v[i]);
  return a;
}

std::vector<double> from_float64(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  return std::vector<double>(a.Data(), a.Data() + a.ElementLength());
}

Napi::Object partial_object(Napi::Env env, const TransportPartial& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("nspecies", static_cast<double>(p.nspecies));
  o.Set("lags", to_float64(env, p.lags));
  o.Set("blockFrames", to_float64(env, p.block_frames));
  o.Set("frames", static_cast<double>(p.frames));
  o.Set("volumeSum", p.volume_sum);
  o.Set("volumeFrames", static_cast<double>(p.volume_frames));
  o.Set("origins", to_float64(env, p.origins));
  o.Set("msd", to_float64(env, p.msd));
  o.Set("cross", to_float64(env, p.cross));
  o.Set("charge", to_float64(env, p.charge));
  return o;
}

TransportPartial partial_from_object(const Napi::Value& value) {
  Napi::Env env = value.Env();
  if (!value.IsObject()) throw Napi::TypeError::New(env, "a transport partial must be an object");
  Napi::Object o = value.As<Napi::Object>();
  TransportPartial p;
  p.nspecies = static_cast<std::size_t>(o.Get("nspecies").ToNumber().Int64Value());
  for (double l : from_float64(o.Get("lags"), "lags")) p.lags.push_back(static_cast<long long>(l));
  for (double b : from_float64(o.Get("blockFrames"), "blockFrames")) p.block_frames.push_back(static_cast<long long>(b));
  p.frames = o.Get("frames").ToNumber().Int64Value();
  p.volume_sum = o.Get("volumeSum").ToNumber().DoubleValue();
  p.volume_frames = o.Get("volumeFrames").ToNumber().Int64Value();
  p.origins = from_float64(o.Get("origins"), "origins");
  p.msd = from_float64(o.Get("msd"), "msd");
  p.cross = from_float64(o.Get("cross"), "cross");
  p.charge = from_float64(o.Get("charge"), "charge");
  const std::size_t cells = p.nblocks() * p.lags.size();
  if (p.nspecies == 0 || p.origins.size() != cells || p.charge.size() != cells || p.msd.size() != cells * p.nspecies ||
      p.cross.size() != cells * p.npairs())
    throw Napi::TypeError::New(env, "transport partial: array sizes do not match blocks x lags x species");
  return p;
}

class NativeTransport : public Napi::ObjectWrap<NativeTransport> {
 public:
  static void Register(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(env, "NativeTransport",
                                     {InstanceMethod("addFrames", &NativeTransport::AddFrames),
                                      InstanceMethod("partial", &NativeTransport::Partial),
                                      InstanceMethod("memoryBytes", &NativeTransport::MemoryBytes)});
    exports.Set("NativeTransport", cls);
  }

  // new NativeTransport({species: Int32Array, nspecies, charges, weights?, pointsPerLevel?, decimation?,
  //                      maxLevels?, maxLag?, targetBlocks?, removeCom?, threads?})
  explicit NativeTransport(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeTransport>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "NativeTransport(options)");
    Napi::Object o = info[0].As<Napi::Object>();
    if (!o.Get("species").IsTypedArray() || o.Get("species").As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw Napi::TypeError::New(env, "species must be an Int32Array");
    Napi::Int32Array sp = o.Get("species").As<Napi::Int32Array>();
    std::vector<int> species(sp.Data(), sp.Data() + sp.ElementLength());
    std::vector<double> weights;
    if (o.Has("weights") && !o.Get("weights").IsUndefined() && !o.Get("weights").IsNull())
      weights = from_float64(o.Get("weights"), "weights");
    TransportOptions opt;
    auto number = [&](const char* key, auto& field) {
      if (o.Has(key) && o.Get(key).IsNumber())
        field = static_cast<std::remove_reference_t<decltype(field)>>(o.Get(key).As<Napi::Number>().Int64Value());
    };
    number("pointsPerLevel", opt.points_per_level);
    number("decimation", opt.decimation);
    number("maxLevels", opt.max_levels);
    number("maxLag", opt.max_lag);
    number("targetBlocks", opt.target_blocks);
    number("threads", opt.threads);
    number("firstFrame", opt.first_frame);
    number("ownFrom", opt.own_from);
    number("blockLength", opt.block_length);
    opt.remove_com = o.Has("removeCom") && o.Get("removeCom").ToBoolean();
    try {
      acc_ = std::make_unique<TransportAccumulator>(std::move(species),
                                                    static_cast<std::size_t>(o.Get("nspecies").ToNumber().Int64Value()),
                                                    from_float64(o.Get("charges"), "charges"), std::move(weights), opt);
    } catch (...) {
      throw error_from_current_exception(env);
    }
  }

 private:
  class AddWorker : public Napi::AsyncWorker {
   public:
    AddWorker(Napi::Env env, NativeTransport* owner, Napi::Object owner_ref, Napi::Float64Array positions,
              Napi::Value volumes, std::size_t frames)
        : Napi::AsyncWorker(env), owner_(owner), frames_(frames), deferred_(Napi::Promise::Deferred::New(env)) {
      // Zero-copy: the worker reads the caller's arrays; the references keep them alive.
      owner_ref_ = Napi::Persistent(owner_ref);
      positions_ref_ = Napi::Persistent(positions.As<Napi::Object>());
      xyz_ = positions.Data();
      if (volumes.IsTypedArray()) {
        Napi::Float64Array v = volumes.As<Napi::Float64Array>();
        volumes_ref_ = Napi::Persistent(v.As<Napi::Object>());
        volumes_ = v.Data();
      }
    }
    Napi::Promise promise() { return deferred_.Promise(); }
    void Execute() override {
      try {
        std::lock_guard<std::mutex> lock(owner_->mutex_);  // frames must enter in order, one batch at a time
        owner_->acc_->add_frames(xyz_, volumes_, frames_);
      } catch (...) {
        error_ = std::current_exception();
      }
    }
    void OnOK() override {
      if (error_) deferred_.Reject(error_from_exception(Env(), error_).Value());
      else deferred_.Resolve(Env().Undefined());
    }

   private:
    NativeTransport* owner_;
    Napi::ObjectReference owner_ref_, positions_ref_, volumes_ref_;
    const double* xyz_ = nullptr;
    const double* volumes_ = nullptr;
    std::size_t frames_;
    Napi::Promise::Deferred deferred_;
    std::exception_ptr error_;
  };

  // addFrames(positions: Float64Array (frames*natoms*3), volumes: Float64Array | null, frames): Promise<void>
  // The caller must not modify the arrays until the promise settles.
  Napi::Value AddFrames(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsTypedArray() || !info[2].IsNumber())
      throw Napi::TypeError::New(env, "addFrames(positions, volumes, frames)");
    Napi::TypedArray t = info[0].As<Napi::TypedArray>();
    if (t.TypedArrayType() != napi_float64_array) throw Napi::TypeError::New(env, "positions must be a Float64Array");
    Napi::Float64Array positions = info[0].As<Napi::Float64Array>();
    const std::size_t frames = static_cast<std::size_t>(info[2].As<Napi::Number>().Int64Value());
    if (positions.ElementLength() != frames * acc_->natoms() * 3)
      throw Napi::TypeError::New(env, "positions: expected " + std::to_string(frames * acc_->natoms() * 3) + " numbers (" +
                                          std::to_string(frames) + " frames of " + std::to_string(acc_->natoms()) +
                                          " atoms), got " + std::to_string(positions.ElementLength()));
    if (info[1].IsTypedArray() && (info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
                                   info[1].As<Napi::Float64Array>().ElementLength() != frames))
      throw Napi::TypeError::New(env, "volumes must be a Float64Array with one entry per frame");
    auto* worker = new AddWorker(env, this, info.This().As<Napi::Object>(), positions, info[1], frames);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
  }

  Napi::Value Partial(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> lock(mutex_);
    return partial_object(info.Env(), acc_->partial());
  }

  Napi::Value MemoryBytes(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> lock(mutex_);
    return Napi::Number::New(info.Env(), static_cast<double>(acc_->memory_bytes()));
  }

  std::unique_ptr<TransportAccumulator> acc_;
  std::mutex mutex_;
};

// mergeTransportPartials(a, b): a new partial holding both (exact; see TransportPartial::merge).
Napi::Value MergeTransportPartials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2) throw Napi::TypeError::New(env, "mergeTransportPartials(a, b)");
  TransportPartial a = partial_from_object(info[0]);
  const TransportPartial b = partial_from_object(info[1]);
  try {
    a.merge(b);
  } catch (...) {
    throw error_from_current_exception(env);
  }
  return partial_object(env, a);
}

// transportBlockLength(frames, targetBlocks): the block length a single run ends with.
Napi::Value TransportBlockLength(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) throw Napi::TypeError::New(env, "transportBlockLength(frames, targetBlocks)");
  const long long frames = info[0].As<Napi::Number>().Int64Value();
  const long long target = info[1].As<Napi::Number>().Int64Value();
  if (frames < 0 || target < 1) throw Napi::RangeError::New(env, "transportBlockLength: frames >= 0 and targetBlocks >= 1");
  return Napi::Number::New(env, static_cast<double>(transport_block_length(frames, static_cast<std::size_t>(target))));
}

}  // namespace

void register_transport(Napi::Env env, Napi::Object exports) {
  NativeTransport::Register(env, exports);
  exports.Set("mergeTransportPartials", Napi::Function::New(env, MergeTransportPartials));
  exports.Set("transportBlockLength", Napi::Function::New(env, TransportBlockLength));
}

}  // namespace ionfield::binding
