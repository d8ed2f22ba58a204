// Every fast path agrees with the exact path: the 256x256 tables for <= 8-bit formats, and the
// native-double paths for binary16 / bfloat16 / tf32 / binary32 (and other fast-decodable) operands.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "numerics/arith/internal/arith_wide.h"
#include "numerics/fast/internal/fast_double.h"
#include "numerics/fast/internal/fast_rounding_table.h"
#include "numerics/fast/internal/op_tables.h"
#include "numerics/reference/oracle.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

const std::vector<std::string> eight_bit = {"e5m2",         "e4m3fn",       "e4m3fnuz",    "e5m2fnuz",
                                            "e4m3b11fnuz",  "e4m3",         "e3m4",        "e2m3fn",
                                            "e2m1fn",       "e8m0fnu",      "p3109_k8p3se", "p3109_k8p4ue",
                                            "p3109_k8p1sf"};
const Rounding deterministic[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero,
                                  Rounding::Up,          Rounding::Down,        Rounding::Odd};

// Compare every entry of the table for (op, fa, fb, t) with the exact path; returns mismatches.
size_t table_mismatches(ArithOp op, const Format& fa, const Format& fb, const Target& t) {
  const OpTable* table = op_table(op, fa, fb, t);
  REQUIRE(table != nullptr);
  const Format formats[2] = {fa, fb};
  size_t bad = 0;
  const int nb = op == ArithOp::Sqrt ? 1 : 256;
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < nb; ++b) {
      const Bits x[2] = {Bits{uint64_t(a)}, Bits{uint64_t(b)}};
      // The table is built by exact::apply, so this checks its indexing and the masking of narrower
      // formats; the values themselves are checked against the independent MPFR oracle below.
      const Rounded entry = table->lookup(x[0], x[1]);
      if (entry != exact::apply(op, x, formats, t)) ++bad;
      if (apply(op, x, formats, t) != entry) ++bad;  // the dispatching entry point serves the table
      const bool in_width = a < (1 << fa.total_bits()) && (op == ArithOp::Sqrt || b < (1 << fb.total_bits()));
      if (in_width && (a * 256 + b) % 61 == 0) {  // the oracle takes codes of the format's width only
        const int n = arity(op);
        const Rounded want = reference::oracle_op(static_cast<reference::Op>(op), std::span<const Bits>(x, n),
                                                  std::span<const Format>(formats, n), t);
        if (entry != want) ++bad;
      }
    }
  return bad;
}

TEST_CASE("op tables equal the exact path for every operand pair (rne and rdn, sample)", "[tables]") {
  for (const std::string& name : eight_bit) {
    const Format f = parse_format(name);
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Sqrt})
      for (Rounding r : {Rounding::NearestEven, Rounding::Down}) {
        Target t;
        t.format = f;
        t.rounding = r;
        INFO(name << " " << to_string(op) << " " << to_string(r));
        CHECK(table_mismatches(op, f, f, t) == 0);
      }
  }
  // Mixed operand formats and a different result format, saturating.
  Target t;
  t.format = parse_format("e4m3fn");
  t.overflow = Overflow::Saturate;
  CHECK(table_mismatches(ArithOp::Mul, parse_format("e5m2"), parse_format("e2m1fn"), t) == 0);
}

TEST_CASE("op tables equal the exact path in every deterministic mode and option", "[tables][long]") {
  for (const std::string& name : eight_bit) {
    const Format f = parse_format(name);
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Sqrt})
      for (Rounding r : deterministic)
        for (Overflow o : {Overflow::Ieee, Overflow::Saturate})
          for (Tininess tin : {Tininess::AfterRounding, Tininess::BeforeRounding}) {
            Target t;
            t.format = f;
            t.rounding = r;
            t.overflow = o;
            t.tininess = tin;
            INFO(name << " " << to_string(op) << " " << to_string(r) << " " << to_string(o) << " " << to_string(tin));
            CHECK(table_mismatches(op, f, f, t) == 0);
          }
  }
}

