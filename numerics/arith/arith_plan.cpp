// ArithPlan (see arith_plan.h): the path is chosen once; each call runs one kernel.
//
// Why the "double" path is exact: decoding puts every finite operand into binary64 exactly (its fields moved
// by integer steps, or a table of decode() values for <= 8-bit formats); products are exact when
// fast_double_product_exact holds; sums are s + err by TwoSum. The exact value s + err is then rounded by:
//   Nearest          rne into a signed format (<= 11 exponent bits, 1–51 fraction bits), by integer operations
//                    on s's binary64 pattern (round_nearest below, normal and subnormal results): with
//                    d = 52 − man_bits dropped bits, add 2^(d−1) − 1 plus the kept lsb, shift out d bits (a
//                    carry bumps the exponent field), subtract (1023 − bias) << man_bits to rebias; a code
//                    above max_code overflowed (one precomputed result per sign: in rne every such value
//                    rounds alike). s + err rounds as s does unless s's dropped bits D are 0 or exactly half:
//                    D is a multiple of s's binary64 ulp and |err| <= half that ulp, so the rounding
//                    boundaries are at least one ulp away. Boundary cases and zeros go to the table/round_pack.
//                      binary16 (d = 42), s = 1 + 2^-11 = 0x3FF0020000000000, a tie: + 0x1FFFFFFFFFF + 0
//                      (lsb, bit 42, is 0) = 0x3FF0021FFFFFFFFF, >> 42 = 0xFFC00; minus 1008 << 10 = 0x3C00
//                      (1.0, ties to even), inexact. With err = +2^-70 the true value is above the tie and
//                      must round up: D is exactly half, so it goes to the table instead.
//   Table            the target's RoundingTable (every entry round_pack's result; fast_rounding_table.h);
//   RoundPack        round_pack on the canonical Exact of s + err (fast_double.h: round_sum_with).
// The native arithmetic must round to nearest: each call checks it by two additions (fp_environment.h:
// native_rounds_to_nearest) and takes the exact path otherwise. FTZ and DAZ cannot change a result: operands
// are decoded by integer operations (never through a binary32 subnormal), and the path is only chosen when
// no operand, product or TwoSum error can be a binary64 subnormal (every value's last bit, and every
// product's, at or above 2^-1022); subnormal target results are rounded by integers, not by conversion.
#include "numerics/arith/arith_plan.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/core/nan_rules.h"
#include "numerics/fast/internal/fast_double.h"
#include "numerics/fast/internal/fast_rounding_table.h"
#include "numerics/fast/internal/fp_environment.h"
#include "numerics/fast/internal/op_tables.h"

#include "numerics/fast/internal/fp_contract_off.h"  // after the other headers

