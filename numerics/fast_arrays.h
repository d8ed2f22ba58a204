#pragma once
// Element-wise arithmetic over arrays of codes: the form an emulated kernel (a GEMM accumulator, an
// optimiser update) calls, and where the fast paths pay off. The path is chosen once per call, not
// per element: the 256x256 op table (<= 8-bit formats, deterministic modes), the native-double path
// with a rounding table (binary16 / bfloat16 / narrower targets, deterministic modes), the
// native-double path with round_pack (other fast-decodable operands, every mode), or the scalar
// operation. Every path is bit-identical to fpsim::exact (tests/numerics_arith/fast_paths_test.cpp).
#include <cstdint>
#include <span>

#include "numerics/arith.h"
#include "numerics/random.h"

namespace fpsim {

/// out[i] = op(a[i], b[i], c[i]) rounded into t, codes right-aligned in uint32_t (formats of <= 32
/// bits). b is ignored for sqrt, c is used only by fma (pass empty spans when unused). Stochastic
/// rounding takes element i's random word from stream->bits(offset + i), so results do not depend on
/// how an array is split. The flags of all elements are OR-ed into the return value.
/// Example: apply_array(ArithOp::Add, a, f16, b, f16, {}, f16, out, Target{f16}, nullptr, 0) adds two binary16 arrays.
uint8_t apply_array(ArithOp op, std::span<const uint32_t> a, const Format& fa, std::span<const uint32_t> b,
                    const Format& fb, std::span<const uint32_t> c, const Format& fc, std::span<uint32_t> out,
                    const Target& t, const RandomStream* stream, uint64_t offset);

}  // namespace fpsim
