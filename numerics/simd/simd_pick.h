#pragma once
// Internal to the Highway kernels (quantize_simd.cpp, arith_simd.cpp): the run-time choice of a
// compiled target. Highway's own dispatch table (HWY_DYNAMIC_DISPATCH) lives in libhwy; choosing
// here from __builtin_cpu_supports keeps fpsim_numerics header-only in its Highway use.
// Include only after <hwy/highway.h>, inside an `#if HWY_ONCE` block.
#include "numerics/quantize/quantize.h"

namespace fpsim::detail {

/// out = the entry compiled for `isa` when this CPU runs it; Portable always succeeds.
/// Example: FPSIM_PICK(QuantKernel::Avx2, QuantizeValues, f) sets f to N_AVX2::QuantizeValues on an AVX2 machine.
template <class F>
bool pick_kernel(QuantKernel isa, F avx3, F avx2, F portable, F& out) {
  switch (isa) {
    case QuantKernel::Avx512:
#if HWY_TARGETS & HWY_AVX3
      if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw")) {
        out = avx3;
        return true;
      }
#endif
      (void)avx3;
      return false;
    case QuantKernel::Avx2:
#if HWY_TARGETS & HWY_AVX2
      if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma")) {
        out = avx2;
        return true;
      }
#endif
      (void)avx2;
      return false;
    case QuantKernel::Portable: out = portable; return true;
    default: return false;
  }
}

}  // namespace fpsim::detail

#if HWY_TARGETS & HWY_AVX3
#define FPSIM_AVX3(fn) &N_AVX3::fn
#else
#define FPSIM_AVX3(fn) nullptr
#endif
#if HWY_TARGETS & HWY_AVX2
#define FPSIM_AVX2(fn) &N_AVX2::fn
#else
#define FPSIM_AVX2(fn) nullptr
#endif
#define FPSIM_PICK(isa, fn, f) \
  ::fpsim::detail::pick_kernel(isa, FPSIM_AVX3(fn), FPSIM_AVX2(fn), &HWY_STATIC_DISPATCH(fn), f)