TEST_CASE("tables are not used where they cannot be exact", "[tables]") {
  Target t;
  t.format = parse_format("e5m2");
  const Format e5m2 = parse_format("e5m2");
  CHECK(op_table(ArithOp::Add, e5m2, e5m2, t) != nullptr);
  t.rounding = Rounding::Stochastic;
  CHECK(op_table(ArithOp::Add, e5m2, e5m2, t) == nullptr);
  t.rounding = Rounding::NearestEven;
  CHECK(op_table(ArithOp::Fma, e5m2, e5m2, t) == nullptr);
  CHECK(op_table(ArithOp::Add, parse_format("binary16"), e5m2, t) == nullptr);
}

struct Mismatch {
  size_t count = 0;
  size_t declined_finite = 0;  // finite operands, yet the fast path declined (it must take them all)
  size_t taken_special = 0;    // an inf/NaN operand, yet the fast path answered (it must decline)
  size_t cases = 0, special = 0;
};

// n random/edge cases of op on operand formats fs into target formats, all modes incl. sr and sr:8.
void check_double_path(ArithOp op, const std::vector<Format>& fs, const std::vector<Format>& targets, size_t n,
                       uint64_t seed, Mismatch& mm) {
  test::OperandGen gen(seed);
  for (size_t i = 0; i < n; ++i) {
    Bits x[3];
    for (size_t k = 0; k < fs.size(); ++k) x[k] = gen.code(fs[k]);
    Target t;
    t.format = targets[i % targets.size()];
    const int mode = int(i % 8);
    t.rounding = mode < 6 ? deterministic[mode] : Rounding::Stochastic;
    t.sr_bits = mode == 7 ? 8 : 0;
    t.tininess = (i / 8) % 2 ? Tininess::BeforeRounding : Tininess::AfterRounding;
    const uint64_t r = gen.word();
    std::optional<Rounded> fast;
    switch (op) {
      case ArithOp::Add: fast = fast_double_add(x[0], fs[0], x[1], fs[1], false, t, r); break;
      case ArithOp::Sub: fast = fast_double_add(x[0], fs[0], x[1], fs[1], true, t, r); break;
      case ArithOp::Mul: fast = fast_double_mul(x[0], fs[0], x[1], fs[1], t, r); break;
      case ArithOp::Fma: fast = fast_double_fma(x[0], fs[0], x[1], fs[1], x[2], fs[2], t, r); break;
      default: FAIL("no double path for " << to_string(op));
    }
    // The double paths decline exactly the cases with an inf or NaN operand: every finite operand
    // decodes exactly and no sum or product of these formats overflows binary64.
    bool special = false;
    for (size_t k = 0; k < fs.size(); ++k) special |= !std::isfinite(decode(x[k], fs[k]));
    ++mm.cases;
    mm.special += special;
    if (!fast) {
      mm.declined_finite += !special;
      continue;
    }
    mm.taken_special += special;
    if (*fast != exact::apply(op, x, fs.data(), t, r)) {
      if (mm.count++ < 3) UNSCOPED_INFO(to_string(op) << " case " << i << " codes " << x[0].v << " " << x[1].v);
    }
  }
}

TEST_CASE("the double fast paths equal the exact path in every mode", "[double]") {
  const Format f16 = parse_format("binary16"), bf16 = parse_format("bfloat16"), tf32 = parse_format("tf32"),
               f32 = parse_format("binary32"), e5m2 = parse_format("e5m2"), f64 = parse_format("binary64");
  const std::vector<Format> targets = {f16, bf16, f32, parse_format("e4m3fn"), parse_format("e3m2fn"), f64};
  Mismatch mm;
  for (const Format& f : {f16, bf16, tf32, f32}) {
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul}) check_double_path(op, {f, f}, targets, 20000, 1, mm);
    check_double_path(ArithOp::Fma, {f, f, f}, targets, 20000, 2, mm);
  }
  check_double_path(ArithOp::Add, {f16, f32}, targets, 20000, 3, mm);
  check_double_path(ArithOp::Fma, {e5m2, e5m2, f32}, targets, 20000, 4, mm);
  CHECK(mm.count == 0);
  CHECK(mm.declined_finite == 0);
  CHECK(mm.taken_special == 0);
  CHECK(mm.special < mm.cases / 2);  // the edge patterns make specials common, but most cases are finite
}

