#pragma once
// Native result vectors handed to JavaScript without a copy: the std::vector moves into a heap
// holder whose storage backs an external ArrayBuffer, and the buffer's finalizer deletes the holder
// when V8 collects it. V8 counts the buffer's bytes as external memory, so large results still
// prompt a collection. Where external buffers are not allowed (a V8 sandbox, as in Electron) the
// values are copied instead, as before. Node does not detach external buffers: listing one in a
// postMessage transfer list copies it (the sender keeps its array).
#include <napi.h>

#include <cstring>
#include <memory>
#include <utility>
#include <vector>

namespace ionfield::binding {

template <typename Array, typename T, typename Alloc>
Array adopt_vector(Napi::Env env, std::vector<T, Alloc>&& values) {
  using Vector = std::vector<T, Alloc>;
  const std::size_t n = values.size();
  if (n == 0) return Array::New(env, 0);
  auto holder = std::make_unique<Vector>(std::move(values));
  napi_value buffer = nullptr;
  const napi_status status = napi_create_external_arraybuffer(
      env, holder->data(), n * sizeof(T), [](napi_env, void*, void* hint) { delete static_cast<Vector*>(hint); },
      holder.get(), &buffer);
  if (status == napi_ok) {
    holder.release();  // the buffer's finalizer owns it now
    return Array::New(env, n, Napi::ArrayBuffer(env, buffer), 0);
  }
  Array copy = Array::New(env, n);
  std::memcpy(copy.Data(), holder->data(), n * sizeof(T));
  return copy;
}

}  // namespace ionfield::binding
