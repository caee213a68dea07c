// The text readers' number parsing (a fast exact path plus std::from_chars) must give the same
// double, bit for bit, as strtod for everything printf writes, and reject what is not a number.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "check.hpp"
#include "traj/line_reader.hpp"

using ionfield::detail::parse_double;
using ionfield::detail::parse_finite;
using ionfield::detail::parse_int64;

int main() {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> mantissa(-1, 1);
  std::uniform_int_distribution<int> exponent(-30, 30);
  const char* formats[] = {"%g", "%.10g", "%.17g", "%.8f", "%e", "%.16e", "%.3f"};
  int mismatches = 0, checked = 0;
  char text[64];
  for (int i = 0; i < 200000; ++i) {
    const double x = mantissa(rng) * std::pow(10.0, exponent(rng));
    for (const char* f : formats) {
      std::snprintf(text, sizeof text, f, x);
      double got = 0;
      const double want = std::strtod(text, nullptr);
      if (!parse_double(text, got) || std::memcmp(&got, &want, sizeof got) != 0) {
        if (++mismatches < 5) std::fprintf(stderr, "'%s': got %.17g want %.17g\n", text, got, want);
      }
      ++checked;
    }
  }
  CHECK(mismatches == 0);
  CHECK(checked == 1400000);
  double v = 0;
  for (const char* ok : {"0", "-0", "+1.5", "1.", ".5", "1e5", "1E+05", "-2.5e-3", "123456789012345678901234", "1e300", "4.9e-324"})
    CHECK(parse_double(ok, v));
  for (const char* bad : {"", "-", "+", ".", "e5", "1e", "1.2.3", "1,5", "0x10", "1 ", " 1", "abc", "1e5x"}) {
    CHECK(!parse_double(bad, v));
  }
  CHECK(parse_double("nan", v) && !parse_finite("nan", v));
  CHECK(parse_double("-inf", v) && !parse_finite("-inf", v));
  long long n = 0;
  CHECK(parse_int64("-42", n) && n == -42);
  CHECK(parse_int64("+7", n) && n == 7);
  CHECK(parse_int64("9223372036854775807", n) && n == 9223372036854775807LL);
  for (const char* bad : {"", "-", "+", "1.0", "9223372036854775808", "12a", " 1"}) CHECK(!parse_int64(bad, n));
  return check::summary("test_traj_numbers");
}
