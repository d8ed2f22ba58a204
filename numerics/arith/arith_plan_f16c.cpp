// ArithPlan's binary16 multiply (arith_plan.h: both operands and the target binary16, rne, IEEE overflow) on a
// CPU with F16C. Rounding site (listed in round_pack.cpp): the exact product as a binary32 value, rounded once by
// vcvtps2ph. No branch depends on the result's range, so wide-range data (normal, subnormal and overflowing
// products mixed) runs as fast as narrow data.
//   decode  vcvtph2ps: exact for every binary16 value, subnormals included, whatever MXCSR's DAZ says
//           (inf and NaN operands take the exact path).
//   product x·y in binary32: 11 + 11 significant bits, exponents from −48 to 32: exact, never a binary32
//           subnormal, so neither the native rounding mode nor FTZ/DAZ can change it.
//   round   vcvtps2ph with immediate 0: nearest even whatever MXCSR says (its FTZ does not apply).
//   flags   inexact: the binary16 result converted back differs from the product; overflow: the result is
//           ±inf (operands are finite); underflow: inexact and |product| below the tininess threshold (after
//           rounding: 2^-14 − 2^-26, binary32 0x387FF000; before: 2^-14, 0x38800000).
//     0x3C01 · 0x3C01 = (1 + 2^-10)^2 = 1 + 2^-9 + 2^-20: binary32 0x3F804008, rounded to 0x3C02, inexact.
// The binary16 add and fma stay on the constant-field double kernel (ieee_kernel): their exact results are not
// binary32 values, and rounding them to odd before vcvtps2ph costs more conversions than the integer rounding.
// tests/numerics_arith/arith_plan_test.cpp checks it against fpsim::exact on every code paired with edge codes,
// and fp_environment_test under 12 MXCSR settings.
#include <cstdint>

#include "numerics/arith/arith_plan.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FPSIM_F16C_KERNELS 1
#endif

namespace fpsim {

#if FPSIM_F16C_KERNELS
namespace {

constexpr uint32_t kMagnitude = 0x7FFFu, kInfCode = 0x7C00u;

// The exact binary32 value f rounded into binary16, with its flags.
[[gnu::target("f16c"), gnu::always_inline]] inline Rounded round16(float f, uint32_t tiny_below) {
  const uint32_t code = _cvtss_sh(f, 0);  // 0: round to nearest even, MXCSR ignored
  const uint32_t back = bits_of(_cvtsh_ss(static_cast<unsigned short>(code)));
  const uint32_t inexact = back != bits_of(f);
  const uint32_t overflow = (code & kMagnitude) == kInfCode;
  const uint32_t tiny = (bits_of(f) & 0x7FFFFFFFu) < tiny_below;
  return {Bits{code}, static_cast<uint8_t>(inexact * flag::inexact | overflow * flag::overflow |
                                           (inexact & tiny) * flag::underflow)};
}

}  // namespace

[[gnu::target("f16c")]] Rounded ArithPlan::f16c_mul_kernel(const ArithPlan& p, Bits a, Bits b, Bits c,
                                                          uint64_t random_bits) {
  const uint32_t ca = static_cast<uint32_t>(a.v), cb = static_cast<uint32_t>(b.v);
  if (((ca & kMagnitude) >= kInfCode) | ((cb & kMagnitude) >= kInfCode)) return p.exact_path(a, b, c, random_bits);
  const float product = _cvtsh_ss(static_cast<unsigned short>(ca)) * _cvtsh_ss(static_cast<unsigned short>(cb));
  return round16(product, p.f16c_tiny_below_);
}

ArithPlan::Kernel ArithPlan::f16c_kernel_for() const {
  const Format& f = t_.format;
  if (rounder_ != Rounder::Nearest || !__builtin_cpu_supports("f16c")) return nullptr;
  if (f.exp_bits() != 5 || f.man_bits() != 10 || f.bias() != 15 || f.specials() != Specials::Ieee || !f.subnormals())
    return nullptr;
  for (int i = 0; i < arity_; ++i)
    if (!(formats_[i] == f)) return nullptr;
  // IEEE overflow: ±inf with overflow and inexact (a saturating target keeps the generic kernel).
  const uint8_t overflowed = flag::overflow | flag::inexact;
  if (!(overflow_[0] == Rounded{Bits{kInfCode}, overflowed}) || !(overflow_[1] == Rounded{Bits{0xFC00u}, overflowed}))
    return nullptr;
  return op_ == ArithOp::Mul ? &ArithPlan::f16c_mul_kernel : nullptr;
}

#else

ArithPlan::Kernel ArithPlan::f16c_kernel_for() const { return nullptr; }

#endif

}  // namespace fpsim