namespace fpsim {
namespace {

// x·y + z as a multiply, then an add, in that operand order: where operands are NaN, the result is the first NaN in
// the order x, y, z, with its sign (x86 SSE: mulsd and addsd return the NaN operand, the first source's when both
// are). The compiler may swap the operands of a commutative operation, so the order is fixed in assembly. Elsewhere
// kFirstNanOrderedMulAdd is false and the plans keep the kernels that branch on a NaN.
//   mul_then_add(−NaN, +NaN, 1) = −NaN; mul_then_add(2, 3, +NaN) = +NaN; mul_then_add(2, 3, 1) = 7.
#if defined(__x86_64__) && defined(__SSE2__)
constexpr bool kFirstNanOrderedMulAdd = true;
inline double mul_then_add(double x, double y, double z) {
  // {AT&T|Intel} dialects (-masm=intel reverses the operand order); the VEX forms where the compiler uses AVX, so
  // that no legacy-SSE instruction meets dirty upper register halves.
#if defined(__AVX__)
  asm("{vmulsd %1, %0, %0|vmulsd %0, %0, %1}" : "+x"(x) : "xm"(y));
  asm("{vaddsd %1, %0, %0|vaddsd %0, %0, %1}" : "+x"(x) : "xm"(z));
#else
  asm("{mulsd %1, %0|mulsd %0, %1}" : "+x"(x) : "xm"(y));
  asm("{addsd %1, %0|addsd %0, %1}" : "+x"(x) : "xm"(z));
#endif
  return x;
}
#else
constexpr bool kFirstNanOrderedMulAdd = false;
inline double mul_then_add(double x, double y, double z) { return x * y + z; }
#endif

// The 256 decoded values of an <= 8-bit format, built once per format and never freed.
const double* decode_table(const Format& f) {
  struct Entry {
    Format format;
    std::vector<double> values;
  };
  static std::mutex mutex;
  static std::vector<std::unique_ptr<Entry>> tables;
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto& e : tables)
    if (e->format == f) return e->values.data();
  auto e = std::make_unique<Entry>(Entry{f, std::vector<double>(256)});
  for (uint64_t code = 0; code < 256; ++code) e->values[code] = decode(Bits{code & f.code_mask()}, f);
  tables.push_back(std::move(e));
  return tables.back()->values.data();
}

bool double_decodes(const Format& f) { return fast_double_decodes(f) || f.total_bits() <= 8; }

ArithPlan::Decoder make_decoder(const Format& f) {
  ArithPlan::Decoder d;
  if (f.total_bits() <= 8) {  // one load: cheaper than the field move, and any specials
    d.values = decode_table(f);
    d.sign_mask = static_cast<uint32_t>(f.code_mask());  // the table index mask
    return d;
  }
  d.sign_mask = static_cast<uint32_t>(f.sign_mask());
  d.field_max = static_cast<uint32_t>(f.exp_field_max());
  d.man_bits = f.man_bits();
  d.shift = 52 - f.man_bits();
  d.exponent_offset = 1023 - f.bias();
  d.scale = double_from_bits(uint64_t(f.emin() - f.man_bits() + 1023) << 52);  // 2^(emin − man_bits)
  return d;
}

// Whether the double path's binary64 values are exact and stay normal: every operand value below 2^1024 with
// its last bit at or above 2^-1022, and every product's last bit too when the operation multiplies.
bool binary64_stays_normal(ArithOp op, const Format* formats, int arity) {
  for (int i = 0; i < arity; ++i)
    if (formats[i].emin() - formats[i].man_bits() < -1022 || formats[i].emax() > 1023) return false;
  const bool multiplies = op == ArithOp::Mul || op == ArithOp::Fma;
  return !multiplies ||
         (formats[0].emin() - formats[0].man_bits()) + (formats[1].emin() - formats[1].man_bits()) >= -1022;
}

// The binades a non-zero finite x·y + z of these formats' finite values can fall in, as its binary64 value (exact,
// or by TwoSum's rounded sum): every such value is a multiple of 2^lo, the smaller of the product's and z's last-bit
// weights (2^(emin − man_bits) is the weight of the last bit of every value of a format), and below
// max·max + max < 2^(emax_x + emax_y + 2) + 2^(emax_z + 1) <= 2^(hi + 1), a rounding up included.
//   e4m3fn (emin −6, 3 fraction bits, emax 8): lo = min(−9 − 9, −9) = −18, hi = max(8 + 8 + 2, 8 + 1) = 18.
void fma_binades(const Format* f, int& lo, int& hi) {
  lo = std::min(f[0].emin() - f[0].man_bits() + f[1].emin() - f[1].man_bits(), f[2].emin() - f[2].man_bits());
  hi = std::max(f[0].emax() + f[1].emax() + 2, f[2].emax() + 1);
}

// table_fma_kernel<·, true>'s cap on its own table (entries of 4 bytes): e4m3fn's rows −18 .. 18 hold 2,368, e5m2's
// −32 .. 32 hold 2,080; a binary16 target (p = 11) would need 2^12 per binade, and keeps the shared, clamped table.
constexpr size_t kMaxFmaRowsEntries = 16384;

// Whether x·y + z is exact in binary64 for every finite x, y, z of these formats: from the product's largest
// possible bit (below 2^(emax_x + 1)·2^(emax_y + 1)) or z's, plus a carry, down to the lowest bit either can
// have (a subnormal step, or the product of two), at most 53 bits: fma_binades' span, hi + 1 − lo. e4m3fn: products
// below 2^18 in steps of 2^-18, z in steps of 2^-9: 37 bits. e5m2: 2^32 down to 2^-32: not exact.
bool fma_sum_exact(const Format* f) {
  int lo = 0, hi = 0;
  fma_binades(f, lo, hi);
  return hi + 1 - lo <= 53;
}

// Whether div_kernel's binary64 work is exact for every finite x and non-zero y of these formats:
//   - each operand decodes to a binary64 normal (its last bit at or above 2^-1022, below 2^1024), as for the
//     other operations (binary64_stays_normal); a format with a large bias could otherwise fall below;
//   - the quotient q = RN(x / y) is normal: |q| >= 2^((emin_x − man_x) − (emax_y + 1)) >= 2^-1022, and below
//     2^(emax_x + 1 − (emin_y − man_y)) <= 2^1023 (round_nearest reads q's bits as a normal number's);
//   - the residual x − q·y, a multiple of ulp(q)·lsb(y) >= 2^((emin_x − man_x) − (emax_y + 1) − 52 +
//     (emin_y − man_y)), has that step at or above 2^-1022: nothing underflows, so it is a binary64 number (the
//     remainder of a round-to-nearest division is exact: Bohlender, Walter, Kornerup and Matula, ARITH 1991)
//     and one fma gives it exactly.
// binary32 ÷ binary32: q at least 2^-277, below 2^277; residual steps at or above 2^(−149 − 128 − 52 − 149) =
// 2^-478. e8m0fnu ÷ e8m0fnu with bias −660 fails (q can be 2^-1041).
bool binary64_quotient_exact(const Format& x, const Format& y) {
  const Format both[2] = {x, y};
  if (!binary64_stays_normal(ArithOp::Div, both, 2)) return false;
  const int quotient_low = (x.emin() - x.man_bits()) - (y.emax() + 1);
  const int residual_low = quotient_low - 52 + (y.emin() - y.man_bits());
  const int high = (x.emax() + 1) - (y.emin() - y.man_bits());
  return quotient_low >= -1022 && residual_low >= -1022 && high <= 1023;
}

// Whether the integer rounders (Rounder::Nearest, Rounder::Stochastic) serve t's format: signed with a zero, codes
// sign | exponent | fraction with binary64-compatible field widths and range (the special codes lie above
// max_code).
bool integer_rounding_format(const Target& t) {
  const Format& f = t.format;
  return !t.daz && f.is_signed() && f.has_zero() && f.man_bits() >= 1 && f.man_bits() <= 51 && f.exp_bits() <= 11 &&
         f.emin() >= -1022 && f.emax() <= 1023;
}

// Whether Rounder::Nearest serves t: rne into an integer_rounding_format.
bool nearest_by_integers(const Target& t) {
  return t.rounding == Rounding::NearestEven && integer_rounding_format(t);
}

}  // namespace

ArithPlan::ArithPlan(ArithOp op, const Format& operands, const Target& t)
    : op_(op), arity_(arity(op)), formats_{operands, operands, operands}, t_(t) {
  choose_path();
}

ArithPlan::ArithPlan(ArithOp op, std::span<const Format> formats, const Target& t)
    : op_(op), arity_(arity(op)), t_(t) {
  if (formats.size() != static_cast<size_t>(arity_))
    throw std::invalid_argument(std::string("ArithPlan: ") + to_string(op) + " takes " + std::to_string(arity_) +
                                " operand formats, not " + std::to_string(formats.size()));
  for (int i = 0; i < arity_; ++i) formats_[i] = formats[i];
  for (int i = arity_; i < 3; ++i) formats_[i] = formats_[0];
  choose_path();
}

// The target's RoundingTable and the Rounder for s + err results (Nearest's constants and overflow results).
void ArithPlan::prepare_rounder() {
  rounding_table_ = rounding_table(t_);
  const bool stochastic = t_.rounding == Rounding::Stochastic;
  if (integer_rounding_format(t_) && (stochastic || t_.rounding == Rounding::NearestEven)) {
    rounder_ = stochastic ? Rounder::Stochastic : Rounder::Nearest;
    const Format& f = t_.format;
    nearest_.drop = 52 - f.man_bits();
    nearest_.dropped_mask = (uint64_t{1} << nearest_.drop) - 1;
    nearest_.half = uint64_t{1} << (nearest_.drop - 1);
    nearest_.normal_min = uint64_t(f.emin() + 1023) << 52;
    nearest_.rebias = uint64_t(1023 - f.bias()) << f.man_bits();
    nearest_.max_code = f.max_code().v;
    nearest_.sign_mask = f.sign_mask();
    nearest_.subnormals = f.subnormals();
    nearest_.tiny_before = t_.tininess == Tininess::BeforeRounding;
    nearest_.negative_zero = f.has_negative_zero();
    nearest_.tiny_below = bits_of(std::ldexp(1.0, f.emin()) - std::ldexp(1.0, f.emin() - f.man_bits() - 2));
    for (int sign = 0; sign < 2; ++sign)  // 2^(emax + 2) lies beyond every overflow threshold
      overflow_[sign] = round_pack(Exact{sign != 0, f.emax() + 2, 1, false}, t_, 0);
  } else {
    rounder_ = rounding_table_ ? Rounder::Table : Rounder::RoundPack;
  }
}

