// ArithPlan gives exactly the bits and flags of fpsim::exact on every path: every operand pair of 8-bit
// formats (table and double paths, deterministic and stochastic), every (a, b) pair with a sample of c for
// 8-bit fma, random and edge-pattern operands for binary16/bfloat16/binary32 and mixed formats in every
// mode, and fma cases aimed at binary32 rounding boundaries (the Binary32Nearest rounder's hand-off).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cfenv>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "numerics/arith/arith_plan.h"
#include "numerics/core/convert.h"
#include "operand_gen.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace fpsim {
namespace {

const Rounding kModes[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                           Rounding::Down,        Rounding::Odd,         Rounding::Stochastic};

Target target(const Format& f, Rounding r, int sr_bits = 0) {
  Target t;
  t.format = f;
  t.rounding = r;
  t.sr_bits = sr_bits;
  return t;
}

Rounded call(const ArithPlan& plan, const Bits* x, uint64_t r) {
  switch (arity(plan.op())) {
    case 1: return plan(x[0], r);
    case 2: return plan(x[0], x[1], r);
    default: return plan(x[0], x[1], x[2], r);
  }
}

// Compares plan(x) with exact::apply for one case; counts and reports the first mismatches.
struct Checker {
  size_t cases = 0, mismatches = 0;
  void check(const ArithPlan& plan, const Bits* x, const Format* formats, uint64_t r) {
    ++cases;
    const Rounded got = call(plan, x, r);
    const Rounded want = exact::apply(plan.op(), x, formats, plan.target(), r);
    if (got == want) return;
    if (mismatches++ < 5)
      UNSCOPED_INFO(to_string(plan.op()) << " into " << plan.target().format.to_string() << " "
                                         << to_string(plan.target().rounding, plan.target().sr_bits) << " path "
                                         << plan.path() << std::hex << ": " << x[0].v << " " << x[1].v << " "
                                         << x[2].v << " -> " << got.bits.v << "/" << int(got.flags) << ", exact "
                                         << want.bits.v << "/" << int(want.flags));
  }
};

// Every (a, b) pair of 8-bit codes with each addend in cs through a three-operand plan.
void check_every_pair(Checker& c, const ArithPlan& plan, const Format* formats, const std::vector<Bits>& cs) {
  for (uint64_t a = 0; a < 256; ++a)
    for (uint64_t b = 0; b < 256; ++b)
      for (Bits z : cs) {
        const Bits x[3] = {Bits{a}, Bits{b}, z};
        c.check(plan, x, formats, 0);
      }
}

TEST_CASE("ArithPlan on 8-bit formats equals the exact path for every operand pair", "[plan]") {
  test::OperandGen gen(11);
  Checker c;
  // e4m3 (IEEE, with infinities), e3m4 and p3109_k8p4se take the table fma kernel (exact sums) with inf operands; e5m2 the TwoSum one.
  for (const char* name : {"e5m2", "e4m3fn", "e4m3", "e4m3fnuz", "e3m4", "e2m1fn", "e8m0fnu", "p3109_k8p3se",
                           "p3109_k8p4se"}) {
    const Format f = parse_format(name);
    const Format formats[3] = {f, f, f};
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Sqrt})
      for (Rounding r : {Rounding::NearestEven, Rounding::Up, Rounding::Stochastic}) {
        const ArithPlan plan(op, f, target(f, r));
        for (uint64_t a = 0; a < 256; ++a)
          for (uint64_t b = 0; b < (op == ArithOp::Sqrt ? 1u : 256u); ++b) {
            const Bits x[3] = {Bits{a & f.code_mask()}, Bits{b & f.code_mask()}, Bits{0}};
            c.check(plan, x, formats, gen.word());
          }
      }
    // fma: every (a, b) with 8 c codes (edges and random), rne, rdn (its exact zero is −0) and sr.
    for (Rounding r : {Rounding::NearestEven, Rounding::Down, Rounding::Stochastic}) {
      const ArithPlan plan(ArithOp::Fma, f, target(f, r));
      std::vector<Bits> cs;
      for (int k = 0; k < 8; ++k) cs.push_back(gen.code(f));
      for (uint64_t a = 0; a < 256; ++a)
        for (uint64_t b = 0; b < 256; ++b)
          for (Bits z : cs) {
            const Bits x[3] = {Bits{a & f.code_mask()}, Bits{b & f.code_mask()}, z};
            c.check(plan, x, formats, gen.word());
          }
    }
  }
  INFO(c.cases << " cases");
  CHECK(c.cases > 5'000'000);
  CHECK(c.mismatches == 0);
}

