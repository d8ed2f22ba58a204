// div: a / b rounded once. Steps:
//   1. special operands: NaN propagates; inf/inf and 0/0 are invalid; x/0 (x finite, non-zero) is
//      an infinite result with flag::infinite; inf/x is infinite; x/inf and 0/x are zero;
//   2. the quotient of the significands: N = sig_a << s with N's leading bit at bit 126, then
//      q = N / sig_b and r = N % sig_b. sig_b < 2^53, so q >= 2^126 / 2^53 = 2^73 has at least 74
//      bits, more than the 64 round_pack keeps; r != 0 is the sticky bit.
//        e.g. 1/3: N = 1 << 126, q = 0x5555…5 (125 bits), r = 1: inexact, sticky.
#include "numerics/arith/arith.h"
#include "numerics/arith/internal/plan_cache.h"
#include "numerics/arith/internal/arith_wide.h"
#include "numerics/core/nan_rules.h"
#include "numerics/fast/internal/op_tables.h"

namespace fpsim {

Rounded exact::div(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits) {
  using detail::u128;
  const Unpacked ua = unpack(a, fa, t.daz), ub = unpack(b, fb, t.daz);
  // 1. Special operands.
  if (ua.is_nan() || ub.is_nan()) return nan_operand_result({&ua, &ub}, t);
  const bool sign = ua.sign != ub.sign;
  const bool inf_a = ua.cls == Class::Infinite, inf_b = ub.cls == Class::Infinite;
  const bool zero_a = ua.cls == Class::Zero, zero_b = ub.cls == Class::Zero;
  if ((inf_a && inf_b) || (zero_a && zero_b)) return invalid_result(t);
  if (inf_a) return infinite_result(sign, t);
  if (zero_b) return infinite_result(sign, t, flag::infinite);
  if (inf_b || zero_a) return round_pack(Exact{sign, 0, 0, false}, t, random_bits);
  // 2. Long division of the significands.
  const int s = 127 - std::bit_width(ua.sig);  // leading bit of N at bit 126
  const u128 n = u128{ua.sig} << s;
  const u128 q = n / ub.sig, r = n % ub.sig;
  return round_pack(detail::to_exact(sign, ua.exp - s - ub.exp, q, r != 0), t, random_bits);
}

namespace {

// A call whose key differs from the thread's previous call: the cached plan, or past the cache's cap the
// direct path.
[[gnu::noinline, gnu::cold]] Rounded div_first_call(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t,
                                                    uint64_t random_bits) {
  if (const ArithPlan* plan = cached_arith_plan(ArithOp::Div, fa, fb, fb, t)) return (*plan)(a, b, random_bits);
  if (const OpTable* table = cached_op_table(ArithOp::Div, fa, fb, t)) return table->lookup(a, b);
  return exact::div(a, fa, b, fb, t, random_bits);
}

}  // namespace

Rounded div(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits) {
  if (const ArithPlan* plan = recent_arith_plan(ArithOp::Div, fa, fb, fb, t)) [[likely]]
    return plan->run(a, b, b, random_bits);
  return div_first_call(a, fa, b, fb, t, random_bits);
}

}  // namespace fpsim
