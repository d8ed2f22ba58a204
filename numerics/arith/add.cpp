// add: a + b rounded once. Steps:
//   1. unpack both operands (t.daz reads subnormals as zero);
//   2. NaN operands propagate (nan_rules.h); inf + (−inf) is invalid; otherwise an infinite operand
//      gives an infinite result;
//   3. finite operands: the exact sum from detail::sum_terms (128-bit, jammed where provably safe),
//      an exact zero signed by IEEE rules, and everything else rounded by round_pack.
#include "numerics/arith/arith.h"
#include "numerics/arith/internal/plan_cache.h"
#include "numerics/arith/internal/arith_wide.h"
#include "numerics/fast/internal/fast_double.h"
#include "numerics/core/nan_rules.h"
#include "numerics/fast/internal/op_tables.h"

namespace fpsim {

namespace detail {

Rounded add_unpacked(const Unpacked& a, const Unpacked& b, const Target& t, uint64_t random_bits) {
  // 2. Special operands.
  if (a.is_nan() || b.is_nan()) return nan_operand_result({&a, &b}, t);
  const bool inf_a = a.cls == Class::Infinite, inf_b = b.cls == Class::Infinite;
  if (inf_a && inf_b && a.sign != b.sign) return invalid_result(t);
  if (inf_a || inf_b) return infinite_result(inf_a ? a.sign : b.sign, t);
  // 3. Exact sum, one rounding.
  bool zero = false;
  const Exact sum = sum_terms(term(a), term(b), zero);
  if (zero) return round_pack(Exact{zero_sum_sign(a.sign, b.sign, t.rounding), 0, 0, false}, t, random_bits);
  return round_pack(sum, t, random_bits);
}

}  // namespace detail

Rounded exact::add(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits) {
  return detail::add_unpacked(unpack(a, fa, t.daz), unpack(b, fb, t.daz), t, random_bits);
}

namespace {

// A call whose key differs from the thread's previous call: the cached plan, or past the cache's cap the
// direct path.
[[gnu::noinline, gnu::cold]] Rounded add_first_call(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t,
                                                    uint64_t random_bits) {
  if (const ArithPlan* plan = cached_arith_plan(ArithOp::Add, fa, fb, fb, t)) return (*plan)(a, b, random_bits);
  if (const OpTable* table = cached_op_table(ArithOp::Add, fa, fb, t)) return table->lookup(a, b);
  if (auto r = fast_double_add(a, fa, b, fb, false, t, random_bits)) return *r;
  return exact::add(a, fa, b, fb, t, random_bits);
}

}  // namespace

Rounded add(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits) {
  if (const ArithPlan* plan = recent_arith_plan(ArithOp::Add, fa, fb, fb, t)) [[likely]]
    return plan->run(a, b, b, random_bits);
  return add_first_call(a, fa, b, fb, t, random_bits);
}

}  // namespace fpsim