void ArithPlan::choose_path() {
  const Format& fa = formats_[0];
  const Format& fb = arity_ >= 2 ? formats_[1] : formats_[0];
  if (op_ != ArithOp::Fma && (op_table_ = op_table(op_, fa, fb, t_))) {  // nullptr: none applies, or no budget left
    kernel_ = &ArithPlan::table_kernel;
    return;
  }
  kernel_ = &ArithPlan::exact_kernel;
  if (op_ == ArithOp::Div) {
    if (t_.daz || !nearest_by_integers(t_) || !double_decodes(fa) || !double_decodes(fb) ||
        !binary64_quotient_exact(fa, fb))
      return;
    for (int i = 0; i < 2; ++i) decoders_[i] = make_decoder(formats_[i]);
    prepare_rounder();
    kernel_ = &ArithPlan::div_kernel;
    return;
  }
  const bool sum_or_product = op_ == ArithOp::Add || op_ == ArithOp::Sub || op_ == ArithOp::Mul || op_ == ArithOp::Fma;
  if (!sum_or_product || t_.daz) return;
  for (int i = 0; i < arity_; ++i)
    if (!double_decodes(formats_[i])) return;
  if ((op_ == ArithOp::Mul || op_ == ArithOp::Fma) && !fast_double_product_exact(fa, fb)) return;
  if (!binary64_stays_normal(op_, formats_, arity_)) return;
  for (int i = 0; i < arity_; ++i) decoders_[i] = make_decoder(formats_[i]);
  prepare_rounder();
  if (const Kernel k = f16c_kernel_for()) {
    kernel_ = k;
    fast_path_ = "f16c";
    // binary16's tininess threshold as a binary32 pattern: 2^-14 before rounding, 2^-14 − 2^-26 after
    f16c_tiny_below_ = nearest_.tiny_before ? 0x38800000u : 0x387FF000u;
    return;
  }
  if (const Kernel k = binary32_kernel_for()) {
    kernel_ = k;
    fast_path_ = "binary32";
    return;
  }
  if (const Kernel k = ieee_kernel_for()) {
    kernel_ = k;
    return;
  }
  bool all_tables = true;
  for (int i = 0; i < arity_; ++i) all_tables = all_tables && decoders_[i].values != nullptr;
  if (all_tables) {
    build_nan_results();
    if (op_ == ArithOp::Fma && rounding_table_ && rounding_table_->direct_index()) {
      const bool exact = fma_sum_exact(formats_);
      for (int sign = 0; sign < 2; ++sign) zero_sums_[sign] = round_pack(Exact{sign != 0, 0, 0, false}, t_, 0);
      int lo = 0, hi = 0;
      fma_binades(formats_, lo, hi);
      if (exact && nan_results_ && nan_results_->sign_decides && kFirstNanOrderedMulAdd &&
          RoundingTable::widened_fits(t_, lo, hi + 1, kMaxFmaRowsEntries)) {
        // Row hi + 1, beyond every finite sum, holds the NaN results by sign (table_fma_nan_row_kernel).
        auto rows = std::make_shared<RoundingTable>(t_, lo, hi + 1);
        for (int sign = 0; sign < 2; ++sign) rows->fill_row(hi + 1, sign != 0, nan_results_->by_sign[sign]);
        fma_rows_.table = std::move(rows);
        nan_row_pattern_ = uint64_t(hi + 1 + 1023) << 52;
        kernel_ = &ArithPlan::table_fma_nan_row_kernel;
        if (nan_row_kernel_agrees()) return;
      }
      if (RoundingTable::widened_fits(t_, lo, hi, kMaxFmaRowsEntries)) {  // checked before it is built
        fma_rows_.table = std::make_shared<const RoundingTable>(t_, lo, hi);
        kernel_ = exact ? &ArithPlan::table_fma_kernel<true, true> : &ArithPlan::table_fma_kernel<false, true>;
      } else {
        kernel_ = exact ? &ArithPlan::table_fma_kernel<true, false> : &ArithPlan::table_fma_kernel<false, false>;
      }
      return;
    }
    switch (op_) {
      case ArithOp::Add: kernel_ = &ArithPlan::table_decoded_kernel<ArithOp::Add>; return;
      case ArithOp::Sub: kernel_ = &ArithPlan::table_decoded_kernel<ArithOp::Sub>; return;
      case ArithOp::Mul: kernel_ = &ArithPlan::table_decoded_kernel<ArithOp::Mul>; return;
      default: kernel_ = &ArithPlan::table_decoded_kernel<ArithOp::Fma>; return;
    }
  }
  switch (op_) {
    case ArithOp::Add: kernel_ = &ArithPlan::double_kernel<ArithOp::Add>; break;
    case ArithOp::Sub: kernel_ = &ArithPlan::double_kernel<ArithOp::Sub>; break;
    case ArithOp::Mul: kernel_ = &ArithPlan::double_kernel<ArithOp::Mul>; break;
    default: kernel_ = &ArithPlan::double_kernel<ArithOp::Fma>; break;
  }
}

// ieee_kernel for this plan when every operand and the target are one of binary16, bfloat16, binary32 in rne.
ArithPlan::Kernel ArithPlan::ieee_kernel_for() const {
  if (rounder_ != Rounder::Nearest) return nullptr;
  const Format& f = t_.format;
  for (int i = 0; i < arity_; ++i)
    if (!(formats_[i] == f)) return nullptr;
  if (f.specials() != Specials::Ieee || !f.subnormals() || f.bias() != (1 << (f.exp_bits() - 1)) - 1) return nullptr;
  const auto pick = [this]<int E, int M>() -> Kernel {
    switch (op_) {
      case ArithOp::Add: return &ArithPlan::ieee_kernel<E, M, ArithOp::Add>;
      case ArithOp::Sub: return &ArithPlan::ieee_kernel<E, M, ArithOp::Sub>;
      case ArithOp::Mul: return &ArithPlan::ieee_kernel<E, M, ArithOp::Mul>;
      default: return &ArithPlan::ieee_kernel<E, M, ArithOp::Fma>;
    }
  };
  if (f.exp_bits() == 5 && f.man_bits() == 10) return pick.template operator()<5, 10>();
  if (f.exp_bits() == 8 && f.man_bits() == 7) return pick.template operator()<8, 7>();
  if (f.exp_bits() == 8 && f.man_bits() == 23) return pick.template operator()<8, 23>();
  return nullptr;
}

