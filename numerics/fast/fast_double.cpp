// Native-double fast paths (see fast_double.h). Why each result is exact:
//
// Decoding. An operand format with ieee specials, exp_bits <= 8 and man_bits <= 23 is a binary32
// layout with a different bias: its code, with the sign removed and shifted left by 23 − man_bits,
// is a binary32 pattern whose value is the operand's value times 2^(bias − 127); multiplying by
// 2^(127 − bias) in double is exact (a power of two, and every format value is a binary64 value).
//   e.g. binary16 0x3555 (1.333 = 0x555·2^-10 + 1, field 13): 0x3555 << 13 = 0x06AAA000, a binary32
//   of field 13, i.e. 1.333·2^(13−127); times 2^112 gives 1.333·2^-2 = 0.3333 ✓. Subnormals work the
//   same way (binary32 subnormal field 0, scaled up by a power of two).
//
// Sums (add, sub, fma's final sum). s = RN(x + y) and TwoSum's error term
//   bb = s − x;  err = (x − (s − bb)) + (y − bb)
// give x + y = s + err exactly for any finite binary64 x, y whose sum does not overflow, including
// subnormal inputs and results (Knuth TAOCP 4.2.2 Thm B; Boldo, Graillat & Muller 2017 for the
// underflow case). No step may be contracted into an fma: GCC compiles ISO C++ with
// -ffp-contract=off and x86-64 has no fma without -mfma, and FLT_EVAL_METHOD == 0 (no x87 excess
// precision) is asserted below. The exact value s + err is then reduced by detail::sum_terms, the same
// code the exact path uses, so the Exact handed to round_pack is the canonical one.
//
// Rounding. Where the target has a RoundingTable (deterministic mode, precision <= 12: binary16,
// bfloat16, ...), the exact value s + err is rounded by table lookup, each entry being round_pack's own
// result (fast_rounding_table.h); otherwise the canonical Exact goes to round_pack.
//
// Products. x·y is exact in binary64 when the significands have at most 53 bits together
// (precision_a + precision_b <= 53: binary32·binary32 = 48), the product's last bit is at or above
// binary64's 2^-1074 ((emin_a − man_a) + (emin_b − man_b) >= −1074), and it cannot overflow
// ((emax_a + 1) + (emax_b + 1) <= 1023). Then RN(x·y) = x·y and its Exact is read off its bits.
#include "numerics/fast/internal/fast_double.h"

#include <cfloat>
#include <cmath>

#include "numerics/arith/internal/arith_wide.h"
#include "numerics/fast/internal/fast_rounding_table.h"
#include "numerics/fast/internal/fp_environment.h"
#include "numerics/core/nan_rules.h"

static_assert(FLT_EVAL_METHOD == 0, "the double fast paths need binary64 evaluation without excess precision");
#include "numerics/fast/internal/fp_contract_off.h"  // after the other headers

