// ArithPlan's binary32 add, sub and multiply (arith_plan.h: both operands and the target binary32, rne, IEEE
// overflow). Rounding site (listed in round_pack.cpp): the native binary32 operation rounds, and the kernel only
// proves that its result is IEEE's and derives the flags:
//   rne       native_rounds_to_nearest() (a two-addition probe of MXCSR's rounding control; the exact path
//             otherwise);
//   DAZ       both operands normal (exponent field 1..254): DAZ reads only subnormal operands as zero; add and
//             sub also need operands of at least 2^-103, so FTZ cannot flush their TwoSum error;
//   FTZ       the result's magnitude above 2^-126: FTZ flushes only subnormal results, and a result above 2^-126
//             was never tiny (2^-126 itself may be a tiny value rounded up: underflow). Those results, exact zero
//             sums (their sign), zero, subnormal, infinite and NaN operands take the exact path.
//   inexact   mul: the binary64 product of the operands (24 + 24 bits: exact) differs from the result;
//             add, sub: the binary32 TwoSum error of the result is not zero (exact while the sum is finite; NaN
//             when it overflowed, which counts as inexact too).
//   overflow  the result is ±inf (the operands are finite).
//     1.5f · 0x1.000002p0f: binary64 product 1.5 + 1.5·2^-23 = 0x3FF8000030000000, binary32 result 0x3FC00002
//     (1.5 + 2^-22), whose binary64 value differs: inexact.
//     2^-125 + 2^-149 (sum of 2^-126 and 2^-126 + 2^-149) rounds to 2^-125 with the error 2^-149, a subnormal
//     that FTZ would flush to 0 (no inexact flag): such operands (below 2^-103) take the exact path.
// tests/numerics_arith/arith_plan_test.cpp (random, edge and rounding-boundary operands against fpsim::exact),
// testfloat_ops_test (every binary32 add/sub/mul TestFloat vector through a plan), fp_environment_test (12 MXCSR
// settings).
#include <cstdint>

#include "numerics/arith/arith_plan.h"
#include "numerics/fast/internal/fp_environment.h"

#include "numerics/fast/internal/fp_contract_off.h"  // after the other headers

namespace fpsim {

template <ArithOp kOp>
Rounded ArithPlan::binary32_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits) {
  const uint32_t ca = static_cast<uint32_t>(a.v), cb = static_cast<uint32_t>(b.v);
  // Exponent fields in [low, 254] for both (0 and 255 wrap to large values): mul takes every normal operand;
  // add and sub take operands of at least 2^-103 (field 24), whose ulps are at least 2^-126, so that a TwoSum
  // error (a multiple of the smaller ulp) is never a binary32 subnormal, which FTZ would flush.
  constexpr uint32_t low = kOp == ArithOp::Mul ? 1 : 24;
  const uint32_t ea = ((ca >> 23) & 0xFFu) - low, eb = ((cb >> 23) & 0xFFu) - low;
  if (((ea > 254 - low) | (eb > 254 - low)) || !native_rounds_to_nearest()) return p.exact_path(a, b, c, random_bits);
  const float x = float_from_bits(ca), y = kOp == ArithOp::Sub ? -float_from_bits(cb) : float_from_bits(cb);
  float r;
  uint32_t inexact;
  if constexpr (kOp == ArithOp::Mul) {
    r = x * y;
    inexact = static_cast<double>(r) != static_cast<double>(x) * static_cast<double>(y);
  } else {
    float err;
    two_sum(x, y, r, err);
    inexact = err != 0 || err != err;  // NaN after an overflow
  }
  const uint32_t bits = bits_of(r), magnitude = bits & 0x7FFFFFFFu;
  // At most 2^-126: a subnormal or zero result, or 2^-126 itself, which may have been rounded up from a tiny value
  if (magnitude <= 0x00800000u) return p.exact_path(a, b, c, random_bits);
  const uint32_t overflow = magnitude == 0x7F800000u;
  return {Bits{bits}, static_cast<uint8_t>(inexact * flag::inexact | overflow * flag::overflow)};
}

ArithPlan::Kernel ArithPlan::binary32_kernel_for() const {
  const Format& f = t_.format;
  if (rounder_ != Rounder::Nearest || f.exp_bits() != 8 || f.man_bits() != 23 || f.bias() != 127 ||
      f.specials() != Specials::Ieee || !f.subnormals())
    return nullptr;
  for (int i = 0; i < arity_; ++i)
    if (!(formats_[i] == f)) return nullptr;
  // IEEE overflow: ±inf with overflow and inexact (a saturating target keeps the generic kernel).
  const uint8_t overflowed = flag::overflow | flag::inexact;
  if (!(overflow_[0] == Rounded{Bits{0x7F800000u}, overflowed}) ||
      !(overflow_[1] == Rounded{Bits{0xFF800000u}, overflowed}))
    return nullptr;
  switch (op_) {
    case ArithOp::Add: return &ArithPlan::binary32_kernel<ArithOp::Add>;
    case ArithOp::Sub: return &ArithPlan::binary32_kernel<ArithOp::Sub>;
    case ArithOp::Mul: return &ArithPlan::binary32_kernel<ArithOp::Mul>;
    default: return nullptr;
  }
}

}  // namespace fpsim
