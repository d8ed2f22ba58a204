// mul: a · b rounded once. The product of two significands of <= 53 bits has <= 106 bits, so it is
// held exactly in 128 bits; round_pack rounds it. Special operands: NaN propagates; 0 · inf is
// invalid; inf · x is inf; zero products carry the XOR of the signs.
#include "numerics/arith/arith.h"
#include "numerics/arith/internal/plan_cache.h"
#include "numerics/arith/internal/arith_wide.h"
#include "numerics/fast/internal/fast_double.h"
#include "numerics/core/nan_rules.h"
#include "numerics/fast/internal/op_tables.h"

namespace fpsim {

namespace detail {

Rounded mul_unpacked(const Unpacked& a, const Unpacked& b, const Target& t, uint64_t random_bits) {
  if (a.is_nan() || b.is_nan()) return nan_operand_result({&a, &b}, t);
  const bool sign = a.sign != b.sign;
  const bool inf_a = a.cls == Class::Infinite, inf_b = b.cls == Class::Infinite;
  if (inf_a || inf_b) {
    if (a.cls == Class::Zero || b.cls == Class::Zero) return invalid_result(t);
    return infinite_result(sign, t);
  }
  const u128 product = u128{a.sig} * b.sig;
  return round_pack(to_exact(sign, a.exp + b.exp, product, false), t, random_bits);
}

}  // namespace detail

Rounded exact::mul(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits) {
  return detail::mul_unpacked(unpack(a, fa, t.daz), unpack(b, fb, t.daz), t, random_bits);
}

namespace {

// A call whose key differs from the thread's previous call: the cached plan, or past the cache's cap the
// direct path.
[[gnu::noinline, gnu::cold]] Rounded mul_first_call(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t,
                                                    uint64_t random_bits) {
  if (const ArithPlan* plan = cached_arith_plan(ArithOp::Mul, fa, fb, fb, t)) return (*plan)(a, b, random_bits);
  if (const OpTable* table = cached_op_table(ArithOp::Mul, fa, fb, t)) return table->lookup(a, b);
  if (auto r = fast_double_mul(a, fa, b, fb, t, random_bits)) return *r;
  return exact::mul(a, fa, b, fb, t, random_bits);
}

}  // namespace

Rounded mul(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits) {
  if (const ArithPlan* plan = recent_arith_plan(ArithOp::Mul, fa, fb, fb, t)) [[likely]]
    return plan->run(a, b, b, random_bits);
  return mul_first_call(a, fa, b, fb, t, random_bits);
}

}  // namespace fpsim
