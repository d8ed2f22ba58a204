// Array arithmetic: one path decision per call, then a tight loop (see fast_arrays.h). The double
// paths repeat the arguments of fast_double.cpp (decode by shift and power-of-two scale, TwoSum error
// term, products exact when precision_a + precision_b <= 53 within binary64's range) and reduce to
// the same canonical Exact / rounding table, so they agree with the scalar paths bit for bit.
#include "numerics/fast_arrays.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <string>

#include "numerics/arith_kernel.h"
#include "numerics/arith_wide.h"
#include "numerics/fast_arrays_avx2.h"
#include "numerics/fast_double.h"
#include "numerics/fast_rounding_table.h"
#include "numerics/fp_environment.h"
#include "numerics/nan_rules.h"
#include "numerics/op_tables.h"

static_assert(FLT_EVAL_METHOD == 0, "the double fast paths need binary64 evaluation without excess precision");
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace fpsim {
namespace {

// Decoder of a fast-decodable format (fast_double_decodes): code -> double by a shift into a
// binary32 pattern and an exact power-of-two scale (the argument is in fast_double.cpp).
struct Decoder {
  int shift;
  uint32_t sign_mask, magnitude_mask, special_from;
  double scale;
  explicit Decoder(const Format& f)
      : shift(23 - f.man_bits()),
        sign_mask(static_cast<uint32_t>(f.sign_mask())),
        magnitude_mask(static_cast<uint32_t>(f.code_mask() & ~f.sign_mask())),
        special_from(static_cast<uint32_t>(f.exp_field_max() << f.man_bits())),
        scale(double_from_bits(uint64_t(127 - f.bias() + 1023) << 52)) {}
  // false for inf / NaN codes.
  bool operator()(uint32_t code, double& out) const {
    const uint32_t magnitude = code & magnitude_mask;
    if (magnitude >= special_from) return false;
    const double v = static_cast<double>(float_from_bits(magnitude << shift)) * scale;
    out = (code & sign_mask) ? -v : v;
    return true;
  }
};

// The canonical Exact of s + err (both finite, s non-zero), as the exact path builds it.
inline Exact exact_of(double s, double err) {
  auto term = [](double d) {
    const uint64_t bits = bits_of(d);
    const uint64_t field = (bits >> 52) & 0x7ff, man = bits & ((uint64_t{1} << 52) - 1);
    return detail::Term{(bits >> 63) != 0, field ? int32_t(field) - 1075 : -1074,
                        field ? (man | (uint64_t{1} << 52)) : man};
  };
  bool zero = false;
  if (err == 0) {
    const detail::Term t = term(s);
    return Exact{t.sign, t.exp, static_cast<uint64_t>(t.sig), false};
  }
  return detail::sum_terms(term(s), term(err), zero);
}

enum class Kind { Add, Sub, Mul, Fma };

// What the vector kernel's scalar callback needs to compute element i with the scalar operation.
struct ScalarContext {
  ArithOp op;
  const uint32_t *a, *b, *c;
  const Format* formats;
  const Target* t;
  const uint64_t* random;  // element i's random word (stochastic rounding), else null
};

uint32_t scalar_element(size_t i, void* context, uint8_t& flags) {
  const auto& c = *static_cast<const ScalarContext*>(context);
  const Bits x[3] = {Bits{c.a[i]}, Bits{c.b ? c.b[i] : 0u}, Bits{c.c ? c.c[i] : 0u}};
  const Rounded r = apply(c.op, x, c.formats, *c.t, c.random ? c.random[i] : 0);
  flags |= r.flags;
  return static_cast<uint32_t>(r.bits.v);
}

// The double-path loop. `table` is the rounding table or nullptr (round_pack per element).
template <Kind K>
uint8_t double_loop(std::span<const uint32_t> a, const Format& fa, std::span<const uint32_t> b, const Format& fb,
                    std::span<const uint32_t> c, const Format& fc, std::span<uint32_t> out, const Target& t,
                    const RoundingTable* table, const RandomStream* stream, uint64_t offset) {
  const Decoder da(fa), db(fb), dc(fc);
  const ArithOp op = K == Kind::Add ? ArithOp::Add : K == Kind::Sub ? ArithOp::Sub : K == Kind::Mul ? ArithOp::Mul : ArithOp::Fma;
  const Format formats[3] = {fa, fb, fc};
  uint8_t flags = 0;
  const size_t n = out.size();
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = stream ? stream->bits(offset + i) : 0;
    double x, y, z = 0;
    Rounded res;
    bool done = false;
    if (da(a[i], x) && db(b[i], y) && (K != Kind::Fma || dc(c[i], z))) {
      double s, err = 0;
      if constexpr (K == Kind::Mul) {
        s = x * y;  // exact: the caller checked precision and range
      } else {
        if constexpr (K == Kind::Sub) y = -y;
        if constexpr (K == Kind::Fma) { x = x * y; y = z; }  // the exact product, then a sum
        s = x + y;
        const double bb = s - x;
        err = (x - (s - bb)) + (y - bb);  // TwoSum: x + y = s + err exactly
      }
      if (std::isnormal(s)) {
        res = table ? table->round_double(s, err) : round_pack(exact_of(s, err), t, r);
        done = true;
      }
    }
    if (!done) {  // specials, zeros, subnormal doubles: the scalar operation
      const Bits x3[3] = {Bits{a[i]}, Bits{b[i]}, Bits{K == Kind::Fma ? c[i] : 0u}};
      res = apply(op, x3, formats, t, r);
    }
    out[i] = static_cast<uint32_t>(res.bits.v);
    flags |= res.flags;
  }
  return flags;
}

enum class Path { Table, Lanes, Double, Scalar };

Path choose_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t) {
  const int k = arity(op);
  if (op_table(op, fa, k >= 2 ? fb : fa, t)) return Path::Table;
  detail::LanePlan plan;
  if (detail::make_lane_plan(op, fa, fb, fc, t, plan)) return Path::Lanes;
  const bool decodable = !t.daz && fast_double_decodes(fa) && (k < 2 || fast_double_decodes(fb)) &&
                         (k < 3 || fast_double_decodes(fc));
  const bool product_ok = fast_double_product_exact(fa, fb);
  if (decodable && (op == ArithOp::Add || op == ArithOp::Sub || ((op == ArithOp::Mul || op == ArithOp::Fma) && product_ok)))
    return Path::Double;
  return Path::Scalar;
}

}  // namespace

