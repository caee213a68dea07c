// JS access to neighbour lists and symmetry functions. Inputs are copied from TypedArrays on the
// main thread; the work runs in an AsyncWorker and resolves a Promise with TypedArrays (the neighbour
// list's arrays adopt the native vectors' storage, adopt.hpp).
#include <napi.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "adopt.hpp"
#include "errors.hpp"
#include "ionfield/descriptors.hpp"
#include "ionfield/neighbors.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

template <typename A>
A typed(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a typed array");
  return v.As<A>();
}

double number(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

bool boolean(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}

// boxes: frames*9 (NaN or null: no box: open boundaries); origins: frames*3; periodic: [bool,bool,bool]
std::vector<Box> boxes_from(const Napi::Object& o, std::size_t frames) {
  std::vector<Box> boxes(frames);
  Napi::Value bv = o.Get("boxes");
  std::array<bool, 3> periodic{true, true, true};
  if (o.Get("periodic").IsArray()) {
    Napi::Array p = o.Get("periodic").As<Napi::Array>();
    for (uint32_t k = 0; k < 3 && k < p.Length(); ++k) periodic[k] = p.Get(k).ToBoolean();
  }
  const Napi::Float64Array origins = o.Get("origins").IsTypedArray() ? o.Get("origins").As<Napi::Float64Array>() : Napi::Float64Array();
  for (std::size_t f = 0; f < frames; ++f) {
    Box& b = boxes[f];
    bool has = bv.IsTypedArray();
    if (has) {
      const Napi::Float64Array h = bv.As<Napi::Float64Array>();
      if (h.ElementLength() < 9 * frames) throw Napi::TypeError::New(o.Env(), "boxes must hold 9 numbers per frame");
      for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 3; ++k) {
          b.h[i][k] = h[9 * f + 3 * i + k];
          if (!std::isfinite(b.h[i][k])) has = false;
        }
    }
    if (!origins.IsEmpty() && origins.ElementLength() >= 3 * (f + 1))
      for (int k = 0; k < 3; ++k) b.origin[k] = origins[3 * f + k];
    b.periodic = has ? periodic : std::array<bool, 3>{false, false, false};
  }
  return boxes;
}

DescriptorSet set_from(const Napi::Object& o) {
  DescriptorSet set;
  set.nspecies = static_cast<int>(number(o, "nspecies", 0));
  Napi::Value fv = o.Get("functions");
  if (!fv.IsArray()) throw Napi::TypeError::New(o.Env(), "set.functions must be an array");
  Napi::Array fs = fv.As<Napi::Array>();
  for (uint32_t k = 0; k < fs.Length(); ++k) {
    Napi::Object f = fs.Get(k).As<Napi::Object>();
    SymmetryFunction s;
    s.type = static_cast<SymmetryFunctionType>(static_cast<int>(number(f, "type", 2)));
    s.centre = static_cast<int>(number(f, "centre", -1));
    s.neighbour1 = static_cast<int>(number(f, "neighbour1", -1));
    s.neighbour2 = static_cast<int>(number(f, "neighbour2", -1));
    s.eta = number(f, "eta", 0);
    s.rs = number(f, "rs", 0);
    s.zeta = number(f, "zeta", 1);
    s.lambda = number(f, "lambda", 1);
    s.cutoff = number(f, "cutoff", 0);
    s.cutoff_function = static_cast<CutoffFunction>(static_cast<int>(number(f, "cutoffFunction", 0)));
    set.functions.push_back(s);
  }
  return set;
}