void ArithPlan::build_nan_results() {
  for (int i = 0; i < arity_; ++i)
    if (formats_[i].has_inf()) return;
  auto table = std::make_shared<NanResults>();
  int count[3] = {1, 1, 1};  // ids per operand: finite + its NaN codes
  std::vector<uint64_t> codes[3] = {{0}, {0}, {0}};  // the finite representative (+0 or the smallest code)
  for (int i = 0; i < arity_; ++i) {
    for (uint64_t code = 0; code <= formats_[i].code_mask(); ++code)
      if (std::isnan(decoders_[i].values[code])) {
        table->id[i][code] = static_cast<uint8_t>(count[i]++);
        codes[i].push_back(code);
      }
  }
  if (count[0] * count[1] * count[2] > 64) return;
  table->stride1 = count[0];
  table->stride2 = count[0] * count[1];
  table->results.resize(size_t(count[0] * count[1] * count[2]));
  // sign_decides: each NaN case's result depends only on the sign of its first NaN operand (in the order a, b, c).
  //   e4m3fn: (0x38, 0xFF, 0x7F) gives 0xFF, by_sign[1]; (0x7F, 0xFF, 0x00) gives 0x7F, by_sign[0].
  bool seen[2] = {false, false};
  table->sign_decides = count[0] * count[1] * count[2] > 1;
  for (int k2 = 0; k2 < count[2]; ++k2)
    for (int k1 = 0; k1 < count[1]; ++k1)
      for (int k0 = 0; k0 < count[0]; ++k0) {
        const Rounded r =
            exact_path(Bits{codes[0][size_t(k0)]}, Bits{codes[1][size_t(k1)]}, Bits{codes[2][size_t(k2)]}, 0);
        table->results[size_t(k0 + table->stride1 * k1 + table->stride2 * k2)] = r;
        if (k0 + k1 + k2 == 0) continue;
        const int i = k0 ? 0 : k1 ? 1 : 2, k = k0 ? k0 : k1 ? k1 : k2;
        const int sign = std::signbit(decoders_[i].values[codes[i][size_t(k)]]) ? 1 : 0;
        if (!seen[sign]) table->by_sign[sign] = r, seen[sign] = true;
        table->sign_decides = table->sign_decides && table->by_sign[sign] == r;
      }
  // A sign no NaN operand has (fnuz: every NaN decodes to −NaN) is never reached; it gets the other's result.
  if (!seen[0]) table->by_sign[0] = table->by_sign[1];
  if (!seen[1]) table->by_sign[1] = table->by_sign[0];
  nan_results_ = std::move(table);
}

const char* ArithPlan::path() const {
  if (kernel_ == &ArithPlan::table_kernel) return "table";
  if (kernel_ == &ArithPlan::exact_kernel) return "exact";
  if (fast_path_) return fast_path_;
  return "double";
}

Rounded ArithPlan::wrong_arity(int given) const {
  throw std::invalid_argument(std::string("ArithPlan: ") + to_string(op_) + " takes " + std::to_string(arity_) +
                              " operands, called with " + std::to_string(given));
}

Rounded ArithPlan::exact_path(Bits a, Bits b, Bits c, uint64_t random_bits) const {
  const Bits operands[3] = {a, b, c};
  return exact::apply(op_, operands, formats_, t_, random_bits);
}

Rounded ArithPlan::exact_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits) {
  return p.exact_path(a, b, c, random_bits);
}

Rounded ArithPlan::table_kernel(const ArithPlan& p, Bits a, Bits b, Bits, uint64_t) {
  return p.op_table_->lookup(a, p.arity_ == 1 ? Bits{0} : b);  // sqrt's entries sit at a * 256
}

// A finite operand into binary64; false for inf and NaN (the exact path handles them).
inline bool ArithPlan::decode(int i, Bits b, double& out) const {
  const Decoder& d = decoders_[i];
  if (d.values) {
    out = d.values[b.v & d.sign_mask];
    return std::isfinite(out);
  }
  // A normal code's fields go straight into binary64's (rebias the exponent, left-align the fraction); a
  // subnormal code is its fraction times 2^(emin − man_bits). Both are integer steps, exact, never subnormal.
  //   binary16 0x3555: field 13, fraction 0x155 -> (13 + 1008) << 52 | 0x155 << 42 = 0x3FD5540000000000 = 0.3333.
  //   binary16 0x0003: 3 · 2^-24.
  const uint32_t code = static_cast<uint32_t>(b.v);
  const uint32_t magnitude = code & ((d.sign_mask << 1) - 1) & ~d.sign_mask;
  const uint32_t field = magnitude >> d.man_bits, fraction = magnitude & ((1u << d.man_bits) - 1);
  if (field >= d.field_max) return false;
  const double v = field != 0 ? double_from_bits(uint64_t(field + d.exponent_offset) << 52 | uint64_t(fraction) << d.shift)
                              : static_cast<double>(fraction) * d.scale;
  // The sign by a bit operation: a branch on it would be mispredicted half the time on real data.
  const uint64_t sign = uint64_t{(code & d.sign_mask) != 0} << 63;
  out = double_from_bits(bits_of(v) | sign);
  return true;
}

// Rounder::Nearest: the exact s + err (s a non-zero normal binary64 with |err| <= half its ulp) rounded to
// nearest even by integer steps. Returns Done (out set), Overflow (the caller's precomputed result), or Other
// for the table or round_pack (zero, rounding boundaries, formats without subnormals below 2^emin). C is
// NearestConstants, or a constexpr copy of it so that a fixed-format kernel folds the constants (ieee_kernel).
//   Normal results: see the file comment. Subnormal results (|s| < 2^emin): the code is s's 53-bit significand
//   shifted right by d + (emin − E), rounded by the same bias trick; the shift is capped at 54, where every
//   significand (< 2^53, below half of 2^54) rounds to 0. A carry to 2^man_bits is exactly 2^emin's code.
//     binary16 (d = 42, emin −14), s = 3·2^-26 = 0x3E58000000000000: E = −25, shift 42 + 11 = 53; significand
//     0x18000000000000 + 2^52 − 1 + 0 >> 53 = 1: 2^-24, inexact, and underflow (tiny after rounding).
//   Tiny after rounding unless |s + err| >= 2^emin − 2^(emin − man_bits − 2) (it then rounds to 2^emin at an
//   unbounded exponent); s equal to that threshold with err != 0 goes to round_pack.
enum class Nearest : uint8_t { Done, Overflow, Other };

