#pragma once
// Internal to fast_arrays.cpp: the vector kernel for element-wise add, sub, mul, fma and div whose
// exact result lands in the target format's normal range. It computes the exact result as binary64
// value + error term and rounds it to the target by integer operations on the binary64 bits: in the
// deterministic modes after folding the error into the last bit (round to odd at 53 bits), in
// stochastic rounding from the exact 64-bit discarded fraction (not for div). Lanes outside that
// case (a special operand, a zero, tiny or overflowing result) are handed to a scalar callback.
// Why each step is exact is written out in arith_simd.cpp.
#include <cstddef>
#include <cstdint>

#include "numerics/arith/arith.h"
#include "numerics/simd/isa.h"

namespace fpsim::detail {

/// Decoding one operand format (lane_decodes): the code's magnitude shifted left by `shift` with the
/// sign moved to bit 31 is a binary32 pattern; its value times `scale` is the operand. Codes whose
/// magnitude is >= special_from, or that equal nan_code under code_mask (fnuz's NaN), are inf/NaN.
struct LaneOperand {
  uint32_t magnitude_mask = 0, special_from = 0, sign_mask = 0, code_mask = 0, nan_code = 0xffffffffu;
  int shift = 0, sign_shift = 0;
  double scale = 1;
  float scale_float = 1;  // the same in binary32, for binary32 lanes
};

enum class LaneOp : uint8_t { Add, Sub, Mul, Fma, Div };

/// Everything the kernel needs for one (operation, operand formats, target), built by make_lane_plan.
struct LanePlan {
  LaneOp op = LaneOp::Add;
  LaneOperand a, b, c;
  double div_scale = 1;     // div: a.scale / b.scale, applied to the quotient of the binary32 patterns
  int drop = 0;             // 52 - target man_bits: binary64 significand bits below the target's last place
  uint64_t min_bits = 0;    // binary64 bits of 2^emin (at least 2^-1022): smaller magnitudes go scalar
  int64_t rebias = 0;       // (1023 - bias) << man_bits: binary64 bits >> drop minus this is the code
  uint64_t max_magnitude = 0;  // the target's largest finite code without its sign
  int sign_shift = 0;       // target total_bits - 1
  // The rounding mode as 0/1 words, so one kernel serves every deterministic mode.
  uint64_t nearest_even = 0, nearest_away = 0, up = 0, down = 0, odd = 0;
  bool no_mantissa = false; // man_bits = 0: the last kept bit is the hidden 1
  bool stochastic = false;  // sr / sr:K: random words per element, as round_pack uses them
  int sr_bits = 0;          // sr:K's K (1..63); 0 = exact probability
  // Binary32 lanes (deterministic add/sub/mul/fma into narrow targets, binary32-exact operands).
  bool float_lanes = false;
  int drop_float = 0;            // 23 - man_bits
  uint32_t min_bits_float = 0;   // binary32 bits of 2^emin, at least 2^-126 + 1 ulp
  int32_t rebias_float = 0;      // (127 - bias) << man_bits
};

/// Whether the kernel decodes operands of f: signed with a zero, exp_bits <= 8, man_bits <= 23, any
/// specials (ieee, fn, fnuz, finite) below 8 exponent bits, ieee at 8.
/// Example: lane_decodes(parse_format("e4m3fn")) is true; lane_decodes(parse_format("e8m7,fn")) is false.
bool lane_decodes(const Format& f);

/// Fill `plan` for op on operands of fa, fb, fc into t; false when the kernel does not apply
/// (daz, stochastic rounding for div, an operand format the kernel does not decode, a product that might
/// not be exact in binary64, a target wider than 51 bits of precision, or 25+ bits for div).
/// Example: make_lane_plan(ArithOp::Add, f32, f32, f32, Target{f32}, plan) is true.
bool make_lane_plan(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t,
                    LanePlan& plan);

/// Computes element i with the scalar operation, OR-ing its flags into `flags`.
using ScalarElement = uint32_t (*)(std::size_t i, void* context, uint8_t& flags);

/// out[i] = op(a[i], b[i], c[i]) for i < n (b, c unused by the ops that take fewer operands), with
/// random[i] element i's random word when plan.stochastic (else unused: may be null); returns the OR
/// of all flags. `isa` must be available (lane_kernel_available).
/// Example: run_lane_kernel(simd::Isa::Avx512, plan, a, b, nullptr, nullptr, out, n, scalar, &ctx).
uint8_t run_lane_kernel(simd::Isa isa, const LanePlan& plan, const uint32_t* a, const uint32_t* b,
                        const uint32_t* c, const uint64_t* random, uint32_t* out, std::size_t n,
                        ScalarElement scalar, void* context);

/// Compiled in and supported by this CPU (Portable always).
bool lane_kernel_available(simd::Isa isa);

}  // namespace fpsim::detail