TEST_CASE("the double fast paths equal the exact path over millions of cases", "[double][long]") {
  const Format f16 = parse_format("binary16"), bf16 = parse_format("bfloat16"), tf32 = parse_format("tf32"),
               f32 = parse_format("binary32"), e5m2 = parse_format("e5m2");
  const std::vector<Format> targets = {f16, bf16, f32, parse_format("e4m3fn"), parse_format("e5m2"),
                                       parse_format("e6m9,bias=20,nosub")};
  Mismatch mm;
  for (const Format& f : {f16, bf16, tf32, f32}) {
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul})
      check_double_path(op, {f, f}, targets, 1000000, 11, mm);
    check_double_path(ArithOp::Fma, {f, f, f}, targets, 1000000, 12, mm);
  }
  check_double_path(ArithOp::Fma, {e5m2, e5m2, f32}, targets, 1000000, 13, mm);
  check_double_path(ArithOp::Fma, {bf16, bf16, f32}, targets, 1000000, 14, mm);
  CHECK(mm.count == 0);
}

TEST_CASE("the double fast paths decline what they cannot do exactly", "[double]") {
  const Format f32 = parse_format("binary32"), f64 = parse_format("binary64");
  Target t;
  CHECK_FALSE(fast_double_decodes(f64));
  CHECK_FALSE(fast_double_decodes(parse_format("e4m3fn")));
  CHECK(fast_double_decodes(parse_format("bfloat16")));
  CHECK_FALSE(fast_double_add({0x7f800000}, f32, {0x3f800000}, f32, false, t, 0).has_value());  // inf operand
  t.daz = true;
  CHECK_FALSE(fast_double_mul({0x3f800000}, f32, {0x3f800000}, f32, t, 0).has_value());
}

}  // namespace
}  // namespace fpsim