// v as a value the compiler must materialise: keeps `a & b` of two data-dependent tests one test, where the
// compiler would otherwise branch on each (and be mispredicted on real data).
[[gnu::always_inline]] inline uint64_t opaque(uint64_t v) {
  asm("" : "+r"(v));
  return v;
}

template <class C>
[[gnu::always_inline]] inline Nearest round_nearest(const C& n, double s, double err, Rounded& out) {
  const uint64_t bits = bits_of(s), magnitude = bits & ~(uint64_t{1} << 63), negative = bits >> 63;
  // Bitwise & and |, not && and ||: err == 0 is a coin toss on real data, and a branch on it would be
  // mispredicted half the time.
  const uint64_t inexact_err = err != 0;
  if (magnitude >= n.normal_min) {
    const uint64_t dropped = magnitude & n.dropped_mask;
    // On a rounding boundary (dropped bits 0 or exactly half) only when the bits below half are all zero.
    const uint64_t boundary = (dropped & (n.half - 1)) == 0;
    if (__builtin_expect(opaque(boundary) & inexact_err, 0)) return Nearest::Other;
    const uint64_t code = ((magnitude + (n.half - 1) + ((magnitude >> n.drop) & 1)) >> n.drop) - n.rebias;
    if (code > n.max_code) return Nearest::Overflow;
    out = {Bits{code | (n.sign_mask & (0 - negative))},
           static_cast<uint8_t>(((dropped != 0) | inexact_err) * flag::inexact)};
    return Nearest::Done;
  }
  if (!n.subnormals || magnitude == 0) return Nearest::Other;
  int shift = n.drop + static_cast<int>((n.normal_min - magnitude + ((uint64_t{1} << 52) - 1)) >> 52);
  if (shift > 54) shift = 54;
  const uint64_t sig = (magnitude & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52);
  const uint64_t dropped = sig & ((uint64_t{1} << shift) - 1), half = uint64_t{1} << (shift - 1);
  const uint64_t boundary = ((dropped & (half - 1)) == 0) | (magnitude == n.tiny_below);
  if (__builtin_expect(opaque(boundary) & inexact_err, 0)) return Nearest::Other;
  const uint64_t code = (sig + (half - 1) + ((sig >> shift) & 1)) >> shift;
  const uint64_t inexact = (dropped != 0) | inexact_err;
  const uint64_t tiny = n.tiny_before | (magnitude < n.tiny_below);
  const uint64_t keep_sign = negative & ((code != 0) | n.negative_zero);
  out = {Bits{code | (n.sign_mask & (0 - keep_sign))},
         static_cast<uint8_t>(inexact * flag::inexact | (inexact & tiny) * flag::underflow)};
  return Nearest::Done;
}

// Rounder::Stochastic: an exact s (err = 0, finite, non-zero), rounded as round_pack rounds sr and sr:K
// (round_decision.h: round_up) from s's own bit pattern. Returns false for what it leaves to round_pack: non-zero
// errors, zeros, and subnormal results of formats without subnormals or with nearest subnormals.
//   sr rounds up when the random word is below the 64-bit discarded fraction f (at or below it when bits beyond
//   f's 64 were dropped too: the sticky bit); sr:K when f's and the word's top K bits sum to 2^K or more.
//   Normal results (|s| >= 2^emin): the d = 52 − man_bits dropped bits of the pattern, left-aligned, are f (no
//   sticky: s is exact); the truncated code is the pattern shifted right by d and rebiased, and the added unit's
//   carry moves into the exponent field, or past max_code into the precomputed overflow result.
//     e5m2 (d = 50), s = 1.375 = 0x3FF6000000000000: truncated (0x3FF6000000000000 >> 50) − 0xFC0 = 0x3D (1.25),
//     f = 0x2000000000000 << 14 = 0x8000000000000000 (a half): a word below 2^63 gives 0x3E (1.5), inexact.
//   Subnormal results: keep = man_bits + 1 − (emin − E) bits of the 64-bit significand (round_decision.h: split),
//   the kept integer is the code itself (a carry to 2^man_bits is the code of 2^emin); tiny unless, with tininess
//   after rounding, an s just below 2^emin rounds up at full precision with the same word.
//     e4m3fn (emin −6), s = 3·2^-10 = 0x3F68000000000000: E = −9, keep = 4 − 3 = 1, significand 0xC000000000000000:
//     kept 1, f = 0x8000000000000000: a word below 2^63 gives code 2 (2^-8), inexact and underflow.
inline bool round_stochastic(const ArithPlan::NearestConstants& n, const Target& t, double s, double err,
                             uint64_t random_bits, const Rounded* overflow, Rounded& out) {
  const uint64_t bits = bits_of(s), magnitude = bits & ~(uint64_t{1} << 63), negative = bits >> 63;
  const int sr_bits = t.sr_bits;
  const bool exact_probability = sr_bits <= 0 || sr_bits >= 64;
  const auto round_up = [&](uint64_t fraction, bool sticky) -> uint64_t {
    if (exact_probability) return sticky ? random_bits <= fraction : random_bits < fraction;
    return ((fraction >> (64 - sr_bits)) + (random_bits >> (64 - sr_bits))) >> sr_bits;
  };
  if (err != 0 || magnitude == 0 || magnitude >= 0x7FF0000000000000ull) return false;
  if (magnitude >= n.normal_min) {
    const uint64_t fraction = (magnitude & n.dropped_mask) << (64 - n.drop);
    const uint64_t code = (magnitude >> n.drop) + round_up(fraction, false) - n.rebias;
    if (code > n.max_code) {
      out = overflow[negative];
      return true;
    }
    out = {Bits{code | (n.sign_mask & (0 - negative))}, static_cast<uint8_t>((fraction != 0) * flag::inexact)};
    return true;
  }
  if (!n.subnormals || t.sr_subnormal_nearest) return false;
  const int precision = 53 - n.drop;
  const int below = static_cast<int>(n.normal_min >> 52) - static_cast<int>(magnitude >> 52);  // emin − E >= 1
  const int keep = precision - below;
  const uint64_t significand = ((magnitude & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52)) << 11;
  // split() without branches (the kept width changes from call to call on real data): a left shift by
  // keep > 0 (kept = the bits shifted out, by two shifts so that keep = 0 keeps none), or a right shift by
  // −keep < 64 whose shifted-out bits are the sticky bit; keep <= −64 leaves only the sticky bit.
  const int left = keep > 0 ? keep : 0, right = keep < 0 ? (keep > -64 ? -keep : 63) : 0;
  const uint64_t in_range = keep > -64 ? ~uint64_t{0} : 0;
  const uint64_t kept = (significand >> (63 - left)) >> 1;
  const uint64_t fraction = ((significand << left) >> right) & in_range;
  const bool sticky = (((significand << (63 - right)) << 1) | ~in_range) != 0;
  const uint64_t code = kept + round_up(fraction, sticky);
  const bool inexact = fraction != 0 || sticky;
  // Tininess after rounding: an s just below 2^emin that rounds up at full precision (with the same word) to
  // 2^emin is not tiny.
  const uint64_t kept_full = significand >> (64 - precision), fraction_full = significand << precision;
  const bool tiny = n.tiny_before || below != 1 ||
                    !(round_up(fraction_full, false) & (kept_full + 1 == (uint64_t{1} << precision)));
  const uint64_t keep_sign = negative & ((code != 0) | n.negative_zero);
  out = {Bits{code | (n.sign_mask & (0 - keep_sign))},
         static_cast<uint8_t>(inexact * flag::inexact | (inexact && tiny) * flag::underflow)};
  return true;
}