const char* array_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t) {
  switch (choose_path(op, fa, fb, fc, t)) {
    case Path::Table: return "table";
    case Path::Lanes: return "lanes";
    case Path::Double: return "double";
    case Path::Scalar: break;
  }
  return "scalar";
}

uint8_t apply_array(ArithOp op, std::span<const uint32_t> a, const Format& fa, std::span<const uint32_t> b,
                    const Format& fb, std::span<const uint32_t> c, const Format& fc, std::span<uint32_t> out,
                    const Target& t, const RandomStream* stream, uint64_t offset) {
  const size_t n = out.size();
  const int k = arity(op);
  if (a.size() < n || (k >= 2 && b.size() < n) || (k == 3 && c.size() < n))
    throw std::invalid_argument(std::string("apply_array: ") + to_string(op) + " operand arrays are shorter than the output");
  if (t.format.total_bits() > 32 || fa.total_bits() > 32 || (k >= 2 && fb.total_bits() > 32) ||
      (k == 3 && fc.total_bits() > 32))
    throw std::invalid_argument("apply_array: codes are stored in 32 bits; formats must have <= 32 bits");
  const bool sr = t.rounding == Rounding::Stochastic;
  if (sr && !stream) throw std::invalid_argument("apply_array: stochastic rounding needs a random stream");
  if (!sr) stream = nullptr;  // deterministic modes draw no random words
  const IeeeDefaultFp fp;     // the native-arithmetic paths need round-to-nearest without FTZ/DAZ

  const Path path = choose_path(op, fa, fb, fc, t);
  if (path == Path::Table) {  // <= 8-bit operands and result, deterministic mode
    const uint16_t* e = op_table(op, fa, k >= 2 ? fb : fa, t)->entries();
    if (detail::avx2_available()) return detail::avx2_op_table_loop(a.data(), k >= 2 ? b.data() : nullptr, e, out.data(), n);
    uint32_t all = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint16_t v = e[((a[i] & 0xff) << 8) | (k >= 2 ? b[i] & 0xff : 0)];
      out[i] = v & 0xff;
      all |= v;
    }
    return static_cast<uint8_t>(all >> 8);
  }
  if (path == Path::Lanes) {  // results in the target's normal range; the scalar operation for the rest
    detail::LanePlan plan;
    detail::make_lane_plan(op, fa, fb, fc, t, plan);
    const QuantKernel isa = resolve_kernel(QuantKernel::Auto);
    const Format formats[3] = {fa, fb, fc};
    const uint32_t* bp = k >= 2 ? b.data() : nullptr;
    const uint32_t* cp = k == 3 ? c.data() : nullptr;
    if (!sr) {
      ScalarContext context{op, a.data(), bp, cp, formats, &t, nullptr};
      return detail::run_lane_kernel(isa, plan, a.data(), bp, cp, nullptr, out.data(), n, scalar_element, &context);
    }
    // Stochastic rounding: random words for a chunk at a time (stream->bits(offset + i) for element i).
    constexpr size_t kChunk = 2048;
    uint64_t random[kChunk];
    uint8_t flags = 0;
    for (size_t start = 0; start < n; start += kChunk) {
      const size_t len = std::min(kChunk, n - start);
      stream->fill(offset + start, std::span<uint64_t>(random, len));
      const uint32_t* bs = bp ? bp + start : nullptr;
      const uint32_t* cs = cp ? cp + start : nullptr;
      ScalarContext context{op, a.data() + start, bs, cs, formats, &t, random};
      flags |= detail::run_lane_kernel(isa, plan, a.data() + start, bs, cs, random, out.data() + start, len,
                                       scalar_element, &context);
    }
    return flags;
  }
  if (path == Path::Double) {  // fast-decodable operands the lanes decline (stochastic div has no double loop)
    const RoundingTable* table = sr ? nullptr : rounding_table(t);
    switch (op) {
      case ArithOp::Add: return double_loop<Kind::Add>(a, fa, b, fb, c, fc, out, t, table, stream, offset);
      case ArithOp::Sub: return double_loop<Kind::Sub>(a, fa, b, fb, c, fc, out, t, table, stream, offset);
      case ArithOp::Mul: return double_loop<Kind::Mul>(a, fa, b, fb, c, fc, out, t, table, stream, offset);
      case ArithOp::Fma: return double_loop<Kind::Fma>(a, fa, b, fb, c, fc, out, t, table, stream, offset);
      default: break;
    }
  }
  // Everything else: the scalar operation per element.
  const Format formats[3] = {fa, fb, fc};
  uint8_t flags = 0;
  for (size_t i = 0; i < n; ++i) {
    const Bits x[3] = {Bits{a[i]}, Bits{k >= 2 ? b[i] : 0u}, Bits{k == 3 ? c[i] : 0u}};
    const Rounded r = apply(op, x, formats, t, stream ? stream->bits(offset + i) : 0);
    out[i] = static_cast<uint32_t>(r.bits.v);
    flags |= r.flags;
  }
  return flags;
}

}  // namespace fpsim
