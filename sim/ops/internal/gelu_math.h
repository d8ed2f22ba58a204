#pragma once
// GELU in closed form, evaluated branch-free in binary64 so a loop of it vectorises:
//   gelu(x) = x·Φ(x),  gelu'(x) = Φ(x) + x·φ(x),  Φ(x) = erfc(-x/√2)/2,  φ(x) = exp(-x²/2)/√(2π).
// Only +, -, ·, / of binary64 (no fused multiply-add: fpsim builds with -ffp-contract=off), so the bits are
// the same for the scalar call, the SSE2 and the AVX2 loop, on any CPU. Accuracy (tests/sim/exp_gelu_math_test.cpp,
// against long-double erfcl, ~7.7 million inputs): gelu and gelu' equal the correctly rounded float on every one
// (the bound checked is 1 ulp); the libm formula 0.5·x·(1 + erf(x/√2)) it replaces was off by 1 ulp for x ≥ -5.
#include <cstdint>

namespace fpsim::sim::detail {

struct GeluPoint {
  float value;  ///< gelu(x) rounded to float
  float slope;  ///< gelu'(x) rounded to float
};

/// gelu and its derivative at x. Example: gelu_point(1.0f).value == 0.8413447f (= Φ(1)).
GeluPoint gelu_point(float x);

/// y[i] = gelu(x[i]) and, when slope is not null, slope[i] = gelu'(x[i]), for i < n: gelu_point's bits.
/// Example: gelu_span(x, y, nullptr, n) for inference.
void gelu_span(const float* x, float* y, float* slope, int64_t n);

}  // namespace fpsim::sim::detail