// The exact value s + err (s = RN(x + y), err its TwoSum error) rounded into the target.
inline Rounded ArithPlan::round_exact(double s, double err, double x, double y, uint64_t random_bits) const {
  if (rounder_ == Rounder::Nearest) {
    Rounded r;
    const Nearest how = round_nearest(nearest_, s, err, r);
    if (how == Nearest::Done) return r;
    if (how == Nearest::Overflow) return overflow_[bits_of(s) >> 63];
  } else if (rounder_ == Rounder::Stochastic) {
    Rounded r;
    if (round_stochastic(nearest_, t_, s, err, random_bits, overflow_, r)) return r;
  } else if (rounder_ == Rounder::Table && std::isnormal(s)) {
    return rounding_table_->round_double(s, err);
  }
  return round_sum_with(x, y, rounding_table_, t_, random_bits);
}

// u + v (u·v for mul, with u = x·y for fma) from finite binary64 operands whose sum is finite: exact by
// TwoSum or an exact product, then rounded. A zero product keeps its own sign (−0·x = −0), which the zero-sum
// rule of round_sum_with would not give it.
template <ArithOp kOp>
inline Rounded ArithPlan::combine(double u, double v, uint64_t random_bits) const {
  if constexpr (kOp == ArithOp::Mul) {
    const double product = u * v;  // exact: product_exact
    if (product == 0) return round_pack(Exact{std::signbit(product), 0, 0, false}, t_, random_bits);
    return round_exact(product, 0.0, product, 0.0, random_bits);
  } else {
    double s, err;
    two_sum(u, v, s, err);
    return round_exact(s, err, u, v, random_bits);
  }
}

// The addends (or factors, for mul) of x op y, and x·y + z for fma (x·y exact: product_exact).
template <ArithOp kOp>
inline void addends(double x, double y, double z, double& u, double& v) {
  u = kOp == ArithOp::Fma ? x * y : x;
  v = kOp == ArithOp::Fma ? z : kOp == ArithOp::Sub ? -y : y;
}

template <ArithOp kOp>
Rounded ArithPlan::double_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits) {
  double x, y, z = 0, u, v;
  if (!p.decode(0, a, x) || !p.decode(1, b, y) || (kOp == ArithOp::Fma && !p.decode(2, c, z)))
    return p.exact_path(a, b, c, random_bits);
  addends<kOp>(x, y, z, u, v);
  // TwoSum needs a finite sum; only formats near binary64's range can overflow it.
  if (!std::isfinite(kOp == ArithOp::Mul ? u * v : u + v) || !native_rounds_to_nearest())
    return p.exact_path(a, b, c, random_bits);
  return p.combine<kOp>(u, v, random_bits);
}

// x / y in rne: q = RN(x / y) in binary64 and the residual r = x − q·y, exact by one fma
// (binary64_quotient_exact), so the exact quotient is q + r/y with |r/y| <= half of q's ulp, and r = 0 iff q is
// the exact quotient. round_nearest reads only whether its error term is zero (it hands rounding boundaries
// back), so r serves as that term. (Into a target of <= 24 bits an inexact quotient of such operands is never
// on a boundary in binary64; into a wider one, e.g. e8m51, it can be, and r sends it to the exact path.)
//   binary16 1 ÷ 3: q = 0x3FD5555555555555, r = 1 − 3q = 2^-54 (not 0); q's 42 dropped bits 0x15555555555 are
//   neither 0 nor half: code 0x3555 (0.33325), inexact.
Rounded ArithPlan::div_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits) {
  double x, y;
  if (!p.decode(0, a, x) || !p.decode(1, b, y) || y == 0 || !native_rounds_to_nearest())
    return p.exact_path(a, b, c, random_bits);
  const double q = x / y, r = std::fma(-q, y, x);
  Rounded out;
  const Nearest how = round_nearest(p.nearest_, q, r, out);
  if (how == Nearest::Done) return out;
  if (how == Nearest::Overflow) return p.overflow_[bits_of(q) >> 63];
  return p.exact_path(a, b, c, random_bits);  // zero quotients, rounding boundaries
}

