#pragma once
// Element-wise arithmetic over arrays of codes: the form an emulated kernel (a GEMM accumulator, an
// optimiser update) calls, and where the fast paths pay off. The path is chosen once per call, not
// per element: the 256x256 op table (<= 8-bit formats, deterministic modes), the vector lane kernel
// (operands of <= 8 exponent and <= 23 mantissa bits, every mode but stochastic div: results in the
// target's normal range are rounded from binary64 bits, arith_kernel.h), the scalar operation's
// ArithPlan per element (what the lane kernel does not take), or for fma from <= 8-bit operands into
// targets of few normal binades one of the last two per chunk. Every path is bit-identical to fpsim::exact (tests/numerics_arith/fast_paths_test.cpp,
// lane_kernel_test.cpp).
#include <cstdint>
#include <span>

#include "numerics/arith/arith.h"
#include "numerics/core/random.h"

namespace fpsim {

/// The path apply_array takes for a call: "table" (256x256 op table), "lanes" (vector lane kernel), "adaptive" (the
/// lane kernel or the plan's, chosen per chunk of 2048 by how many elements the lanes hand back: fma from <= 8-bit
/// operands into targets of fewer than 16 normal binades), "plan" (the scalar operation's ArithPlan per element) or
/// "scalar" (the scalar call per element, past the plan cache's cap).
/// Example: array_path(ArithOp::Add, f32, f32, f32, Target{f32}) is "lanes"; stochastic div is "plan"; fma of e4m3fn
/// into e4m3fn is "adaptive".
const char* array_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t);

/// out[i] = op(a[i], b[i], c[i]) rounded into t, codes right-aligned in uint32_t (formats of <= 32
/// bits). b is ignored for sqrt, c is used only by fma (pass empty spans when unused). Stochastic
/// rounding takes element i's random word from stream->bits(offset + i), so results do not depend on
/// how an array is split. The flags of all elements are OR-ed into the return value.
/// Example: apply_array(ArithOp::Add, a, f16, b, f16, {}, f16, out, Target{f16}, nullptr, 0) adds two binary16 arrays.
uint8_t apply_array(ArithOp op, std::span<const uint32_t> a, const Format& fa, std::span<const uint32_t> b,
                    const Format& fb, std::span<const uint32_t> c, const Format& fc, std::span<uint32_t> out,
                    const Target& t, const RandomStream* stream, uint64_t offset);

}  // namespace fpsim
