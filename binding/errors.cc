#include "errors.hpp"

#include <string>

#include "ionfield/cancel.hpp"

namespace ionfield::binding {

Napi::Error error_from_exception(Napi::Env env, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const ParseError& e) {
    Napi::Error js = Napi::Error::New(env, e.what());
    js.Set("code", "IONFIELD_BAD_INPUT");
    js.Set("file", e.file());
    if (e.frame() >= 0) js.Set("frame", Napi::Number::New(env, static_cast<double>(e.frame())));
    if (e.line() > 0) js.Set("line", Napi::Number::New(env, static_cast<double>(e.line())));
    if (e.byte_offset() >= 0) js.Set("offset", Napi::Number::New(env, static_cast<double>(e.byte_offset())));
    js.Set("detail", e.detail());
    return js;
  } catch (const Cancelled& e) {
    // lib/abort.ts replaces this with the AbortSignal's reason; the code is for direct addon users.
    Napi::Error js = Napi::Error::New(env, e.what());
    js.Set("code", "IONFIELD_CANCELLED");
    return js;
  } catch (const UsageError& e) {
    Napi::Error js = Napi::TypeError::New(env, e.what());
    js.Set("code", "IONFIELD_USAGE");
    return js;
  } catch (const std::exception& e) {
    Napi::Error js = Napi::Error::New(env, e.what());
    js.Set("code", "IONFIELD_NATIVE");
    return js;
  } catch (...) {
    return Napi::Error::New(env, "unknown native error");
  }
}

Napi::Error error_from_current_exception(Napi::Env env) { return error_from_exception(env, std::current_exception()); }

}  // namespace ionfield::binding