namespace fpsim {
namespace {

using detail::sum_terms;
using detail::Term;

TEST_CASE("rounding tables equal round_pack for values around every binade, all deterministic modes", "[double]") {
  test::OperandGen gen(5);
  size_t bad = 0, cases = 0, direct_cases = 0;
  for (const char* name : {"binary16", "bfloat16", "e5m2", "e4m3fn", "e3m2fn", "e5m2,nosub", "e4m3,bias=11"}) {
    for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                       Rounding::Down, Rounding::Odd, Rounding::Truncate})
      for (Tininess tin : {Tininess::AfterRounding, Tininess::BeforeRounding})
        for (Overflow o : {Overflow::Ieee, Overflow::Saturate}) {
          Target t;
          t.format = parse_format(name);
          t.rounding = r;
          t.tininess = tin;
          t.overflow = o;
          const RoundingTable* table = rounding_table(t);
          REQUIRE(table != nullptr);
          for (int i = 0; i < 2000; ++i) {
            // s: a random 53-bit significand (often with a short tail) at an exponent from 4 below the
            // smallest subnormal to 2 above the largest binade; err: zero, or a tiny value of either sign.
            const int E = t.format.emin() - t.format.precision() - 4 +
                          int(gen.word() % uint64_t(t.format.emax() - t.format.emin() + t.format.precision() + 7));
            uint64_t sig = (uint64_t{1} << 52) | (gen.word() & ((uint64_t{1} << 52) - 1));
            if (gen.word() % 2) sig &= ~((uint64_t{1} << (52 - t.format.precision() - int(gen.word() % 3))) - 1);
            const bool neg = gen.word() % 2;
            const double s = std::ldexp(double(sig), E - 52) * (neg ? -1 : 1);
            const double err = gen.word() % 3 == 0 ? 0.0 : std::ldexp(gen.word() % 2 ? 1.0 : -1.0, E - 60);
            // The reference: the canonical Exact of s + err through round_pack.
            bool zero = false;
            const Term ts{neg, E - 52, sig};
            const Exact x = err == 0 ? Exact{neg, E - 52, sig, false}
                                     : sum_terms(ts, Term{std::signbit(err), E - 60, 1}, zero);
            ++cases;
            if (table->round_double(s, err) != round_pack(x, t, 0)) ++bad;
            // The direct index (exact sums): s alone, as far below and above the table's rows as binary64 goes.
            if (err == 0 && table->direct_index()) {
              ++direct_cases;
              if (table->round_exact_double(s) != round_pack(x, t, 0)) ++bad;
            }
          }
          REQUIRE(table->direct_index());
          for (double far : {0x1p-1000, 0x1.fffp-200, 0x1.8p200, 0x1.fffffffffffffp1000})
            for (double s : {far, -far}) {
              ++direct_cases;
              int e = 0;
              const uint64_t sig53 = uint64_t(std::ldexp(std::fabs(std::frexp(s, &e)), 53));  // s = ±sig53·2^(e−53)
              if (table->round_exact_double(s) != round_pack(Exact{s < 0, e - 53, sig53, false}, t, 0)) ++bad;
            }
        }
  }
  INFO(cases << " cases, " << direct_cases << " by the direct index");
  CHECK(direct_cases > 100'000);
  CHECK(bad == 0);
}

}  // namespace
}  // namespace fpsim

#include "numerics/fast/fast_arrays.h"
#include "numerics/fast/internal/adaptive_chunks.h"

namespace fpsim {
namespace {

TEST_CASE("array arithmetic equals the exact path element by element on every path", "[arrays]") {
  const std::vector<std::string> formats = {"e5m2", "e4m3fn", "binary16", "bfloat16", "tf32", "binary32", "e2m1fn"};
  test::OperandGen gen(77);
  const RandomStream stream(3, 1, 2, 3);
  const size_t n = 3001;  // not a multiple of 4: the vector kernel's tail runs too
  size_t bad = 0;
  std::set<std::string> paths;
  for (const std::string& fname : formats) {
    const Format f = parse_format(fname);
    // Mixed: binary32 results from f operands (an accumulator), and f results.
    for (const Format& result : {f, parse_format("binary32")})
      for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Sqrt, ArithOp::Fma})
        for (int mode = 0; mode < 8; ++mode) {
          Target t;
          t.format = result;
          t.rounding = mode < 6 ? deterministic[mode] : Rounding::Stochastic;
          t.sr_bits = mode == 7 ? 6 : 0;
          const Format fc = result;  // fma's addend in the result format
          std::vector<uint32_t> a(n), b(n), c(n), out(n);
          for (size_t i = 0; i < n; ++i) {
            a[i] = uint32_t(gen.code(f).v), b[i] = uint32_t(gen.code(f).v), c[i] = uint32_t(gen.code(fc).v);
          }
          const uint8_t flags = apply_array(op, a, f, b, f, c, fc, out, t, &stream, 500);
          paths.insert(array_path(op, f, f, fc, t));
          uint8_t want_flags = 0;
          const Format fs[3] = {f, f, fc};
          for (size_t i = 0; i < n; ++i) {
            const Bits x[3] = {Bits{a[i]}, Bits{b[i]}, Bits{c[i]}};
            const Rounded want = exact::apply(op, x, fs, t, stream.bits(500 + i));
            want_flags |= want.flags;
            if (Bits{out[i]} != want.bits) ++bad;
          }
          if (flags != want_flags) ++bad;
        }
  }
  CHECK(bad == 0);
  CHECK(paths == std::set<std::string>{"table", "lanes", "adaptive", "plan"});
  // An fma from <= 8-bit operands into a target of fewer than 16 normal binades is adaptive; e5m2 (30) and wider
  // operands keep the lanes.
  const Format e4m3fn = parse_format("e4m3fn"), e5m2 = parse_format("e5m2"), f16 = parse_format("binary16");
  CHECK(std::string(array_path(ArithOp::Fma, e4m3fn, e4m3fn, e4m3fn, Target{e4m3fn})) == "adaptive");
  CHECK(std::string(array_path(ArithOp::Fma, e5m2, e5m2, e5m2, Target{e5m2})) == "lanes");
  CHECK(std::string(array_path(ArithOp::Fma, f16, f16, f16, Target{e4m3fn})) == "lanes");
  CHECK(std::string(array_path(ArithOp::Add, e4m3fn, e4m3fn, e4m3fn, Target{e4m3fn})) == "table");
}

