// JS access to the analysis pair kernels: a batch of frames per call, run on a worker thread.
// Glue only: argument checks, zero-copy views, per-frame calls into native/src/analysis.
#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "errors.hpp"
#include "ionfield/analysis.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

// Runs `work` off the main thread; `finish` turns its result into JS on the main thread.
class TaskWorker : public Napi::AsyncWorker {
 public:
  TaskWorker(Napi::Env env, std::vector<Napi::Value> keep, std::function<void()> work,
             std::function<Napi::Value(Napi::Env)> finish)
      : Napi::AsyncWorker(env), work_(std::move(work)), finish_(std::move(finish)), deferred_(Napi::Promise::Deferred::New(env)) {
    for (auto& v : keep) refs_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      work_();
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  void OnOK() override {
    if (error_) deferred_.Reject(error_from_exception(Env(), error_).Value());
    else deferred_.Resolve(finish_(Env()));
  }

 private:
  std::function<void()> work_;
  std::function<Napi::Value(Napi::Env)> finish_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> refs_;
  std::exception_ptr error_;
};

template <typename Array>
Array typed(const Napi::Object& o, const char* key, napi_typedarray_type type, std::size_t length) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(o.Env(), std::string(key) + " has the wrong array type");
  Array a = v.As<Array>();
  if (a.ElementLength() != length)
    throw Napi::TypeError::New(o.Env(), std::string(key) + ": expected " + std::to_string(length) + " numbers, got " +
                                            std::to_string(a.ElementLength()));
  return a;
}

double number(const Napi::Object& o, const char* key) {
  if (!o.Get(key).IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  return o.Get(key).As<Napi::Number>().DoubleValue();
}

Box box_at(const double* boxes, std::size_t f) {
  Box b;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) b.h[r][c] = boxes[9 * f + 3 * r + c];
  return b;
}

// pairSums({positions, boxes, frames, natoms, species: Int32Array, nspecies, values?, rMax, bins})
//   -> Promise<{counts: Float64Array, products: Float64Array | null}>, frame-major [frame][a][b][bin]
Napi::Value PairSumsBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "pairSums(options)");
  Napi::Object o = info[0].As<Napi::Object>();
  const auto frames = static_cast<std::size_t>(number(o, "frames"));
  const auto natoms = static_cast<std::size_t>(number(o, "natoms"));
  const auto nspecies = static_cast<std::size_t>(number(o, "nspecies"));
  const auto bins = static_cast<std::size_t>(number(o, "bins"));
  const double r_max = number(o, "rMax");
  auto pos = typed<Napi::Float64Array>(o, "positions", napi_float64_array, frames * natoms * 3);
  auto boxes = typed<Napi::Float64Array>(o, "boxes", napi_float64_array, frames * 9);
  auto species = typed<Napi::Int32Array>(o, "species", napi_int32_array, natoms);
  const bool has_values = o.Get("values").IsTypedArray();
  const double* values = nullptr;
  std::vector<Napi::Value> keep{pos, boxes, species};
  if (has_values) {
    auto v = typed<Napi::Float64Array>(o, "values", napi_float64_array, frames * natoms);
    values = v.Data();
    keep.push_back(v);
  }
  const std::size_t per_frame = nspecies * nspecies * bins;
  auto counts = std::make_shared<std::vector<double>>(frames * per_frame);
  auto products = std::make_shared<std::vector<double>>(has_values ? frames * per_frame : 0);
  const double* xyz = pos.Data();
  const double* bx = boxes.Data();
  const int* sp = species.Data();
  auto* worker = new TaskWorker(
      env, keep,
      [=] {
        for (std::size_t f = 0; f < frames; ++f) {
          PairSums s = pair_sums(xyz + f * natoms * 3, natoms, box_at(bx, f), sp, nspecies,
                                 values ? values + f * natoms : nullptr, r_max, bins);
          std::copy(s.counts.begin(), s.counts.end(), counts->begin() + f * per_frame);
          if (values) std::copy(s.products.begin(), s.products.end(), products->begin() + f * per_frame);
        }
      },
      [=](Napi::Env e) -> Napi::Value {
        Napi::Object r = Napi::Object::New(e);
        auto c = Napi::Float64Array::New(e, counts->size());
        std::copy(counts->begin(), counts->end(), c.Data());
        r.Set("counts", c);
        if (has_values) {
          auto p = Napi::Float64Array::New(e, products->size());
          std::copy(products->begin(), products->end(), p.Data());
          r.Set("products", p);
        } else {
          r.Set("products", e.Null());
        }
        return r;
      });
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

// contactClusters({positions, boxes, frames, natoms, charges: Float64Array, cutoff})
//   -> Promise<{labels, counterIons}> (Int32Array frames * natoms): per atom, the lowest atom index
//      of its cluster and its number of counter-ions within the cutoff
Napi::Value ContactClustersBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "contactClusters(options)");
  Napi::Object o = info[0].As<Napi::Object>();
  const auto frames = static_cast<std::size_t>(number(o, "frames"));
  const auto natoms = static_cast<std::size_t>(number(o, "natoms"));
  const double cutoff = number(o, "cutoff");
  auto pos = typed<Napi::Float64Array>(o, "positions", napi_float64_array, frames * natoms * 3);
  auto boxes = typed<Napi::Float64Array>(o, "boxes", napi_float64_array, frames * 9);
  auto charges = typed<Napi::Float64Array>(o, "charges", napi_float64_array, natoms);
  auto labels = std::make_shared<std::vector<int>>(frames * natoms);
  auto counter = std::make_shared<std::vector<int>>(frames * natoms);
  const double* xyz = pos.Data();
  const double* bx = boxes.Data();
  const double* q = charges.Data();
  auto* worker = new TaskWorker(
      env, {pos, boxes, charges},
      [=] {
        for (std::size_t f = 0; f < frames; ++f) {
          ContactClusters c = contact_clusters(xyz + f * natoms * 3, natoms, box_at(bx, f), q, cutoff);
          std::copy(c.label.begin(), c.label.end(), labels->begin() + f * natoms);
          std::copy(c.counter_ions.begin(), c.counter_ions.end(), counter->begin() + f * natoms);
        }
      },
      [=](Napi::Env e) -> Napi::Value {
        Napi::Object r = Napi::Object::New(e);
        auto a = Napi::Int32Array::New(e, labels->size());
        std::copy(labels->begin(), labels->end(), a.Data());
        auto b = Napi::Int32Array::New(e, counter->size());
        std::copy(counter->begin(), counter->end(), b.Data());
        r.Set("labels", a);
        r.Set("counterIons", b);
        return r;
      });
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

}  // namespace

void register_analysis(Napi::Env env, Napi::Object exports) {
  exports.Set("pairSums", Napi::Function::New(env, PairSumsBatch, "pairSums"));
  exports.Set("contactClusters", Napi::Function::New(env, ContactClustersBatch, "contactClusters"));
}

}  // namespace ionfield::binding
