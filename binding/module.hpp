#pragma once
// One registration function per binding file; addon.cc calls them all.
#include <napi.h>

namespace ionfield::binding {
void register_trajectory(Napi::Env env, Napi::Object exports);
void register_device(Napi::Env env, Napi::Object exports);
void register_transport(Napi::Env env, Napi::Object exports);
void register_kinosons(Napi::Env env, Napi::Object exports);
void register_descriptors(Napi::Env env, Napi::Object exports);
void register_analysis(Napi::Env env, Napi::Object exports);
void register_nn(Napi::Env env, Napi::Object exports);
void register_dataset(Napi::Env env, Napi::Object exports);
void register_cancel(Napi::Env env, Napi::Object exports);
void register_molecules(Napi::Env env, Napi::Object exports);
}  // namespace ionfield::binding
