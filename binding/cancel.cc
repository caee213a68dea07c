// CancelToken: { cancel(), cancelled } around an atomic flag that native loops poll.
#include "cancel.hpp"

#include "module.hpp"

namespace ionfield::binding {
namespace {

// Marks CancelToken objects, so an argument is checked without a per-environment constructor.
constexpr napi_type_tag kCancelTokenTag = {0x696f6e6669656c64ULL, 0x63616e63656c7631ULL};

class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  static void Register(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(env, "CancelToken",
                                     {InstanceMethod("cancel", &CancelToken::Cancel),
                                      InstanceAccessor("cancelled", &CancelToken::Cancelled, nullptr)});
    exports.Set("CancelToken", cls);
  }

  explicit CancelToken(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelToken>(info), flag_(std::make_shared<std::atomic<bool>>(false)) {
    info.This().As<Napi::Object>().TypeTag(&kCancelTokenTag);
  }

  CancelFlag flag() const { return flag_; }

 private:
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    flag_->store(true);
    return info.Env().Undefined();
  }
  Napi::Value Cancelled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), flag_->load()); }

  CancelFlag flag_;
};

}  // namespace

CancelFlag cancel_flag_from(const Napi::Value& value) {
  if (value.IsObject() && value.As<Napi::Object>().CheckTypeTag(&kCancelTokenTag))
    return CancelToken::Unwrap(value.As<Napi::Object>())->flag();
  if (!value.IsUndefined() && !value.IsNull()) throw Napi::TypeError::New(value.Env(), "expected a CancelToken");
  return std::make_shared<std::atomic<bool>>(false);
}

void register_cancel(Napi::Env env, Napi::Object exports) { CancelToken::Register(env, exports); }

}  // namespace ionfield::binding
