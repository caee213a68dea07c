#pragma once
// Turns native exceptions into JS errors that keep the structured location of bad input.
#include <napi.h>

#include <exception>
#include <functional>

#include "ionfield/error.hpp"

namespace ionfield::binding {

// A JS Error for the exception currently being handled (call inside a catch block).
Napi::Error error_from_current_exception(Napi::Env env);
// Same, from a captured exception pointer (AsyncWorker reports errors on the main thread).
Napi::Error error_from_exception(Napi::Env env, const std::exception_ptr& error);

}  // namespace ionfield::binding
