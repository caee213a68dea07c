#pragma once
// The JS side of native cancellation (ionfield/cancel.hpp): a CancelToken object that lib/abort.ts
// creates per call and cancels when the caller's AbortSignal fires. Workers keep a shared_ptr to
// the flag, so it outlives both the JS object and the worker, whichever goes first.
#include <napi.h>

#include <atomic>
#include <memory>

namespace ionfield::binding {

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// The flag of a CancelToken argument; a fresh, never-set flag for undefined (not cancellable).
CancelFlag cancel_flag_from(const Napi::Value& value);

}  // namespace ionfield::binding