// The 8-bit fma kernels read a table whose rows cover every binade a non-zero x·y + z can reach, without clamping:
// from the product of the two smallest subnormals (e4m3fn: 2^-18) to max·max + max. Every (a, b) pair with addends
// ±0, ± the smallest subnormal, ± max, the two all-ones codes (NaN in e4m3fn and e5m2) and two random codes reaches
// both ends, in every deterministic mode, for same-format and mixed operands, formats with other biases, fnuz
// (NaN 0x80, no −0), finite p3109 (NaN 0x80), and a target wider than the operands.
TEST_CASE("ArithPlan 8-bit fma rounds sums in every binade its operands reach", "[plan]") {
  test::OperandGen gen(19);
  Checker c;
  struct Case { const char* a; const char* b; const char* c; const char* target; };
  for (const Case k : {Case{"e4m3fn", "e4m3fn", "e4m3fn", "e4m3fn"}, Case{"e5m2", "e5m2", "e5m2", "e5m2"},
                       Case{"e4m3fn", "e5m2", "e4m3fn", "e5m2"}, Case{"e3m2fn", "e2m3fn", "e2m1fn", "e4m3fn"},
                       Case{"e4m3,bias=3", "e4m3,bias=12", "e4m3fnuz", "e4m3fnuz"},
                       Case{"p3109_k8p3se", "p3109_k8p3se", "p3109_k8p3se", "p3109_k8p3se"},
                       Case{"e5m2", "e5m2", "e5m2", "e5m3"}, Case{"e4m3fnuz", "e4m3fnuz", "e4m3fnuz", "e4m3fnuz"},
                       Case{"p3109_k8p4sf", "p3109_k8p4sf", "p3109_k8p4sf", "p3109_k8p4sf"}})
    for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                       Rounding::Down, Rounding::Odd}) {
      const Format formats[3] = {parse_format(k.a), parse_format(k.b), parse_format(k.c)};
      const ArithPlan plan(ArithOp::Fma, std::span<const Format>(formats, 3), target(parse_format(k.target), r));
      REQUIRE(plan.fma_covering_rows());
      // Operands with a NaN and no infinities (fn, fnuz, finite p3109) round NaN operands by the table's NaN row on
      // x86-64; e5m2 and the extended p3109 formats have infinities, FP6 and FP4 no NaN.
      const std::string a = k.a;
      const bool nan_row = a == k.b && a == k.c && (a == "e4m3fn" || a == "e4m3fnuz" || a == "p3109_k8p4sf");
#if defined(__x86_64__)
      CHECK(plan.fma_nan_row() == nan_row);
#else
      CHECK_FALSE(plan.fma_nan_row());
      (void)nan_row;
#endif
      const Format& fc = formats[2];
      std::vector<Bits> cs{Bits{0}, Bits{1}, fc.max_code()};  // code 1: the smallest subnormal
      for (size_t i = 0, n = cs.size(); i < n; ++i) cs.push_back(Bits{cs[i].v | fc.sign_mask()});
      for (int j = 0; j < 2; ++j) cs.push_back(gen.code(fc));
      // The all-ones codes: NaN addends in e4m3fn (0x7F, 0xFF) and e5m2, −max and max below p3109's inf.
      cs.push_back(Bits{fc.code_mask()}), cs.push_back(Bits{fc.code_mask() >> 1});
      for (uint64_t a = 0; a < 256; ++a)
        for (uint64_t b = 0; b < 256; ++b)
          for (Bits z : cs) {
            const Bits x[3] = {Bits{a & formats[0].code_mask()}, Bits{b & formats[1].code_mask()}, z};
            c.check(plan, x, formats, 0);
          }
    }
  CHECK(c.cases == 9 * 6 * 65536 * 10);
  CHECK(c.mismatches == 0);
  // Bits above a code's width are ignored: FP6 and FP4 codes with their unused high bits set give the same results.
  const Format narrow[3] = {parse_format("e3m2fn"), parse_format("e2m3fn"), parse_format("e2m1fn")};
  const ArithPlan plan(ArithOp::Fma, std::span<const Format>(narrow, 3), target(parse_format("e4m3fn"), Rounding::Up));
  size_t differ = 0;
  for (uint64_t a = 0; a < 64; ++a)
    for (uint64_t b = 0; b < 64; ++b)
      for (uint64_t z = 0; z < 16; ++z)
        differ += plan(Bits{a | 0xC0}, Bits{b | 0x40}, Bits{z | 0xF0}) != plan(Bits{a}, Bits{b}, Bits{z});
  CHECK(differ == 0);
  // A target whose table would need more than the cap keeps the shared, clamped one; a moved-from plan still works.
  const Format e5m2 = parse_format("e5m2");
  CHECK_FALSE(ArithPlan(ArithOp::Fma, e5m2, target(parse_format("binary16"), Rounding::NearestEven)).fma_covering_rows());
  ArithPlan moved(ArithOp::Fma, e5m2, target(e5m2, Rounding::NearestEven));
  const ArithPlan to(std::move(moved));
  CHECK(moved(Bits{0x3C}, Bits{0x3C}, Bits{0x3C}).bits == Bits{0x40});  // 1·1 + 1 = 2
  CHECK(to(Bits{0x3C}, Bits{0x3C}, Bits{0x3C}).bits == Bits{0x40});
}

