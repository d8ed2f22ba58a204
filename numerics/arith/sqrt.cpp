// sqrt: the square root rounded once. Steps:
//   1. special operands: NaN propagates; sqrt(±0) = ±0; sqrt(+inf) = +inf; any other negative
//      operand (including −inf) is invalid;
//   2. make the exponent even and scale the significand so N = sig << s has its leading bit at
//      bit 126 or 127 (s chosen with exp − s even): then sqrt(N) >= 2^63, so the integer root
//      r = floor(sqrt(N)) has exactly 64 bits, and r·r != N is the sticky bit;
//   3. the value is r · 2^((exp − s) / 2) plus the sticky.
//        e.g. sqrt(2): N = 2^127, r = 0xB504F333F9DE6484 (64 bits), r·r < N: inexact.
#include "numerics/arith/arith.h"
#include "numerics/arith/internal/plan_cache.h"
#include "numerics/arith/internal/arith_wide.h"
#include "numerics/core/nan_rules.h"
#include "numerics/fast/internal/op_tables.h"

namespace fpsim {
namespace {

using detail::u128;

// floor(sqrt(n)) for n < 2^128, one result bit per step (the schoolbook digit-by-digit method):
// try setting each bit of the root from the top, keep it when (root + bit)^2 <= n. Restoring form:
// rem holds n − root^2 scaled as in Hacker's Delight 11-1 (isqrt).
uint64_t isqrt128(u128 n, bool& exact) {
  u128 root = 0, rem = n;
  u128 bit = u128{1} << 126;  // the highest power of four <= 2^127
  while (bit > rem) bit >>= 2;
  while (bit != 0) {
    if (rem >= root + bit) {
      rem -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  exact = rem == 0;
  return static_cast<uint64_t>(root);
}

}  // namespace

Rounded exact::sqrt(Bits a, const Format& fa, const Target& t, uint64_t random_bits) {
  const Unpacked u = unpack(a, fa, t.daz);
  // 1. Special operands.
  if (u.is_nan()) return nan_operand_result({&u}, t);
  if (u.cls == Class::Zero) return round_pack(Exact{u.sign, 0, 0, false}, t, random_bits);
  if (u.sign) return invalid_result(t);
  if (u.cls == Class::Infinite) return infinite_result(false, t);
  // 2. Even exponent, leading bit at 126 or 127.
  int s = 127 - (std::bit_width(u.sig) - 1);
  if ((u.exp - s) % 2 != 0) s -= 1;
  bool exact_root = false;
  const uint64_t r = isqrt128(u128{u.sig} << s, exact_root);
  // 3. Scale back.
  return round_pack(Exact{false, (u.exp - s) / 2, r, !exact_root}, t, random_bits);
}

namespace {

// A call whose key differs from the thread's previous call: the cached plan, or past the cache's cap the
// direct path.
[[gnu::noinline, gnu::cold]] Rounded sqrt_first_call(Bits a, const Format& fa, const Target& t, uint64_t random_bits) {
  if (const ArithPlan* plan = cached_arith_plan(ArithOp::Sqrt, fa, fa, fa, t)) return (*plan)(a, random_bits);
  if (const OpTable* table = cached_op_table(ArithOp::Sqrt, fa, fa, t)) return table->lookup(a, Bits{0});
  return exact::sqrt(a, fa, t, random_bits);
}

}  // namespace

Rounded sqrt(Bits a, const Format& fa, const Target& t, uint64_t random_bits) {
  if (const ArithPlan* plan = recent_arith_plan(ArithOp::Sqrt, fa, fa, fa, t)) [[likely]]
    return plan->run(a, a, a, random_bits);
  return sqrt_first_call(a, fa, t, random_bits);
}

}  // namespace fpsim
