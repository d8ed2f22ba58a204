// The oracle for arithmetic: special operands by IEEE 754 and SoftFloat's 8086-SSE rules, finite ones
// computed by MPFR toward zero at 319 bits with a jammed sticky bit (exact for add/sub/mul of formats
// up to binary64 whenever the result fits 319 bits, and rounding like the exact value otherwise).
#include <stdexcept>
#include <string>

#include "numerics/reference/oracle_value.h"

namespace fpsim::reference {

using namespace detail;

namespace {

using Kind = Value::Kind;

// An exact zero from finite non-zero operands (x + (−x), a*b + c cancelling): +0, or −0 in rdn.
Rounded cancelled_zero(const Target& t) { return zero_result(t.rounding == Rounding::Down, t); }

// The sign of a zero sum of two zeros: their common sign, else +0 (−0 in rdn).
bool zero_sum_sign(bool a, bool b, const Target& t) { return a == b ? a : t.rounding == Rounding::Down; }

// Round the MPFR result `truncated` (computed toward zero, `ternary` from MPFR).
Rounded round_computed(mpfr_srcptr truncated, int ternary, const Target& t) {
  if (mpfr_zero_p(truncated)) {
    if (ternary != 0) throw std::logic_error("oracle: result below MPFR's exponent range");
    return cancelled_zero(t);
  }
  Value v;
  set_jammed(v, truncated, ternary);
  return round_value(v, t);
}

// x86 / SoftFloat: the first NaN operand, quieted; invalid if any operand is a signaling NaN.
Rounded propagate(std::span<const Value> v, const Target& t) {
  bool signaling = false;
  const Value* first = nullptr;
  for (const Value& x : v) {
    if (x.kind != Kind::NaN) continue;
    signaling |= x.signaling;
    if (!first) first = &x;
  }
  Rounded r = nan_result(*first, t);
  if (signaling) r.flags |= flag::invalid;
  return r;
}

bool any_nan(std::span<const Value> v) {
  for (const Value& x : v)
    if (x.kind == Kind::NaN) return true;
  return false;
}

Rounded add(const Value& a, const Value& b, const Target& t) {
  if (a.kind == Kind::Inf && b.kind == Kind::Inf && a.sign != b.sign) return invalid_result(t);
  if (a.kind == Kind::Inf) return infinity_result(a.sign, t);
  if (b.kind == Kind::Inf) return infinity_result(b.sign, t);
  if (a.kind == Kind::Zero && b.kind == Kind::Zero) return zero_result(zero_sum_sign(a.sign, b.sign, t), t);
  if (a.kind == Kind::Zero) return round_value(b, t);
  if (b.kind == Kind::Zero) return round_value(a, t);
  mpfr_float sum = make_number(kWide - 1);
  const int ternary = mpfr_add(raw(sum), raw(a.x), raw(b.x), MPFR_RNDZ);
  return round_computed(raw(sum), ternary, t);
}

Rounded mul(const Value& a, const Value& b, const Target& t) {
  const bool sign = a.sign != b.sign;
  if ((a.kind == Kind::Inf && b.kind == Kind::Zero) || (a.kind == Kind::Zero && b.kind == Kind::Inf))
    return invalid_result(t);
  if (a.kind == Kind::Inf || b.kind == Kind::Inf) return infinity_result(sign, t);
  if (a.kind == Kind::Zero || b.kind == Kind::Zero) return zero_result(sign, t);
  mpfr_float product = make_number(kWide - 1);
  const int ternary = mpfr_mul(raw(product), raw(a.x), raw(b.x), MPFR_RNDZ);
  return round_computed(raw(product), ternary, t);
}

Rounded div(const Value& a, const Value& b, const Target& t) {
  const bool sign = a.sign != b.sign;
  if ((a.kind == Kind::Inf && b.kind == Kind::Inf) || (a.kind == Kind::Zero && b.kind == Kind::Zero))
    return invalid_result(t);
  if (a.kind == Kind::Inf) return infinity_result(sign, t);
  if (b.kind == Kind::Inf || a.kind == Kind::Zero) return zero_result(sign, t);
  if (b.kind == Kind::Zero) {  // finite non-zero / 0: exact infinity, divide-by-zero
    Rounded r = infinity_result(sign, t);
    r.flags |= flag::infinite;
    return r;
  }
  mpfr_float quotient = make_number(kWide - 1);
  const int ternary = mpfr_div(raw(quotient), raw(a.x), raw(b.x), MPFR_RNDZ);
  return round_computed(raw(quotient), ternary, t);
}

Rounded sqrt(const Value& a, const Target& t) {
  if (a.kind == Kind::Zero) return zero_result(a.sign, t);  // sqrt(−0) = −0
  if (a.sign) return invalid_result(t);
  if (a.kind == Kind::Inf) return infinity_result(false, t);
  mpfr_float root = make_number(kWide - 1);
  const int ternary = mpfr_sqrt(raw(root), raw(a.x), MPFR_RNDZ);
  return round_computed(raw(root), ternary, t);
}

Rounded fma(const Value& a, const Value& b, const Value& c, const Target& t, std::span<const Value> all) {
  // SoftFloat order: a NaN in a or b propagates (a, b, then c); 0*inf is invalid even when c is a NaN;
  // then a NaN c propagates.
  if (a.kind == Kind::NaN || b.kind == Kind::NaN) return propagate(all, t);
  const bool product_sign = a.sign != b.sign;
  const bool product_inf = a.kind == Kind::Inf || b.kind == Kind::Inf;
  const bool product_zero = a.kind == Kind::Zero || b.kind == Kind::Zero;
  if (product_inf && product_zero) {
    Rounded r = invalid_result(t);
    if (c.kind == Kind::NaN && c.signaling) r.flags |= flag::invalid;
    return r;
  }
  if (c.kind == Kind::NaN) return propagate(all, t);
  if (product_inf) {
    if (c.kind == Kind::Inf && c.sign != product_sign) return invalid_result(t);
    return infinity_result(product_sign, t);
  }
  if (c.kind == Kind::Inf) return infinity_result(c.sign, t);
  if (product_zero) {
    if (c.kind == Kind::Zero) return zero_result(zero_sum_sign(product_sign, c.sign, t), t);
    return round_value(c, t);
  }
  if (c.kind == Kind::Zero) {  // the exact product, rounded once
    mpfr_float product = make_number(kWide - 1);
    const int ternary = mpfr_mul(raw(product), raw(a.x), raw(b.x), MPFR_RNDZ);
    return round_computed(raw(product), ternary, t);
  }
  mpfr_float result = make_number(kWide - 1);
  const int ternary = mpfr_fma(raw(result), raw(a.x), raw(b.x), raw(c.x), MPFR_RNDZ);
  return round_computed(raw(result), ternary, t);
}

size_t arity(Op op) {
  switch (op) {
    case Op::Sqrt: return 1;
    case Op::Fma: return 3;
    default: return 2;
  }
}

}  // namespace

Rounded oracle_op(Op op, std::span<const Bits> operands, std::span<const Format> formats, const Target& t) {
  const size_t n = arity(op);
  if (operands.size() != n || formats.size() != n)
    throw std::invalid_argument("oracle_op: expected " + std::to_string(n) + " operands and formats, got " +
                                std::to_string(operands.size()) + " and " + std::to_string(formats.size()));
  Value v[3];
  for (size_t i = 0; i < n; ++i) v[i] = decode_value(operands[i], formats[i], t.daz);
  const std::span<const Value> all(v, n);
  if (op != Op::Fma && any_nan(all)) return propagate(all, t);
  switch (op) {
    case Op::Add: return add(v[0], v[1], t);
    case Op::Sub: {
      // a − b = a + (−b); NaNs were handled above, so the flip never touches a payload's sign.
      Value neg_b;
      neg_b.kind = v[1].kind;
      neg_b.sign = !v[1].sign;
      neg_b.subnormal = v[1].subnormal;
      mpfr_neg(raw(neg_b.x), raw(v[1].x), MPFR_RNDN);
      return add(v[0], neg_b, t);
    }
    case Op::Mul: return mul(v[0], v[1], t);
    case Op::Div: return div(v[0], v[1], t);
    case Op::Sqrt: return sqrt(v[0], t);
    case Op::Fma: return fma(v[0], v[1], v[2], t, all);
  }
  return {};
}

}  // namespace fpsim::reference