// The NaN-row fma kernel (fma_nan_row) beyond the same-format cases above: operands whose NaNs differ by format
// (e4m3fn's +NaN and −NaN beside e4m3fnuz's 0x80, which decodes to −NaN), e4m3b11fnuz, a target whose own rows pass
// the NaN row (e6m2: e4m3fn sums stay below 2^19, e6m2's rows reach 2^32, so row 19 is one of its rows), the plan and
// the plan it was moved from, and on x86-64 under round-toward-−inf, FTZ and DAZ (an exact zero sum takes its sign
// from the target's mode, not the processor's). Every (a, b) pair with addends ±0, ±1, ±max, every NaN code and two
// random codes, in rne and rdn, against the exact path (computed first, in the default environment).
TEST_CASE("ArithPlan 8-bit fma rounds NaN operands by its table's NaN row", "[plan]") {
  struct Case { const char* a; const char* b; const char* c; const char* target; };
  test::OperandGen gen(23);
  size_t cases = 0, mismatches = 0, plans = 0;
  for (const Case k : {Case{"e4m3fn", "e4m3fnuz", "e4m3fn", "e4m3fn"}, Case{"e4m3fnuz", "e4m3fn", "e4m3fnuz", "e4m3fnuz"},
                       Case{"e4m3b11fnuz", "e4m3b11fnuz", "e4m3b11fnuz", "e4m3b11fnuz"},
                       Case{"e4m3fn", "e4m3fn", "e4m3fn", "e6m2"}})
    for (Rounding r : {Rounding::NearestEven, Rounding::Down}) {
      const Format formats[3] = {parse_format(k.a), parse_format(k.b), parse_format(k.c)};
      ArithPlan made(ArithOp::Fma, std::span<const Format>(formats, 3), target(parse_format(k.target), r));
#if defined(__x86_64__)
      REQUIRE(made.fma_nan_row());
#endif
      const ArithPlan plan(std::move(made));
      ++plans;
      const Format& fc = formats[2];
      const uint64_t one = encode(1.0, Target{fc}).bits.v;
      std::vector<uint64_t> cs{0, one, fc.max_code().v};
      for (size_t i = 0, n = cs.size(); i < n; ++i) cs.push_back(cs[i] | fc.sign_mask());
      for (uint64_t code = 0; code <= fc.code_mask(); ++code)
        if (std::isnan(decode(Bits{code}, fc))) cs.push_back(code);
      for (int j = 0; j < 2; ++j) cs.push_back(gen.code(fc).v);
      std::vector<Rounded> want;
      for (uint64_t a = 0; a < 256; ++a)
        for (uint64_t b = 0; b < 256; ++b)
          for (uint64_t z : cs) {
            const Bits x[3] = {Bits{a}, Bits{b}, Bits{z}};
            want.push_back(exact::apply(ArithOp::Fma, x, formats, plan.target(), 0));
          }
      for (const ArithPlan* p : {static_cast<const ArithPlan*>(&made), &plan}) {
        std::vector<Rounded> got;
        got.reserve(want.size());
        {
#if defined(__x86_64__)
          const unsigned saved = _mm_getcsr();
          _mm_setcsr((saved & ~0x6000u) | 0x2000u | 0x8000u | 0x0040u);  // round down, FTZ, DAZ
#endif
          for (uint64_t a = 0; a < 256; ++a)
            for (uint64_t b = 0; b < 256; ++b)
              for (uint64_t z : cs) got.push_back((*p)(Bits{a}, Bits{b}, Bits{z}));
#if defined(__x86_64__)
          _mm_setcsr(saved);
#endif
        }
        for (size_t i = 0; i < want.size(); ++i, ++cases)
          if (got[i] != want[i] && mismatches++ < 5)
            UNSCOPED_INFO(k.a << " " << k.b << " " << k.c << " into " << k.target << " case " << i << ": got "
                              << std::hex << got[i].bits.v << "/" << int(got[i].flags) << ", exact "
                              << want[i].bits.v << "/" << int(want[i].flags));
      }
    }
  CHECK(plans == 8);
  CHECK(cases > 8 * 2 * 65536 * 9);
  CHECK(mismatches == 0);
}

