#pragma once
// Cooperative cancellation of long native work. The caller (the Node binding) owns an atomic flag
// and installs it for the current thread with CancelScope; long loops call check_cancelled(),
// which throws Cancelled once the flag is set. lattice::parallel_for hands the calling thread's
// flag to its worker threads, so loops inside parallel regions see it too. Code run without a
// scope is never cancelled (the flag pointer is null), so plain C++ users pay one load per check.
#include <atomic>
#include <stdexcept>

namespace ionfield {

struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

// The flag of the work running on this thread (null: not cancellable).
inline const std::atomic<bool>*& current_cancel_flag() {
  thread_local const std::atomic<bool>* flag = nullptr;
  return flag;
}

inline bool cancel_requested() {
  const std::atomic<bool>* f = current_cancel_flag();
  return f != nullptr && f->load(std::memory_order_relaxed);
}

inline void check_cancelled() {
  if (cancel_requested()) throw Cancelled();
}

// Installs a flag for this thread for the scope's lifetime (restores the previous one after).
class CancelScope {
 public:
  explicit CancelScope(const std::atomic<bool>* flag) : previous_(current_cancel_flag()) { current_cancel_flag() = flag; }
  ~CancelScope() { current_cancel_flag() = previous_; }
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

 private:
  const std::atomic<bool>* previous_;
};

}  // namespace ionfield
