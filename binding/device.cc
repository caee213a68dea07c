#include <napi.h>

#include "ionfield/device.hpp"
#include "module.hpp"

namespace ionfield::binding {
namespace {

Napi::Value QueryDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const DeviceReport r = query_devices();
  Napi::Object o = Napi::Object::New(env);
  o.Set("builtWithCuda", r.built_with_cuda);
  Napi::Array gpus = Napi::Array::New(env, r.gpus.size());
  for (std::size_t i = 0; i < r.gpus.size(); ++i) {
    Napi::Object g = Napi::Object::New(env);
    g.Set("index", r.gpus[i].index);
    g.Set("name", r.gpus[i].name);
    g.Set("computeCapability", std::to_string(r.gpus[i].compute_major) + "." + std::to_string(r.gpus[i].compute_minor));
    g.Set("memoryGiB", r.gpus[i].memory_gib);
    gpus.Set(static_cast<uint32_t>(i), g);
  }
  o.Set("gpus", gpus);
  o.Set("note", r.note);
  o.Set("compiler", r.compiler);
  o.Set("cudaCompiler", r.cuda_compiler);
  o.Set("cudaRuntimeVersion", r.cuda_runtime_version);
  o.Set("cudaDriverVersion", r.cuda_driver_version);
  return o;
}

}  // namespace

void register_device(Napi::Env env, Napi::Object exports) {
  exports.Set("queryDevices", Napi::Function::New(env, QueryDevices));
}

}  // namespace ionfield::binding