// 8-bit fma whose binary64 sum overflows although every operand is finite: formats with biases far below their
// defaults put products near 2^1020 beside addends near 2^1023 (e4m3,bias=-1009 0x77 = 1.875·2^1023). Both table fma
// kernels (TwoSum for e5m2,bias=-480 operands, exact sums for e4m3,bias=-496) must hand such sums to the exact path:
// e5m2,bias=-480 0x75 · 0x7B + 0x77 is about 2.01·2^1023, +inf into e5m2 in rne, not −inf.
TEST_CASE("ArithPlan 8-bit fma hands sums beyond binary64's range to the exact path", "[plan]") {
  test::OperandGen gen(15);
  Checker c;
  const Format addend = parse_format("e4m3,bias=-1009"), e5m2 = parse_format("e5m2");
  for (const char* name : {"e5m2,bias=-480", "e4m3,bias=-496"})
    for (Rounding r : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Down}) {
      const Format f = parse_format(name);
      const Format formats[3] = {f, f, addend};
      const ArithPlan plan(ArithOp::Fma, std::span<const Format>(formats, 3), target(e5m2, r));
      std::vector<Bits> cs{Bits{0x77}, Bits{0xF7}, Bits{0x76}, Bits{0x70}};
      for (int k = 0; k < 2; ++k) cs.push_back(gen.code(addend));
      check_every_pair(c, plan, formats, cs);
    }
  const Format f = parse_format("e5m2,bias=-480");
  const Format formats[3] = {f, f, addend};
  const ArithPlan plan(ArithOp::Fma, std::span<const Format>(formats, 3), target(e5m2, Rounding::NearestEven));
  CHECK(plan(Bits{0x75}, Bits{0x7B}, Bits{0x77}).bits == Bits{0x7C});
  INFO(c.cases << " cases");
  CHECK(c.mismatches == 0);
}

// Rounder::Stochastic (sr and sr:K by integer steps on an exact binary64 result): every operand pair of 8-bit
// formats for add and mul, fma with every (a, b) and four c codes, and random binary16/bfloat16 pairs, for sr,
// sr:K of several widths and sr with nearest subnormals. The random words include the fraction values that
// stochastic rounding compares against (0, a quarter, a half, three quarters, all ones), where "round up when the
// word is below the fraction" and "at or below" differ.
TEST_CASE("ArithPlan stochastic rounding by integer steps equals the exact path for sr and sr:K", "[plan]") {
  test::OperandGen gen(14);
  Checker c;
  const uint64_t edge_words[] = {0, 1, 0x4000000000000000, 0x8000000000000000, 0xC000000000000000,
                                 0x7FFFFFFFFFFFFFFF, ~uint64_t{0}};
  size_t k = 0;
  const auto word = [&] { return ++k % 3 == 0 ? gen.word() : edge_words[k % 7]; };
  for (int sr_bits : {0, 1, 3, 8, 13, 40, 64})
    for (bool subnormal_nearest : {false, true}) {
      for (const char* name : {"e5m2", "e4m3fn", "e3m2fn", "binary16", "bfloat16"}) {
        const Format f = parse_format(name);
        const Format formats[3] = {f, f, f};
        Target t = target(f, Rounding::Stochastic, sr_bits);
        t.sr_subnormal_nearest = subnormal_nearest;
        const bool narrow = f.total_bits() <= 8;
        for (ArithOp op : {ArithOp::Add, ArithOp::Mul, ArithOp::Fma}) {
          const ArithPlan plan(op, f, t);
          if (narrow) {
            std::vector<Bits> cs{Bits{0}};
            for (int j = 0; j < 3; ++j) cs.push_back(gen.code(f));
            for (uint64_t a = 0; a < 256; ++a)
              for (uint64_t b = 0; b < 256; ++b)
                for (Bits z : op == ArithOp::Fma ? cs : std::vector<Bits>{Bits{0}}) {
                  const Bits x[3] = {Bits{a & f.code_mask()}, Bits{b & f.code_mask()}, z};
                  c.check(plan, x, formats, word());
                }
          } else {
            for (int i = 0; i < 20000; ++i) {
              const Bits x[3] = {gen.code(f), gen.code(f), gen.code(f)};
              c.check(plan, x, formats, word());
            }
          }
        }
      }
    }
  INFO(c.cases << " cases");
  CHECK(c.cases > 5'000'000);
  CHECK(c.mismatches == 0);
}

