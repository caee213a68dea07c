#pragma once
// Runs fn(index) for index in [0, count) on a few std::threads, handing out indices one by one.
// Results must be stored per index by fn, so the outcome never depends on the thread count.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "ionfield/cancel.hpp"

namespace ionfield::lattice {

inline int resolve_threads(int requested, long long work_items) {
  int n = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return static_cast<int>(std::max<long long>(1, std::min<long long>(n, work_items)));
}

template <class Fn>
void parallel_for(long long count, int threads, Fn fn) {
  threads = resolve_threads(threads, count);
  std::atomic<long long> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  const std::atomic<bool>* cancel = current_cancel_flag();  // the caller's, handed to every thread
  auto worker = [&](int thread) {
    CancelScope scope(cancel);
    for (;;) {
      const long long i = next.fetch_add(1);
      if (i >= count) return;
      try {
        check_cancelled();
        fn(i, thread);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next.store(count);
      }
    }
  };
  if (threads == 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    for (auto& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace ionfield::lattice