// The same kernel for one format throughout (operands and target) in rne, the format one of binary16,
// bfloat16 and binary32 (IEEE fields, default bias, subnormals): E exponent and M fraction bits as constants,
// so the decode and the rounding are a few immediate shifts and adds.
//   Decode: a normal code's magnitude shifted left by 52 − M puts its exponent field at binary64's, then
//   + (1023 − bias) << 52 rebiases it (binary16 0x3C00 << 42 = 0x00F0000000000000, + 1008 << 52 =
//   0x3FF0000000000000 = 1.0); a subnormal code is its fraction times 2^(1 − bias − M).
//   Sums: when every sum of two values spans <= 53 bits (binary16: 2^15 down to 2^-24) it is exact, err = 0.
template <int E, int M, ArithOp kOp>
Rounded ArithPlan::ieee_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits) {
  constexpr uint32_t kSign = uint32_t{1} << (E + M), kMagnitude = kSign - 1;
  constexpr uint32_t kInfCode = ((uint32_t{1} << E) - 1) << M;
  constexpr int kBias = (1 << (E - 1)) - 1, kDrop = 52 - M;
  constexpr uint64_t kRebias = uint64_t(1023 - kBias) << 52;
  constexpr bool kExactSums = kBias - (1 - kBias - M) + 2 <= 53;
  const uint32_t ca = static_cast<uint32_t>(a.v), cb = static_cast<uint32_t>(b.v), cc = static_cast<uint32_t>(c.v);
  const bool finite = ((ca & kMagnitude) < kInfCode) & ((cb & kMagnitude) < kInfCode) &
                      (kOp != ArithOp::Fma || (cc & kMagnitude) < kInfCode);
  if (!finite || !native_rounds_to_nearest()) return p.exact_path(a, b, c, random_bits);
  constexpr double kStep = double_from_bits(uint64_t(1 - kBias - M + 1023) << 52);  // a subnormal code's step
  const auto decode = [](uint32_t code) {
    const uint32_t magnitude = code & kMagnitude;
    const double v = (magnitude >> M) != 0 ? double_from_bits((uint64_t{magnitude} << kDrop) + kRebias)
                                          : static_cast<double>(magnitude) * kStep;
    return double_from_bits(bits_of(v) | (uint64_t{code & kSign} << (63 - E - M)));
  };
  const double x = decode(ca), y = decode(cb);
  double s, err = 0, u = 0, v = 0;
  if constexpr (kOp == ArithOp::Mul) {
    s = x * y;  // exact: 2·(M + 1) <= 48 bits
    if (s == 0) return round_pack(Exact{std::signbit(s), 0, 0, false}, p.t_, random_bits);
  } else {
    u = kOp == ArithOp::Fma ? x * y : x;  // x·y exact
    v = kOp == ArithOp::Fma ? decode(cc) : (kOp == ArithOp::Sub ? -y : y);
    if (kOp != ArithOp::Fma && kExactSums) s = u + v;
    else two_sum(u, v, s, err);
  }
  // Rounder::Nearest with the format's constant fields.
  static constexpr NearestConstants kNearest = [] {
    NearestConstants n;
    n.drop = kDrop;
    n.dropped_mask = (uint64_t{1} << kDrop) - 1;
    n.half = uint64_t{1} << (kDrop - 1);
    n.normal_min = uint64_t(1 - kBias + 1023) << 52;
    n.rebias = kRebias >> kDrop;
    n.max_code = kInfCode - 1;
    n.sign_mask = kSign;
    n.subnormals = true;
    n.negative_zero = true;
    // 2^emin − 2^(emin − M − 2): the binade below 2^emin with all M + 1 fraction bits set, as a pattern.
    n.tiny_below = (uint64_t(1 - kBias + 1023 - 1) << 52) | (((uint64_t{1} << (M + 1)) - 1) << (52 - M - 1));
    return n;
  }();
  NearestConstants n = kNearest;
  n.tiny_before = p.nearest_.tiny_before;
  Rounded r;
  const Nearest how = round_nearest(n, s, err, r);
  if (how == Nearest::Done) return r;
  if (how == Nearest::Overflow) return p.overflow_[bits_of(s) >> 63];
  // Zero or subnormal results and rounding boundaries: rounded by the table or round_pack (from the two
  // addends, so that an exact zero sum gets IEEE's sign: −0 + −0 = −0).
  if constexpr (kOp == ArithOp::Mul) return round_sum_with(s, 0.0, p.rounding_table_, p.t_, random_bits);
  else return round_sum_with(u, v, p.rounding_table_, p.t_, random_bits);
}

// double_kernel for operands that are all table-decoded (<= 8-bit formats): one load per operand, and one
// finiteness test on the result instead of one per operand (an inf or NaN operand makes it inf or NaN, and
// sums and products of these formats' finite values stay finite: binary64_stays_normal, product_exact).
template <ArithOp kOp>
Rounded ArithPlan::table_decoded_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits) {
  const Decoder *d = p.decoders_;
  const double x = d[0].values[a.v & d[0].sign_mask], y = d[1].values[b.v & d[1].sign_mask];
  const double z = kOp == ArithOp::Fma ? d[2].values[c.v & d[2].sign_mask] : 0.0;
  double u, v;
  addends<kOp>(x, y, z, u, v);
  if (!std::isfinite(kOp == ArithOp::Mul ? u * v : u + v)) {
    if (const NanResults* nan = p.nan_results_.get()) {
      const size_t k = nan->index(a.v & d[0].sign_mask, b.v & d[1].sign_mask,
                                  kOp == ArithOp::Fma ? c.v & d[2].sign_mask : 0);
      if (k != 0) return nan->results[k];
    }
    return p.exact_path(a, b, c, random_bits);
  }
  if (!native_rounds_to_nearest()) return p.exact_path(a, b, c, random_bits);
  return p.combine<kOp>(u, v, random_bits);
}

// fma of table-decoded operands into a target with a RoundingTable (every deterministic mode), rounded by the
// table's direct index (one load; no branch on the result's range, which on wide-range data changes at random
// between subnormal, normal and overflowing). s = x·y + z (x·y exact):
//   kExactSum (fma_sum_exact: e4m3 and its fn/fnuz variants, e3m4, e2m3, e3m2, e2m1, p3109_k8p4s*, and mixes
//   such as e4m3fn·e5m2 + e4m3fn (51 bits)): s is exact in any native mode;
//   otherwise (e5m2 throughout, whose x·y + z can span 65 bits): s by TwoSum, which needs round-to-nearest
//   arithmetic; a non-zero error (addends more than 53 bits apart, rare on real data) goes to the general kernel.
// An s that is zero, inf or NaN means an exact zero sum (its sign follows IEEE 754 6.3 and the mode), a special
// operand, or a sum beyond binary64's range (finite operands of formats with very negative biases): all three go to
// exact_sum_fma_rare. One unsigned compare tests all three: the magnitude's pattern minus 1 is below
// 0x7FEFFFFFFFFFFFFF exactly for non-zero finite s (0 wraps to 2^64 − 1; +inf 0x7FF0000000000000 and NaN
// patterns lie above).
//   e4m3fn 0x38 · 0x38 + 0x00 (1·1 + 0): s = 1.0, the table's entry for E = 0, top 0b1000, no sticky: 0x38.
template <bool kExactSum, bool kInRows>
Rounded ArithPlan::table_fma_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits) {
  const Decoder* d = p.decoders_;
  // The low byte indexes each 256-entry table directly: decode_table fills entry k with the value of code k & mask,
  // so a code's bits above its format's width are ignored without loading the mask.
  const double product = d[0].values[a.v & 0xFF] * d[1].values[b.v & 0xFF];
  const double z = d[2].values[c.v & 0xFF];
  double s, err = 0;
  if constexpr (kExactSum) s = product + z;
  else two_sum(product, z, s, err);
  const uint64_t magnitude = bits_of(s) & ~(uint64_t{1} << 63);
  if (__builtin_expect(magnitude - 1 >= 0x7FEFFFFFFFFFFFFFull, 0)) return p.exact_sum_fma_rare(a, b, c, random_bits);
  if constexpr (!kExactSum)
    if (__builtin_expect(err != 0, 0) || !native_rounds_to_nearest())
      return table_decoded_kernel<ArithOp::Fma>(p, a, b, c, random_bits);
  if constexpr (kInRows) return p.fma_rows_.table->round_exact_in_rows(s);
  else return p.rounding_table_->round_exact_double(s);
}