class DescriptorWorker : public Napi::AsyncWorker {
 public:
  DescriptorWorker(Napi::Env env, DescriptorSet set, std::vector<double> positions, std::size_t frames, std::size_t natoms,
                   std::vector<Box> boxes, std::vector<int32_t> species, std::vector<int32_t> rows, DescriptorOptions options,
                   bool cuda, bool single)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), set_(std::move(set)), positions_(std::move(positions)),
        frames_(frames), natoms_(natoms), boxes_(std::move(boxes)), species_(std::move(species)), rows_(std::move(rows)),
        options_(options), cuda_(cuda), single_(single) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      DescriptorInput in;
      in.positions = positions_.data();
      in.frames = frames_;
      in.natoms = natoms_;
      in.boxes = boxes_.data();
      in.species = species_.data();
      in.rows = rows_.data();
      in.nrows = rows_.size();
      in.stride = static_cast<std::size_t>(set_.max_features());
      const std::size_t size = in.stride * in.nrows * in.frames;
      if (single_) {
        f32_.resize(size);
        if (cuda_) compute_descriptors_cuda(set_, in, f32_.data());
        else compute_descriptors(set_, in, f32_.data(), options_);
      } else {
        f64_.resize(size);
        if (cuda_) compute_descriptors_cuda(set_, in, f64_.data());
        else compute_descriptors(set_, in, f64_.data(), options_);
      }
    } catch (...) {
      error_ = std::current_exception();
      SetError("descriptors failed");
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (single_) {
      Napi::Float32Array a = Napi::Float32Array::New(env, f32_.size());
      if (!f32_.empty()) std::memcpy(a.Data(), f32_.data(), f32_.size() * sizeof(float));
      deferred_.Resolve(a);
    } else {
      Napi::Float64Array a = Napi::Float64Array::New(env, f64_.size());
      if (!f64_.empty()) std::memcpy(a.Data(), f64_.data(), f64_.size() * sizeof(double));
      deferred_.Resolve(a);
    }
  }
  void OnError(const Napi::Error&) override { deferred_.Reject(error_from_exception(Env(), error_).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  DescriptorSet set_;
  std::vector<double> positions_;
  std::size_t frames_, natoms_;
  std::vector<Box> boxes_;
  std::vector<int32_t> species_, rows_;
  DescriptorOptions options_;
  bool cuda_, single_;
  std::vector<float> f32_;
  std::vector<double> f64_;
  std::exception_ptr error_;
};

// computeDescriptors(set, frames {positions, frames, natoms, boxes, origins, periodic}, species, rows, options)
Napi::Value ComputeDescriptors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsObject() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "computeDescriptors(set, frames, species, rows, options)");
  const Napi::Object frames = info[1].As<Napi::Object>();
  const std::size_t nframes = static_cast<std::size_t>(number(frames, "frames", 0));
  const std::size_t natoms = static_cast<std::size_t>(number(frames, "natoms", 0));
  const Napi::Float64Array pos = typed<Napi::Float64Array>(frames, "positions");
  if (pos.ElementLength() < 3 * natoms * nframes) throw Napi::TypeError::New(env, "positions must hold frames * natoms * 3 numbers");
  if (!info[2].IsTypedArray() || !info[3].IsTypedArray()) throw Napi::TypeError::New(env, "species and rows must be Int32Arrays");
  const Napi::Int32Array sp = info[2].As<Napi::Int32Array>(), rows = info[3].As<Napi::Int32Array>();
  if (sp.ElementLength() != natoms) throw Napi::TypeError::New(env, "species must hold one index per atom");
  DescriptorOptions options;
  bool cuda = false, single = true;
  if (info.Length() > 4 && info[4].IsObject()) {
    Napi::Object o = info[4].As<Napi::Object>();
    options.threads = static_cast<int>(number(o, "threads", 0));
    options.separable_g5 = boolean(o, "separableG5", true);
    options.shift_recurrence = boolean(o, "shiftRecurrence", true);
    cuda = o.Get("device").IsString() && o.Get("device").As<Napi::String>().Utf8Value() == "cuda";
    single = !(o.Get("precision").IsString() && o.Get("precision").As<Napi::String>().Utf8Value() == "float64");
  }
  DescriptorSet set = set_from(info[0].As<Napi::Object>());
  auto* worker = new DescriptorWorker(env, std::move(set), std::vector<double>(pos.Data(), pos.Data() + 3 * natoms * nframes), nframes,
                                      natoms, boxes_from(frames, nframes), std::vector<int32_t>(sp.Data(), sp.Data() + natoms),
                                      std::vector<int32_t>(rows.Data(), rows.Data() + rows.ElementLength()), options, cuda, single);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

