#pragma once
// A tiny assertion helper for the native unit tests: each test_*.cpp is one executable that
// prints failures with file:line and exits non-zero if any check failed (run by test/native.test.ts).
#include <cmath>
#include <cstdio>
#include <string>

namespace check {
inline int failures = 0;
inline int passes = 0;
inline void report(bool ok, const char* expr, const char* file, int line, const std::string& note = "") {
  if (ok) {
    ++passes;
  } else {
    ++failures;
    std::fprintf(stderr, "%s:%d: check failed: %s %s\n", file, line, expr, note.c_str());
  }
}
inline int summary(const char* name) {
  std::printf("%s: %d passed, %d failed\n", name, passes, failures);
  return failures == 0 ? 0 : 1;
}
}  // namespace check

#define CHECK(expr) check::report(static_cast<bool>(expr), #expr, __FILE__, __LINE__)
#define CHECK_NEAR(a, b, tol)                                                                          \
  check::report(std::fabs((a) - (b)) <= (tol), #a " ~ " #b, __FILE__, __LINE__,                      \
                "(" + std::to_string(a) + " vs " + std::to_string(b) + ", tol " + std::to_string(tol) + ")")
#define CHECK_THROWS(stmt)                   \
  do {                                       \
    bool thrown_ = false;                    \
    try {                                    \
      stmt;                                  \
    } catch (...) {                          \
      thrown_ = true;                        \
    }                                        \
    check::report(thrown_, "throws: " #stmt, __FILE__, __LINE__); \
  } while (0)