// table_fma_kernel<true, true> for operands without infinities whose NaN results depend only on the sign of the
// first NaN operand (NanResults::sign_decides: e4m3fn, e4m3fnuz, e4m3b11fnuz, the finite p3109 formats, and mixes
// of them), with no branch on a NaN operand. On wide-range data a quarter of e4m3fn calls have one (values past 448 encode to NaN without
// saturation), at random, and table_fma_kernel's branch to exact_sum_fma_rare was mispredicted on each.
// A NaN operand decodes to a binary64 NaN with its sign, and mul_then_add's NaN is the first NaN operand's
// (x86 SSE: a NaN operand of mulsd or addsd is the result, the first source's when both are). Its magnitude, above
// every finite sum's, is clamped to 2^(hi + 1), a row no finite sum reaches, which holds the NaN results by sign.
//   e4m3fn (rows −18 .. 19): 0xFF · 0x38 + 0x7F = −NaN · 1 + NaN = −NaN (0xFFF8000000000000): its magnitude is
//   clamped to 2^19 = 0x4120000000000000, row 19 of the − sign: 0xFF, no flags. 0x38 · 0x38 + 0x00 = 1.0: row 0, 0x38.
// An exact zero sum (IEEE 754 6.3's sign) still branches to exact_sum_fma_rare. nan_row_kernel_agrees checks every
// NaN case on this machine before the plan takes the kernel.
Rounded ArithPlan::table_fma_nan_row_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits) {
  const Decoder* d = p.decoders_;
  const double s = mul_then_add(d[0].values[a.v & 0xFF], d[1].values[b.v & 0xFF], d[2].values[c.v & 0xFF]);
  const uint64_t bits = bits_of(s), magnitude = bits & ~(uint64_t{1} << 63);
  if (__builtin_expect(magnitude == 0, 0)) return p.exact_sum_fma_rare(a, b, c, random_bits);
  return RoundingTable::unpack(p.fma_rows_.table->entry_in_rows(bits >> 63, std::min(magnitude, p.nan_row_pattern_)));
}

// Whether table_fma_nan_row_kernel gives nan_results_'s answer for every NaN case (each NaN code of each operand,
// with the others finite or NaN) on this processor, and the exact path's for finite operands whose sum is not
// symmetric in them (a mul_then_add that read its operands in another order would fail it). Only a processor or
// assembler that broke mul_then_add's order would fail this; the fallback it guards is not reachable in the tests.
bool ArithPlan::nan_row_kernel_agrees() const {
  const NanResults& nan = *nan_results_;
  // 27 finite triples (codes 0, 97, 194 of each operand, masked): enough to see operands read out of order, at a
  // plan's start-up cost of a few dozen exact-path calls; the tests check every case.
  for (uint64_t a = 0; a < 256; a += 97)
    for (uint64_t b = 0; b < 256; b += 97)
      for (uint64_t c = 0; c < 256; c += 97) {
        const Bits x{a & formats_[0].code_mask()}, y{b & formats_[1].code_mask()}, z{c & formats_[2].code_mask()};
        if (nan.index(x.v, y.v, z.v) == 0 && table_fma_nan_row_kernel(*this, x, y, z, 0) != exact_path(x, y, z, 0))
          return false;
      }
  std::vector<uint64_t> codes[3];
  for (int i = 0; i < 3; ++i)
    for (uint64_t code = 0; code < 256; ++code)
      if (code == 0 || nan.id[size_t(i)][code] != 0) codes[i].push_back(code);
  for (uint64_t a : codes[0])
    for (uint64_t b : codes[1])
      for (uint64_t c : codes[2])
        if (const size_t k = nan.index(a, b, c);
            k != 0 && table_fma_nan_row_kernel(*this, Bits{a}, Bits{b}, Bits{c}, 0) != nan.results[k])
          return false;
  return true;
}

Rounded ArithPlan::exact_sum_fma_rare(Bits a, Bits b, Bits c, uint64_t random_bits) const {
  const Decoder* d = decoders_;
  const uint64_t ia = a.v & d[0].sign_mask, ib = b.v & d[1].sign_mask, ic = c.v & d[2].sign_mask;
  if (nan_results_)
    if (const size_t k = nan_results_->index(ia, ib, ic); k != 0) return nan_results_->results[k];
  const double x = d[0].values[ia], y = d[1].values[ib], z = d[2].values[ic];
  // An exact zero sum (x·y is exact, and a non-zero x·y + z is a multiple of 2^-1022 by binary64_stays_normal, so it
  // cannot round to zero even with flush-to-zero set): IEEE 754 6.3's sign, then the target's zero. On data with
  // many zero codes (FP4 and FP6 from small values) this case is common, and round_pack per call cost 10–15 ns.
  //   e2m1fn 0x00 · 0x02 + 0x08 (0 · 1 + −0): +0 + −0 in rne is +0: zero_sums_[0], 0x00 with no flags.
  const double product = x * y, sum = product + z;
  if (sum == 0) return zero_sums_[zero_sum_sign(std::signbit(product), std::signbit(z), t_.rounding)];
  // Special operands, and finite ones whose sum leaves binary64's range (formats with biases far below their
  // defaults: e5m2,bias=-480 products near 2^1020 beside an addend near 2^1023), take the exact path.
  if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z) || !std::isfinite(sum))
    return exact_path(a, b, c, random_bits);
  return round_sum_with(product, z, rounding_table_, t_, random_bits);
}

}  // namespace fpsim
