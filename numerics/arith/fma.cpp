// fma: a · b + c rounded once. Steps:
//   1. special operands, in SoftFloat's 8086-SSE order: a NaN a or b propagates (a first), with
//      flag::invalid if any of a, b, c is signalling; then 0 · inf is invalid and gives the default
//      NaN even when c is a NaN; then a NaN c propagates; then inf · x + (−inf) is invalid; an
//      infinite product or c gives an infinite result;
//   2. the product a·b exactly (<= 106 bits in 128), then the exact sum product + c with
//      detail::sum_terms (which takes terms of up to 107 bits), and one round_pack.
//      An exact zero takes the IEEE sign rule with the product's sign (XOR of a's and b's).
#include "numerics/arith/arith.h"
#include "numerics/arith/internal/plan_cache.h"
#include "numerics/arith/internal/arith_wide.h"
#include "numerics/fast/internal/fast_double.h"
#include "numerics/core/nan_rules.h"

namespace fpsim {

namespace detail {

Rounded fma_unpacked(const Unpacked& a, const Unpacked& b, const Unpacked& c, const Target& t, uint64_t random_bits) {
  const bool sign_p = a.sign != b.sign;
  const bool inf_p = a.cls == Class::Infinite || b.cls == Class::Infinite;
  const bool zero_p = a.cls == Class::Zero || b.cls == Class::Zero;
  // 1. Special operands.
  if (a.is_nan() || b.is_nan()) return nan_operand_result({&a, &b, &c}, t);
  if (inf_p && zero_p) return invalid_result(t);  // flag::invalid also covers a signalling c
  if (c.is_nan()) return nan_operand_result({&c}, t);
  const bool inf_c = c.cls == Class::Infinite;
  if (inf_p && inf_c && sign_p != c.sign) return invalid_result(t);
  if (inf_p) return infinite_result(sign_p, t);
  if (inf_c) return infinite_result(c.sign, t);
  // 2. Exact product, exact sum, one rounding.
  const Term product{sign_p, a.exp + b.exp, u128{a.sig} * b.sig};
  bool zero = false;
  const Exact sum = sum_terms(product, term(c), zero);
  if (zero) return round_pack(Exact{zero_sum_sign(sign_p, c.sign, t.rounding), 0, 0, false}, t, random_bits);
  return round_pack(sum, t, random_bits);
}

}  // namespace detail

Rounded exact::fma(Bits a, const Format& fa, Bits b, const Format& fb, Bits c, const Format& fc, const Target& t,
                   uint64_t random_bits) {
  return detail::fma_unpacked(unpack(a, fa, t.daz), unpack(b, fb, t.daz), unpack(c, fc, t.daz), t, random_bits);
}

namespace {

// A call whose key differs from the thread's previous call: the cached plan, or past the cache's cap the
// direct path.
[[gnu::noinline, gnu::cold]] Rounded fma_first_call(Bits a, const Format& fa, Bits b, const Format& fb, Bits c,
                                                    const Format& fc, const Target& t, uint64_t random_bits) {
  if (const ArithPlan* plan = cached_arith_plan(ArithOp::Fma, fa, fb, fc, t)) return (*plan)(a, b, c, random_bits);
  if (auto r = fast_double_fma(a, fa, b, fb, c, fc, t, random_bits)) return *r;
  return exact::fma(a, fa, b, fb, c, fc, t, random_bits);
}

}  // namespace

Rounded fma(Bits a, const Format& fa, Bits b, const Format& fb, Bits c, const Format& fc, const Target& t,
            uint64_t random_bits) {
  if (const ArithPlan* plan = recent_arith_plan(ArithOp::Fma, fa, fb, fc, t)) [[likely]]
    return plan->run(a, b, c, random_bits);
  return fma_first_call(a, fa, b, fb, c, fc, t, random_bits);
}

}  // namespace fpsim