class NeighborWorker : public Napi::AsyncWorker {
 public:
  NeighborWorker(Napi::Env env, std::vector<double> positions, Box box, NeighborOptions options, bool cuda)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), positions_(std::move(positions)), box_(box),
        options_(options), cuda_(cuda) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      const std::size_t n = positions_.size() / 3;
      const auto t0 = std::chrono::steady_clock::now();
      list_ = cuda_ ? neighbor_list_cuda(positions_.data(), n, box_, options_) : neighbor_list(positions_.data(), n, box_, options_);
      seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } catch (...) {
      error_ = std::current_exception();
      SetError("neighbour list failed");
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    // The native vectors become the arrays' storage (no copy): at 10^6 ions the half list alone is
    // gigabytes, and a copy doubled the peak memory and added its own time.
    o.Set("first", adopt_vector<Napi::Int32Array>(env, std::move(list_.first)));
    o.Set("second", adopt_vector<Napi::Int32Array>(env, std::move(list_.second)));
    o.Set("shifts", adopt_vector<Napi::Int32Array>(env, std::move(list_.shifts)));
    o.Set("distances", adopt_vector<Napi::Float64Array>(env, std::move(list_.distances)));
    o.Set("vectors", adopt_vector<Napi::Float64Array>(env, std::move(list_.vectors)));
    o.Set("seconds", seconds_);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error&) override { deferred_.Reject(error_from_exception(Env(), error_).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<double> positions_;
  Box box_;
  NeighborOptions options_;
  bool cuda_;
  NeighborList list_;
  double seconds_ = 0;
  std::exception_ptr error_;
};

// neighborList({positions, boxes (9), origins (3), periodic}, {cutoff, full, threads, distances, vectors, device})
Napi::Value NeighborListJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsObject()) throw Napi::TypeError::New(env, "neighborList(frame, options)");
  const Napi::Object frame = info[0].As<Napi::Object>(), o = info[1].As<Napi::Object>();
  const Napi::Float64Array pos = typed<Napi::Float64Array>(frame, "positions");
  NeighborOptions options;
  options.cutoff = number(o, "cutoff", 0);
  options.full = boolean(o, "full", false);
  options.threads = static_cast<int>(number(o, "threads", 0));
  options.distances = boolean(o, "distances", true);
  options.vectors = boolean(o, "vectors", true);
  const bool cuda = o.Get("device").IsString() && o.Get("device").As<Napi::String>().Utf8Value() == "cuda";
  const Box box = boxes_from(frame, 1)[0];
  auto* worker = new NeighborWorker(env, std::vector<double>(pos.Data(), pos.Data() + pos.ElementLength()), box, options, cuda);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

// Verlet-skin reuse across frames (synchronous: one frame's update at a time).
class NativeVerlet : public Napi::ObjectWrap<NativeVerlet> {
 public:
  static void Register(Napi::Env env, Napi::Object exports) {
    exports.Set("NativeVerlet", DefineClass(env, "NativeVerlet", {InstanceMethod("update", &NativeVerlet::Update)}));
  }
  explicit NativeVerlet(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeVerlet>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "NativeVerlet({cutoff, skin, full, threads})");
    const Napi::Object o = info[0].As<Napi::Object>();
    NeighborOptions options;
    options.cutoff = number(o, "cutoff", 0);
    options.full = boolean(o, "full", false);
    options.threads = static_cast<int>(number(o, "threads", 0));
    try {
      verlet_ = std::make_unique<VerletNeighbors>(options, number(o, "skin", 0));
    } catch (...) {
      throw error_from_current_exception(env);
    }
  }

 private:
  Napi::Value Update(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "update({positions, boxes, periodic})");
    const Napi::Object frame = info[0].As<Napi::Object>();
    const Napi::Float64Array pos = typed<Napi::Float64Array>(frame, "positions");
    const Box box = boxes_from(frame, 1)[0];
    try {
      const auto t0 = std::chrono::steady_clock::now();
      const NeighborList& list = verlet_->update(pos.Data(), pos.ElementLength() / 3, box);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      Napi::Object o = Napi::Object::New(env);
      o.Set("pairs", static_cast<double>(list.size()));
      o.Set("rebuilt", verlet_->last_rebuilt());
      o.Set("seconds", seconds);
      return o;
    } catch (...) {
      throw error_from_current_exception(env);
    }
  }
  std::unique_ptr<VerletNeighbors> verlet_;
};

Napi::Value GpuStatus(const Napi::CallbackInfo& info) {
  std::string why;
  Napi::Object o = Napi::Object::New(info.Env());
  const bool ok = cuda_descriptors_available(&why);
  o.Set("available", ok);
  o.Set("reason", ok ? "" : why);
  return o;
}

}  // namespace

void register_descriptors(Napi::Env env, Napi::Object exports) {
  exports.Set("computeDescriptors", Napi::Function::New(env, ComputeDescriptors, "computeDescriptors"));
  exports.Set("neighborList", Napi::Function::New(env, NeighborListJs, "neighborList"));
  NativeVerlet::Register(env, exports);
  exports.Set("descriptorsGpu", Napi::Function::New(env, GpuStatus, "descriptorsGpu"));
}

}  // namespace ionfield::binding
