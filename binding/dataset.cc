// JS access to the local molar conductivity of one origin (native/include/ionfield/dataset.hpp).
// Synchronous: the work is O(atoms) per call, far less than the descriptors computed beside it.
#include <napi.h>

#include <string>

#include "ionfield/dataset.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

Napi::Float64Array f64(const Napi::CallbackInfo& info, std::size_t k, const char* name) {
  if (info.Length() <= k || !info[k].IsTypedArray() || info[k].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(info.Env(), std::string("localConductivity: ") + name + " must be a Float64Array");
  return info[k].As<Napi::Float64Array>();
}

// localConductivity(r0, r1, charges, K, tau) -> { lambda: Float64Array, j2, lambdaSum }
Napi::Value LocalConductivity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto r0 = f64(info, 0, "r0"), r1 = f64(info, 1, "r1"), q = f64(info, 2, "charges");
  if (info.Length() < 5 || !info[3].IsNumber() || !info[4].IsNumber())
    throw Napi::TypeError::New(env, "localConductivity(r0, r1, charges, K, tau)");
  const std::size_t n = q.ElementLength();
  if (r0.ElementLength() != 3 * n || r1.ElementLength() != 3 * n)
    throw Napi::RangeError::New(env, "localConductivity: positions must hold 3 values per charge");
  auto lambda = Napi::Float64Array::New(env, n);
  dataset::OriginResult r;
  try {
    r = dataset::local_conductivity(r0.Data(), r1.Data(), q.Data(), n, info[3].As<Napi::Number>().DoubleValue(),
                                    info[4].As<Napi::Number>().DoubleValue(), lambda.Data());
  } catch (const std::exception& e) {
    throw Napi::RangeError::New(env, e.what());
  }
  auto out = Napi::Object::New(env);
  out.Set("lambda", lambda);
  out.Set("j2", r.j2);
  out.Set("lambdaSum", r.lambda_sum);
  return out;
}

// localConductivityDifference(r0, ra, rb, charges, K, tauA, tauB) -> { lambda, j2 (= |J_b|² − |J_a|²), lambdaSum }
Napi::Value LocalConductivityDifference(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto r0 = f64(info, 0, "r0"), ra = f64(info, 1, "ra"), rb = f64(info, 2, "rb"), q = f64(info, 3, "charges");
  if (info.Length() < 7 || !info[4].IsNumber() || !info[5].IsNumber() || !info[6].IsNumber())
    throw Napi::TypeError::New(env, "localConductivityDifference(r0, ra, rb, charges, K, tauA, tauB)");
  const std::size_t n = q.ElementLength();
  if (r0.ElementLength() != 3 * n || ra.ElementLength() != 3 * n || rb.ElementLength() != 3 * n)
    throw Napi::RangeError::New(env, "localConductivityDifference: positions must hold 3 values per charge");
  auto lambda = Napi::Float64Array::New(env, n);
  dataset::OriginResult r;
  try {
    r = dataset::local_conductivity_difference(r0.Data(), ra.Data(), rb.Data(), q.Data(), n, info[4].As<Napi::Number>().DoubleValue(),
                                               info[5].As<Napi::Number>().DoubleValue(), info[6].As<Napi::Number>().DoubleValue(), lambda.Data());
  } catch (const std::exception& e) {
    throw Napi::RangeError::New(env, e.what());
  }
  auto out = Napi::Object::New(env);
  out.Set("lambda", lambda);
  out.Set("j2", r.j2);
  out.Set("lambdaSum", r.lambda_sum);
  return out;
}

}  // namespace

void register_dataset(Napi::Env env, Napi::Object exports) {
  exports.Set("localConductivity", Napi::Function::New(env, LocalConductivity, "localConductivity"));
  exports.Set("localConductivityDifference", Napi::Function::New(env, LocalConductivityDifference, "localConductivityDifference"));
}

}  // namespace ionfield::binding