namespace fpsim {
namespace {

// Decode a finite code of a fast-decodable format to double; false for inf/NaN.
inline bool decode_fast(Bits b, const Format& f, double& out) {
  const int m = f.man_bits();
  const uint64_t code = b.v & f.code_mask();
  const uint64_t magnitude = code & ~f.sign_mask();
  if ((magnitude >> m) == f.exp_field_max()) return false;  // inf or NaN
  const float scaled = float_from_bits(static_cast<uint32_t>(magnitude << (23 - m)));
  // 2^(127 − bias) built from its binary64 bits (exponent field 127 − bias + 1023, in range for every format here).
  const double scale = double_from_bits(uint64_t(127 - f.bias() + 1023) << 52);
  const double v = static_cast<double>(scaled) * scale;
  out = (code & f.sign_mask()) ? -v : v;
  return true;
}

// The exact term of a finite double: ±sig·2^exp with sig <= 53 bits (split_binary64).
inline detail::Term term_of(double d) {
  const Binary64Parts p = split_binary64(d);
  return detail::Term{p.negative, p.exp, p.sig};
}

}  // namespace

Rounded round_sum(double x, double y, const Target& t, uint64_t random_bits) {
  return round_sum_with(x, y, rounding_table(t), t, random_bits);
}

Rounded round_sum_with(double x, double y, const RoundingTable* table, const Target& t, uint64_t random_bits) {
  double s, err;
  two_sum(x, y, s, err);
  if (table && std::isnormal(s)) return table->round_double(s, err);
  if (err == 0) {
    if (s == 0) return round_pack(Exact{zero_sum_sign(std::signbit(x), std::signbit(y), t.rounding), 0, 0, false}, t,
                                  random_bits);
    const detail::Term ts = term_of(s);
    return round_pack(Exact{ts.sign, ts.exp, static_cast<uint64_t>(ts.sig), false}, t, random_bits);
  }
  bool zero = false;
  return round_pack(detail::sum_terms(term_of(s), term_of(err), zero), t, random_bits);
}

bool fast_double_product_exact(const Format& fa, const Format& fb) {
  return fa.precision() + fb.precision() <= 53 &&
         (fa.emin() - fa.man_bits()) + (fb.emin() - fb.man_bits()) >= -1074 &&
         (fa.emax() + 1) + (fb.emax() + 1) <= 1023;
}

bool fast_double_decodes(const Format& f) {
  return f.specials() == Specials::Ieee && f.is_signed() && f.has_zero() && f.exp_bits() <= 8 &&
         f.man_bits() <= 23 && 127 - f.bias() + 1023 > 0 && 127 - f.bias() + 1023 < 2047;
}

std::optional<Rounded> fast_double_add(Bits a, const Format& fa, Bits b, const Format& fb, bool subtract,
                                       const Target& t, uint64_t random_bits) {
  if (t.daz || !fast_double_decodes(fa) || !fast_double_decodes(fb) || !native_fp_is_default()) return std::nullopt;
  double x, y;
  if (!decode_fast(a, fa, x) || !decode_fast(b, fb, y)) return std::nullopt;
  if (subtract) y = -y;
  if (!std::isfinite(x + y)) return std::nullopt;
  return round_sum(x, y, t, random_bits);
}

std::optional<Rounded> fast_double_mul(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t,
                                       uint64_t random_bits) {
  if (t.daz || !fast_double_decodes(fa) || !fast_double_decodes(fb) || !fast_double_product_exact(fa, fb) ||
      !native_fp_is_default())
    return std::nullopt;
  double x, y;
  if (!decode_fast(a, fa, x) || !decode_fast(b, fb, y)) return std::nullopt;
  const double p = x * y;  // exact: product_exact
  if (p == 0) return round_pack(Exact{std::signbit(p), 0, 0, false}, t, random_bits);
  if (std::isnormal(p))
    if (const RoundingTable* table = rounding_table(t)) return table->round_double(p, 0.0);
  const detail::Term tp = term_of(p);
  return round_pack(Exact{tp.sign, tp.exp, static_cast<uint64_t>(tp.sig), false}, t, random_bits);
}

std::optional<Rounded> fast_double_fma(Bits a, const Format& fa, Bits b, const Format& fb, Bits c,
                                       const Format& fc, const Target& t, uint64_t random_bits) {
  if (t.daz || !fast_double_decodes(fa) || !fast_double_decodes(fb) || !fast_double_decodes(fc) ||
      !fast_double_product_exact(fa, fb) || !native_fp_is_default())
    return std::nullopt;
  double x, y, z;
  if (!decode_fast(a, fa, x) || !decode_fast(b, fb, y) || !decode_fast(c, fc, z)) return std::nullopt;
  const double p = x * y;  // exact: product_exact
  if (!std::isfinite(p + z)) return std::nullopt;
  return round_sum(p, z, t, random_bits);
}

}  // namespace fpsim
