#pragma once
// Thread-count handling shared by the CPU kernels. OpenMP is used when CMake finds it (it does with
// GCC and Clang on Linux); without it every kernel runs serially, with the same results.
#ifdef _OPENMP
#include <omp.h>
#endif

namespace ionfield::detail {

inline int resolve_threads(int requested) {
#ifdef _OPENMP
  return requested > 0 ? requested : omp_get_max_threads();
#else
  (void)requested;
  return 1;
#endif
}

inline int thread_id() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

}  // namespace ionfield::detail