// The 8-bit fma kernel into an rne target whose sums are not exact in binary64: p3109_k8p2se (bias 32, values
// from 2^-32 to 1.5·2^31) gives products up to 2^63 beside addends down to 2^-32, so TwoSum's error is non-zero
// and, when the product lies on a tie of the target, decides the rounding. 1.5·2^15 · 1.5·2^15 = 1.001b·2^31 is
// a tie in e8m2 (3 bits): + 2^-32 rounds up to 1.01b·2^31, − 2^-32 down to 1.00b·2^31. Every (a, b) with the
// four smallest addends of each sign, and 16 random ones, in both tininess modes.
TEST_CASE("ArithPlan 8-bit fma breaks ties by the TwoSum error when sums are not exact in binary64", "[plan]") {
  const Format f = parse_format("p3109_k8p2se"), e8m2 = parse_format("e8m2");
  const Format formats[3] = {f, f, f};
  test::OperandGen gen(13);
  Checker c;
  for (Tininess tininess : {Tininess::AfterRounding, Tininess::BeforeRounding}) {
    Target t = target(e8m2, Rounding::NearestEven);
    t.tininess = tininess;
    const ArithPlan plan(ArithOp::Fma, f, t);
    REQUIRE(std::string(plan.path()) == "double");
    std::vector<Bits> cs;
    for (uint64_t code = 1; code <= 4; ++code) cs.insert(cs.end(), {Bits{code}, Bits{code | f.sign_mask()}});
    for (int k = 0; k < 16; ++k) cs.push_back(gen.code(f));
    check_every_pair(c, plan, formats, cs);
    const Bits big = encode(0x1.8p15, Target{f}).bits, up = encode(0x1.4p31, Target{e8m2}).bits;
    const Bits tiny{1}, minus_tiny{1 | f.sign_mask()};
    CHECK(plan(big, big, tiny).bits == up);
    CHECK(plan(big, big, minus_tiny).bits == encode(0x1p31, Target{e8m2}).bits);
  }
  INFO(c.cases << " cases");
  CHECK(c.mismatches == 0);
}

TEST_CASE("ArithPlan on binary16/bfloat16/binary32 and mixed formats equals the exact path in every mode", "[plan]") {
  const std::vector<std::vector<std::string>> cases = {
      {"binary16", "binary16", "binary16", "binary16"}, {"bfloat16", "bfloat16", "bfloat16", "bfloat16"},
      {"binary32", "binary32", "binary32", "binary32"}, {"tf32", "tf32", "tf32", "tf32"},
      {"binary16", "binary16", "binary16", "binary32"}, {"e5m2", "e4m3fn", "binary32", "binary32"},
      {"bfloat16", "bfloat16", "binary32", "bfloat16"}, {"binary32", "binary32", "binary32", "e4m3fn"},
      {"e4m3fn", "e4m3fn", "binary16", "binary16"},     {"binary16", "bfloat16", "e5m2", "e5m2"}};
  test::OperandGen gen(12);
  Checker c;
  for (const auto& names : cases) {
    const Format formats[3] = {parse_format(names[0]), parse_format(names[1]), parse_format(names[2])};
    const Format result = parse_format(names[3]);
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Fma})
      for (Rounding r : kModes) {
        const ArithPlan plan(op, std::span<const Format>(formats, arity(op)), target(result, r));
        for (int i = 0; i < 20000; ++i) {
          const Bits x[3] = {gen.code(formats[0]), gen.code(formats[1]), gen.code(formats[2])};
          c.check(plan, x, formats, gen.word());
        }
      }
  }
  INFO(c.cases << " cases");
  CHECK(c.mismatches == 0);
}

// The binary16 kernels (mul by F16C on a CPU that has it, the constant-field double kernel): every binary16 code
// against edge codes (zeros, subnormals, 2^-14 and its neighbours, ties for every exponent gap, the largest
// values, inf, NaN) and random codes, in both tininess modes; fma on random and edge triples.
TEST_CASE("ArithPlan binary16 rne equals the exact path on every code against edge codes", "[plan]") {
  const Format f16 = parse_format("binary16");
  const Format formats[3] = {f16, f16, f16};
  test::OperandGen gen(14);
  std::vector<uint64_t> edges = {0x0000, 0x8000, 0x0001, 0x8001, 0x0002, 0x0003, 0x03FF, 0x83FF, 0x0400, 0x0401,
                                 0x07FF, 0x3BFF, 0x3C00, 0x3C01, 0xBC00, 0x3E00, 0x4000, 0x7BFE, 0x7BFF, 0xFBFF,
                                 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x1000, 0x1001, 0x2400, 0x5800, 0x6BFF, 0x0200};
  for (int k = 0; k < 34; ++k) edges.push_back(gen.code(f16).v);
  Checker c;
  for (Tininess tininess : {Tininess::AfterRounding, Tininess::BeforeRounding}) {
    Target t = target(f16, Rounding::NearestEven);
    t.tininess = tininess;
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div}) {
      const ArithPlan plan(op, f16, t);
      for (uint64_t a = 0; a < 0x10000; ++a)
        for (uint64_t b : edges) {
          const Bits x[3] = {Bits{a}, Bits{b}, Bits{0}}, y[3] = {Bits{b}, Bits{a}, Bits{0}};
          c.check(plan, x, formats, 0);
          c.check(plan, y, formats, 0);
        }
    }
    const ArithPlan fma(ArithOp::Fma, f16, t);
    for (int i = 0; i < 400000; ++i) {
      const Bits x[3] = {gen.code(f16), gen.code(f16), gen.code(f16)};
      c.check(fma, x, formats, 0);
    }
    for (uint64_t a : edges)
      for (uint64_t b : edges)
        for (uint64_t z : edges) {
          const Bits x[3] = {Bits{a}, Bits{b}, Bits{z}};
          c.check(fma, x, formats, 0);
        }
  }
  INFO(c.cases << " cases");
  CHECK(c.cases > 25'000'000);
  CHECK(c.mismatches == 0);
}

