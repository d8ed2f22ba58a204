#pragma once
// Internal to the Highway kernels (quantize_simd.cpp, arith_simd.cpp): the entry compiled for an ISA
// (numerics/simd/isa.h). Highway's own dispatch table (HWY_DYNAMIC_DISPATCH) lives in libhwy; choosing
// here from simd::cpu_supports keeps fpsim_numerics header-only in its Highway use and makes the
// Highway kernels follow the same ISA selection as the rest of fpsim.
// Include only after <hwy/highway.h>, inside an `#if HWY_ONCE` block.
#include "numerics/simd/isa.h"

namespace fpsim::detail {

/// out = the entry compiled for `isa` when this build has it and the CPU runs it; Portable always succeeds.
/// Example: FPSIM_PICK(simd::Isa::Avx2, QuantizeValues, f) sets f to N_AVX2::QuantizeValues on an AVX2 machine.
template <class F>
bool pick_kernel(simd::Isa isa, F avx3, F avx2, F portable, F& out) {
  const F compiled = isa == simd::Isa::Avx512 ? avx3 : isa == simd::Isa::Avx2 ? avx2 : portable;
  if (compiled == nullptr || !simd::cpu_supports(isa)) return false;
  out = compiled;
  return true;
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
