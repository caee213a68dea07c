#pragma once
// tanh in plain arithmetic, so that the compiler vectorises the activation loop of the training
// forward pass. libm's tanh is an opaque call per element and took about half of a training epoch
// (perf, scripts/bench/train.ts); PyTorch uses a vectorised tanh, so this was most of the gap.
//
// tanh(z) = sign(z) (1 − 2 / (e^{2|z|} + 1)), with e^x for x = 2|z| computed as (e^{x/64})^64: the
// Taylor series to degree 16 (remainder < 1e-18 relative while |z| < 20) and six squarings. Beyond
// |z| ≈ 19.1 tanh rounds to ±1; there the truncated series is still increasing and large enough (or
// overflows to inf) that 2/(e+1) vanishes against 1, so no clamp is needed; a clamp's comparison
// would be control flow that stops GCC vectorising the loop. No bit manipulation, no branches: the
// AVX2 clone and the baseline build do the same IEEE operations in the same order (bit-identical).
// The squarings amplify rounding 64-fold: the absolute error is below 1e-14 (native/tests/test_nn),
// far inside the float32 precision of the exported ONNX model. NaN propagates; ±inf gives ±1.
// Not the descriptors' vexp (descriptors/math.hpp): its clamping comparisons stop GCC vectorising
// this loop (checked with -fopt-info-vec), which is the whole point here.
#include <cmath>

namespace ionfield::nn::detail {

inline double fast_tanh(double z) {
  // Written out in full: loops here, even constant ones, keep GCC from vectorising the caller's loop.
  const double x = std::fabs(z) * (2.0 / 64.0);
  double e = 1.0 / 20922789888000.0;                     // Horner's rule on Σ x^k / k!, k = 16 … 0
  e = e * x + 1.0 / 1307674368000.0;
  e = e * x + 1.0 / 87178291200.0;
  e = e * x + 1.0 / 6227020800.0;
  e = e * x + 1.0 / 479001600.0;
  e = e * x + 1.0 / 39916800.0;
  e = e * x + 1.0 / 3628800.0;
  e = e * x + 1.0 / 362880.0;
  e = e * x + 1.0 / 40320.0;
  e = e * x + 1.0 / 5040.0;
  e = e * x + 1.0 / 720.0;
  e = e * x + 1.0 / 120.0;
  e = e * x + 1.0 / 24.0;
  e = e * x + 1.0 / 6.0;
  e = e * x + 1.0 / 2.0;
  e = e * x + 1.0;
  e = e * x + 1.0;
  e *= e;  // six squarings: (e^{x})^64
  e *= e;
  e *= e;
  e *= e;
  e *= e;
  e *= e;
  return std::copysign(1.0 - 2.0 / (e + 1.0), z);
}

}  // namespace ionfield::nn::detail