// binary32 fma/add with results on or next to a rounding boundary of binary32: c plus a product of about half
// an ulp of c (ties, one binary64 ulp either side, and an error term below binary64's precision).
TEST_CASE("ArithPlan binary32 rne hands rounding-boundary sums to the exact path correctly", "[plan]") {
  const Format f32 = parse_format("binary32");
  const Format formats[3] = {f32, f32, f32};
  const ArithPlan fma(ArithOp::Fma, f32, target(f32, Rounding::NearestEven));
  const ArithPlan add(ArithOp::Add, f32, target(f32, Rounding::NearestEven));
  REQUIRE(std::string(fma.path()) == "double");
  test::OperandGen gen(13);
  Checker c;
  for (int i = 0; i < 400000; ++i) {
    const float z = float_from_bits(static_cast<uint32_t>(gen.code(f32).v));
    if (!std::isfinite(z) || z == 0) continue;
    const double half_ulp = std::ldexp(1.0, std::ilogb(z) - 24);
    const float a = float_from_bits(static_cast<uint32_t>(gen.code(f32).v) & 0x3FFFFFFFu) + 1.0f;  // in [1, 2]
    const float b = static_cast<float>(half_ulp / a * (1 + double(int(gen.word() % 5) - 2) * 0x1p-24));
    const Bits x[3] = {Bits{bits_of(a)}, Bits{bits_of(b)}, Bits{bits_of(z)}};
    c.check(fma, x, formats, 0);
    const Bits y[3] = {Bits{bits_of(z)}, Bits{bits_of(static_cast<float>(half_ulp))}, Bits{0}};
    c.check(add, y, formats, 0);
  }
  INFO(c.cases << " cases");
  CHECK(c.mismatches == 0);
}

// binary32 quotients on and next to rounding boundaries of binary32, bfloat16 and binary16 (rne, the double
// path's division): a = b·m exactly for m with few significant bits (an exact quotient: a representable
// value, a midpoint of the target, or a subnormal one), and a one binary32 ulp either side (a quotient a hair
// off that point, which binary64 alone cannot tell from it); plus random codes, some with tiny or huge ratios.
TEST_CASE("ArithPlan division in rne equals the exact path on and next to rounding boundaries", "[plan]") {
  const Format f32 = parse_format("binary32");
  const Format formats[3] = {f32, f32, f32};
  test::OperandGen gen(15);
  Checker c;
  for (const char* name : {"binary32", "bfloat16", "binary16"}) {
    const Format result = parse_format(name);
    const ArithPlan div(ArithOp::Div, std::span<const Format>(formats, 2), target(result, Rounding::NearestEven));
    REQUIRE(std::string(div.path()) == "double");
    const int p = result.man_bits() + 1;
    for (int i = 0; i < 200000; ++i) {
      // m: p + 1 significant bits (a value of the target or a midpoint of it), scaled anywhere in binary32's
      // range; b: up to 23 − p significant bits, so b·m fits binary32's 24.
      const int b_bits = std::max(1, 23 - p);
      const double m = std::ldexp(double((gen.word() & ((uint64_t{1} << p) - 1)) | (uint64_t{1} << p)),
                                  int(gen.word() % 200) - 150 - p);
      const double b = std::ldexp(double((gen.word() & ((uint64_t{1} << b_bits) - 1)) | (uint64_t{1} << b_bits)),
                                  int(gen.word() % 40) - 20 - b_bits);
      const float a = static_cast<float>(b * m), bf = static_cast<float>(b);
      if (!std::isfinite(a) || a == 0 || bf == 0) continue;
      for (int step = -1; step <= 1; ++step) {
        const uint32_t a_bits = bits_of(a) + uint32_t(step);
        const Bits x[3] = {Bits{(gen.word() & 1 ? 0x80000000u : 0u) ^ a_bits}, Bits{bits_of(bf)}, Bits{0}};
        c.check(div, x, formats, 0);
      }
      const Bits y[3] = {gen.code(f32), gen.code(f32), Bits{0}};
      c.check(div, y, formats, 0);
    }
  }
  // Targets wider than binary32's quotients are exact to: binary64's quotient can then sit on a rounding
  // boundary of the target while the exact one does not (e8m51 keeps all but one of its 53 bits), and only
  // the fma residual tells them apart.
  for (const char* name : {"e8m51", "e11m40"}) {
    const ArithPlan div(ArithOp::Div, std::span<const Format>(formats, 2),
                        target(parse_format(name), Rounding::NearestEven));
    REQUIRE(std::string(div.path()) == "double");
    for (int i = 0; i < 200000; ++i) {
      const Bits y[3] = {gen.code(f32), gen.code(f32), Bits{0}};
      c.check(div, y, formats, 0);
    }
  }
  INFO(c.cases << " cases");
  CHECK(c.cases > 1'500'000);
  CHECK(c.mismatches == 0);
}