// Adaptive fma switches kernels between chunks of 2048 by how many elements the lanes hand back. Operands alternate
// in runs of chunks between codes whose results mostly leave the target's normal range (handed back: the plan takes
// the next chunks) and codes whose results mostly stay in it (the lanes keep them), with run lengths that put the
// switches at varying chunks; the array, random words included (sr), must equal the exact path element by element.
TEST_CASE("adaptive array fma equals the exact path across its switches between kernels", "[arrays]") {
  const RandomStream stream(11, 1, 2, 3);
  test::OperandGen gen(5);
  for (const char* name : {"e4m3fn", "e3m2fn", "e2m1fn"})
    for (Rounding mode : {Rounding::NearestEven, Rounding::Down, Rounding::Stochastic}) {
      const Format f = parse_format(name);
      Target t{f};
      t.rounding = mode;
      REQUIRE(std::string(array_path(ArithOp::Fma, f, f, f, t)) == "adaptive");
      const size_t n = 2048 * 90 + 123;
      std::vector<uint32_t> a(n), b(n), c(n), out(n);
      const uint64_t one = encode(1.0, t).bits.v;  // operands near 1: results in the normal range
      for (size_t i = 0; i < n; ++i) {
        const size_t chunk = i / 2048;
        const bool tiny = chunk % 37 < 2 || chunk % 11 == 5;  // runs of 1–2 chunks that hand back most elements
        if (tiny) {
          a[i] = uint32_t(gen.code(f).v), b[i] = uint32_t(gen.code(f).v), c[i] = uint32_t(gen.code(f).v);
        } else {
          a[i] = uint32_t(one + gen.word() % 3), b[i] = uint32_t(one - gen.word() % 2), c[i] = uint32_t(one);
        }
      }
      const uint8_t flags = apply_array(ArithOp::Fma, a, f, b, f, c, f, out, t, &stream, 77);
      uint8_t want_flags = 0;
      size_t bad = 0;
      for (size_t i = 0; i < n; ++i) {
        const Rounded want = exact::fma(Bits{a[i]}, f, Bits{b[i]}, f, Bits{c[i]}, f, t, stream.bits(77 + i));
        want_flags |= want.flags;
        bad += Bits{out[i]} != want.bits;
      }
      INFO(name << " " << to_string(mode, 0));
      CHECK(bad == 0);
      CHECK(flags == want_flags);
      // Both kernels ran: the runs of handing-back chunks sent later chunks to the plan, and the lanes came back.
      const detail::AdaptiveChunks chunks = detail::last_adaptive_chunks();
      CHECK(chunks.lanes + chunks.plan == (n + 2047) / 2048);
      CHECK(chunks.lanes >= 3);
      CHECK(chunks.plan >= 32);
    }
}

}  // namespace
}  // namespace fpsim
