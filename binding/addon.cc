// The Node addon: registers each binding area (one file per native area).
#include <napi.h>

#include "module.hpp"

namespace {
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ionfield::binding::register_trajectory(env, exports);
  ionfield::binding::register_device(env, exports);
  ionfield::binding::register_transport(env, exports);
  ionfield::binding::register_kinosons(env, exports);
  ionfield::binding::register_descriptors(env, exports);
  ionfield::binding::register_analysis(env, exports);
  ionfield::binding::register_nn(env, exports);
  ionfield::binding::register_dataset(env, exports);
  ionfield::binding::register_cancel(env, exports);
  ionfield::binding::register_molecules(env, exports);
  return exports;
}
}  // namespace

NODE_API_MODULE(ionfield, Init)