// The binary64 division kernel with operand formats of unusual biases: every 8-bit operand pair into wide
// targets (table-decoded operands, fnuz, e8m0, unsigned), formats whose quotients or operands would leave
// binary64's normal range (which must not take the kernel: each case equals the exact path whatever the path),
// and random biases.
TEST_CASE("ArithPlan division equals the exact path for operand formats of any bias", "[plan]") {
  Checker c;
  // quotients of 2^-1041, operands below 2^-1022: pairs that once reached the binary64 kernel
  const std::vector<std::tuple<const char*, const char*, const char*, uint64_t, uint64_t>> regressions = {
      {"e8m0fnu", "e8m0fnu,bias=-660", "e11m51", 0x00, 0xFE},
      {"e5m2,bias=500", "e5m2,bias=-500", "e11m40", 0x01, 0x7B},
      {"binary32,bias=944", "e2m1fn,bias=-100", "e11m40", 0x01, 0x07},
      {"binary16,bias=900", "binary16,bias=1040", "e11m51", 0x000d, 0x4434}};
  for (const auto& [fx, fy, ft, a, b] : regressions) {
    const Format formats[3] = {parse_format(fx), parse_format(fy), parse_format(fx)};
    const ArithPlan div(ArithOp::Div, std::span<const Format>(formats, 2),
                        target(parse_format(ft), Rounding::NearestEven));
    const Bits x[3] = {Bits{a}, Bits{b}, Bits{0}};
    c.check(div, x, formats, 0);
  }
  for (const char* name : {"e5m2", "e4m3fnuz", "e8m0fnu", "p3109_k8p4ue", "e2m1fn", "e4m3fn,bias=-3"}) {
    const Format f = parse_format(name);
    const Format formats[3] = {f, f, f};
    for (const char* wide : {"e11m51", "e11m40", "e8m30,nosub"})
      for (Tininess tininess : {Tininess::AfterRounding, Tininess::BeforeRounding}) {
        Target t = target(parse_format(wide), Rounding::NearestEven);
        t.tininess = tininess;
        const ArithPlan div(ArithOp::Div, f, t);
        for (uint64_t a = 0; a < 256; ++a)
          for (uint64_t b = 0; b < 256; ++b) {
            const Bits x[3] = {Bits{a & f.code_mask()}, Bits{b & f.code_mask()}, Bits{0}};
            c.check(div, x, formats, 0);
          }
      }
  }
  test::OperandGen gen(16);
  const char* bases[] = {"e5m2", "e4m3fn", "e8m0fnu", "e2m1fn", "binary16", "bfloat16", "e6m9"};
  const char* targets[] = {"e11m51", "e11m40", "binary32", "e10m20,bias=600"};
  int kernel_plans = 0;
  for (int i = 0; i < 300; ++i) {
    const auto random_format = [&] {
      for (;;) {  // a bias that puts the format beyond binary64's range is a parse error: draw again
        try {
          return parse_format(std::string(bases[gen.word() % std::size(bases)]) +
                              ",bias=" + std::to_string(int(gen.word() % 2200) - 1100));
        } catch (const std::invalid_argument&) {
        }
      }
    };
    const Format formats[3] = {random_format(), random_format(), Format{}};
    const ArithPlan div(ArithOp::Div, std::span<const Format>(formats, 2),
                        target(parse_format(targets[gen.word() % std::size(targets)]), Rounding::NearestEven));
    kernel_plans += std::string(div.path()) == "double";
    for (int k = 0; k < 3000; ++k) {
      const Bits x[3] = {gen.code(formats[0]), gen.code(formats[1]), Bits{0}};
      c.check(div, x, formats, 0);
    }
  }
  INFO(c.cases << " cases, " << kernel_plans << " of 300 random-bias plans on the binary64 kernel");
  CHECK(kernel_plans > 30);
  CHECK(c.mismatches == 0);
}

