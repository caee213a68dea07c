#pragma once
// Elementary functions written as branch-free polynomials so that the CPU loops over neighbours
// vectorise (glibc's exp/cos calls do not) and the CUDA build runs the very same arithmetic.
// Accuracy: exp within ~2 ulp on [-708, 708] (0 below -708, where the true value is < 3e-308);
// the sine polynomial within 1e-16 absolute on [0, pi/2].
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define IONFIELD_HD __host__ __device__ __forceinline__
#elif defined(__GNUC__)
// Always inlined so the CPU entry points compiled for several instruction sets (target_clones)
// get a vectorised copy of every helper.
#define IONFIELD_HD inline __attribute__((always_inline))
#else
#define IONFIELD_HD inline
#endif

// Function multiversioning for the hot CPU loops: AVX-512 / AVX2+FMA copies picked at load time,
// so a portable build still runs at the speed of the machine.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__CUDACC__)
#define IONFIELD_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define IONFIELD_CPU_CLONES
#endif

namespace ionfield::detail {

IONFIELD_HD double bits_to_double(uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(b));
#else
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
#endif
}

IONFIELD_HD uint64_t double_to_bits(double d) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(d));
#else
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
#endif
}

// e^x: x = n ln2 + t with |t| <= ln2/2, e^t by its Taylor series to t^13 (error < 5e-18),
// 2^n assembled in the exponent bits. n is rounded with the 1.5*2^52 trick (no int conversion).
IONFIELD_HD double vexp(double x) {
  const double xc = x < -708.0 ? -708.0 : (x > 708.0 ? 708.0 : x);
  const double shifter = 6755399441055744.0;  // 1.5 * 2^52
  const double kd = xc * 1.4426950408889634 + shifter;
  const double n = kd - shifter;
  // Cody-Waite: ln2_hi has 21 trailing zero bits, so n * ln2_hi is exact for |n| <= 1022.
  const double t = (xc - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  double p = 1.0 / 6227020800.0;
  p = p * t + 1.0 / 479001600.0;
  p = p * t + 1.0 / 39916800.0;
  p = p * t + 1.0 / 3628800.0;
  p = p * t + 1.0 / 362880.0;
  p = p * t + 1.0 / 40320.0;
  p = p * t + 1.0 / 5040.0;
  p = p * t + 1.0 / 720.0;
  p = p * t + 1.0 / 120.0;
  p = p * t + 1.0 / 24.0;
  p = p * t + 1.0 / 6.0;
  p = p * t + 0.5;
  p = p * t + 1.0;
  p = p * t + 1.0;
  const uint64_t ni = double_to_bits(kd) - double_to_bits(shifter);  // n as two's complement
  const double scale = bits_to_double((ni + 1023) << 52);
  return x < -708.0 ? 0.0 : p * scale;
}

// sin(u) for u in [0, pi/2]: odd Taylor series to u^21 (error < 2e-18 there).
IONFIELD_HD double vsin_quadrant(double u) {
  const double u2 = u * u;
  double p = -1.0 / 51090942171709440000.0;
  p = p * u2 + 1.0 / 121645100408832000.0;
  p = p * u2 - 1.0 / 355687428096000.0;
  p = p * u2 + 1.0 / 1307674368000.0;
  p = p * u2 - 1.0 / 6227020800.0;
  p = p * u2 + 1.0 / 39916800.0;
  p = p * u2 - 1.0 / 362880.0;
  p = p * u2 + 1.0 / 5040.0;
  p = p * u2 - 1.0 / 120.0;
  p = p * u2 + 1.0 / 6.0;
  p = p * u2 - 1.0;
  return -u * p;
}

// Cutoff functions of r/rc; 0 at and beyond rc. The cosine one is evaluated as
// cos^2(pi r / (2 rc)) = sin^2(pi/2 (1 - r/rc)), equal to 1/2[cos(pi r/rc) + 1] but accurate in
// relative terms near rc.
IONFIELD_HD double cutoff_value(double r, double rc, int kind) {
  const double x = r / rc;
  double f;
  if (kind == 0) {
    const double s = vsin_quadrant(1.5707963267948966 * (1.0 - (x < 1.0 ? x : 1.0)));
    f = s * s;
  } else {
    f = ((15.0 - 6.0 * x) * x - 10.0) * x * x * x + 1.0;
  }
  return x < 1.0 ? f : 0.0;
}

// base^n for a small non-negative integer n, by squaring.
IONFIELD_HD double ipow(double base, int n) {
  double result = 1.0;
  while (n > 0) {
    if (n & 1) result *= base;
    base *= base;
    n >>= 1;
  }
  return result;
}

}  // namespace ionfield::detail
