// sub: a − b = a + (−b) rounded once. The sign of b is flipped only when b is not a NaN, so a NaN
// b propagates with its own sign (as x86 subss and SoftFloat's f32_sub do).
#include "numerics/arith/arith.h"
#include "numerics/arith/internal/plan_cache.h"
#include "numerics/arith/internal/arith_wide.h"
#include "numerics/fast/internal/fast_double.h"
#include "numerics/fast/internal/op_tables.h"

namespace fpsim {

Rounded exact::sub(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits) {
  Unpacked ub = unpack(b, fb, t.daz);
  if (!ub.is_nan()) ub.sign = !ub.sign;
  return detail::add_unpacked(unpack(a, fa, t.daz), ub, t, random_bits);
}

namespace {

// A call whose key differs from the thread's previous call: the cached plan, or past the cache's cap the
// direct path.
[[gnu::noinline, gnu::cold]] Rounded sub_first_call(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t,
                                                    uint64_t random_bits) {
  if (const ArithPlan* plan = cached_arith_plan(ArithOp::Sub, fa, fb, fb, t)) return (*plan)(a, b, random_bits);
  if (const OpTable* table = cached_op_table(ArithOp::Sub, fa, fb, t)) return table->lookup(a, b);
  if (auto r = fast_double_add(a, fa, b, fb, true, t, random_bits)) return *r;
  return exact::sub(a, fa, b, fb, t, random_bits);
}

}  // namespace

Rounded sub(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits) {
  if (const ArithPlan* plan = recent_arith_plan(ArithOp::Sub, fa, fb, fb, t)) [[likely]]
    return plan->run(a, b, b, random_bits);
  return sub_first_call(a, fa, b, fb, t, random_bits);
}

}  // namespace fpsim