// Signed zeros, exact cancellation, subnormals and overflow for every same-format kernel: −0 + −0 = −0 in every
// mode, x − x = +0 (−0 in rdn), −0·x keeps its sign, fma(−0, x, −0) = −0.
TEST_CASE("ArithPlan gives IEEE zero signs, subnormal and overflow results", "[plan]") {
  Checker c;
  for (const char* name : {"binary16", "bfloat16", "binary32", "e5m2", "e4m3fn"}) {
    const Format f = parse_format(name);
    const Format formats[3] = {f, f, f};
    const uint64_t sign = f.sign_mask(), one = encode(1.0, Target{f}).bits.v, max = f.max_code().v;
    const std::vector<uint64_t> values = {0, sign, 1, sign | 1, one, sign | one, max, sign | max, 3, sign | 2};
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Fma})
      for (Rounding r : {Rounding::NearestEven, Rounding::Down, Rounding::Stochastic}) {
        const ArithPlan plan(op, f, target(f, r));
        for (uint64_t a : values)
          for (uint64_t b : values)
            for (uint64_t z : values) {
              const Bits x[3] = {Bits{a}, Bits{b}, Bits{z}};
              c.check(plan, x, formats, 0x8000000000000000u);
            }
      }
  }
  INFO(c.cases << " cases");
  CHECK(c.mismatches == 0);
}

TEST_CASE("ArithPlan chooses its path once and checks arity", "[plan]") {
  const Format e5m2 = parse_format("e5m2"), f16 = parse_format("binary16"), e4m3fn = parse_format("e4m3fn");
  CHECK(std::string(ArithPlan(ArithOp::Add, e5m2, target(e5m2, Rounding::NearestEven)).path()) == "table");
  CHECK(std::string(ArithPlan(ArithOp::Add, e5m2, target(e5m2, Rounding::Stochastic)).path()) == "double");
  CHECK(std::string(ArithPlan(ArithOp::Fma, e4m3fn, target(e4m3fn, Rounding::NearestEven)).path()) == "double");
  CHECK(std::string(ArithPlan(ArithOp::Mul, f16, target(f16, Rounding::NearestEven)).path()) ==
        (__builtin_cpu_supports("f16c") ? "f16c" : "double"));
  CHECK(std::string(ArithPlan(ArithOp::Mul, f16, target(f16, Rounding::Up)).path()) == "double");
  CHECK(std::string(ArithPlan(ArithOp::Div, f16, target(f16, Rounding::NearestEven)).path()) == "double");
  CHECK(std::string(ArithPlan(ArithOp::Div, f16, target(f16, Rounding::Up)).path()) == "exact");
  CHECK(std::string(ArithPlan(ArithOp::Sqrt, f16, target(f16, Rounding::NearestEven)).path()) == "exact");
  const ArithPlan add(ArithOp::Add, f16, target(f16, Rounding::NearestEven));
  CHECK(add(Bits{0x3c00}, Bits{0x3c00}) == Rounded{Bits{0x4000}, 0});
  CHECK_THROWS_AS(add(Bits{0x3c00}), std::invalid_argument);
  CHECK_THROWS_AS(add(Bits{0x3c00}, Bits{0x3c00}, Bits{0x3c00}), std::invalid_argument);
  const Format two[2] = {f16, f16};
  CHECK_THROWS_AS(ArithPlan(ArithOp::Fma, std::span<const Format>(two, 2), target(f16, Rounding::NearestEven)),
                  std::invalid_argument);
}

TEST_CASE("ArithPlan takes the exact path when the native rounding mode is not the default", "[plan]") {
  const Format f32 = parse_format("binary32");
  const ArithPlan add(ArithOp::Add, f32, target(f32, Rounding::NearestEven));
  const Bits one{bits_of(1.0f)}, tiny{bits_of(0x1.8p-24f)};  // 1 + 1.5·2^-24 rounds up in rne
  const Rounded want = exact::add(one, f32, tiny, f32, add.target());
  REQUIRE(std::fesetround(FE_TOWARDZERO) == 0);
  const Rounded got = add(one, tiny);
  std::fesetround(FE_TONEAREST);
  CHECK(got == want);
  CHECK(got.bits.v == bits_of(1.0f + 0x1p-23f));
}

}  // namespace
}  // namespace fpsim
