// Hand-worked vectors: each checks the oracle against a value derived on paper (so the oracle is
// right on its own), then the core against the same expectation.
#include <catch2/catch.hpp>
#include <cmath>

#include "compare.h"
#include "numerics/reference/oracle.h"

namespace fpsim {
namespace {

using reference::oracle_encode;

struct EncodeVector {
  const char* story;
  double x;
  const char* format;
  Rounding rounding;
  Overflow overflow;
  Tininess tininess;
  uint64_t bits;
  uint8_t flags;
};

constexpr auto rne = Rounding::NearestEven, rna = Rounding::NearestAway, rtz = Rounding::TowardZero,
               rodd = Rounding::Odd;
constexpr auto ieee = Overflow::Ieee, sat = Overflow::Saturate, nonsat = Overflow::NonSaturating;
constexpr auto after = Tininess::AfterRounding, before = Tininess::BeforeRounding;

const EncodeVector kEncodeVectors[] = {
    // e5m2 max = 1.75 * 2^15 = 57344; the next step (2^16) is 8192 away, so the overflow tie is 61440.
    {"58000 rounds down to e5m2 max", 58000, "e5m2", rne, ieee, after, 0x7b, flag::inexact},
    {"61439 is below the e5m2 overflow tie", 61439, "e5m2", rne, ieee, after, 0x7b, flag::inexact},
    {"61440 is the e5m2 overflow tie: odd max 0x7b rounds up to inf", 61440, "e5m2", rne, ieee, after, 0x7c, 0x05},
    // e4m3fn max = 1.75 * 2^8 = 448 (code 0x7e, even); 464 is the tie with 480.
    {"464 ties to e4m3fn's even max 448", 464, "e4m3fn", rne, ieee, after, 0x7e, flag::inexact},
    {"470 rounds to 480 > 448: overflow to the NaN", 470, "e4m3fn", rne, ieee, after, 0x7f, 0x05},
    {"470 toward zero is 448, no overflow", 470, "e4m3fn", rtz, ieee, after, 0x7e, flag::inexact},
    {"1e6 saturates in e4m3fn", 1e6, "e4m3fn", rne, sat, after, 0x7e, 0x05},
    // binary16 ulp at 1 is 2^-10.
    {"1 + 2^-12 to odd gives 1 + 2^-10", 1 + std::ldexp(1, -12), "binary16", rodd, ieee, after, 0x3c01, 0x01},
    {"1 + 2^-11 is a tie: even keeps 1.0", 1 + std::ldexp(1, -11), "binary16", rne, ieee, after, 0x3c00, 0x01},
    {"1 + 2^-11 is a tie: away gives 1 + 2^-10", 1 + std::ldexp(1, -11), "binary16", rna, ieee, after, 0x3c01, 0x01},
    // e2m1fn: 1.25 = 0b1.01 with one mantissa bit: a tie between 1.0 (0x2) and 1.5 (0x3).
    {"e2m1fn 1.25 ties to even 1.0", 1.25, "e2m1fn", rne, ieee, after, 0x2, 0x01},
    {"e2m1fn 1.25 ties away to 1.5", 1.25, "e2m1fn", rna, ieee, after, 0x3, 0x01},
    {"e2m1fn 100 overflows to max 6 (no inf)", 100, "e2m1fn", rne, ieee, after, 0x7, 0x05},
    {"e2m1fn -100 overflows to -6", -100, "e2m1fn", rne, nonsat, after, 0xf, 0x05},
    // e8m0fnu: 2^0 is code 0x7f; with no mantissa bits the tie 1.5 rounds up (the hidden bit is odd).
    {"e8m0 1.5 rounds up to 2", 1.5, "e8m0fnu", rne, ieee, after, 0x80, 0x01},
    {"e8m0 1.5 toward zero is 1", 1.5, "e8m0fnu", rtz, ieee, after, 0x7f, 0x01},
    {"e8m0 -1 is invalid: NaN", -1.0, "e8m0fnu", rne, nonsat, after, 0xff, flag::invalid},
    {"e8m0 -1 saturating is invalid: the smallest value", -1.0, "e8m0fnu", rne, sat, after, 0x00, flag::invalid},
    {"e8m0 has no zero: NaN", 0.0, "e8m0fnu", rne, nonsat, after, 0xff, flag::invalid},
    {"e8m0 has no zero: saturating gives 2^-127", 0.0, "e8m0fnu", rne, sat, after, 0x00, flag::inexact},
    {"e8m0 2^-130 is tiny: clamps to 2^-127", std::ldexp(1, -130), "e8m0fnu", rne, ieee, after, 0x00, 0x03},
    // binary16 without subnormals: tiny results flush to zero (x86 FTZ).
    {"2^-15 flushes to +0", std::ldexp(1, -15), "binary16,nosub", rne, ieee, after, 0x0000, 0x03},
    {"-2^-15 flushes to -0", -std::ldexp(1, -15), "binary16,nosub", rne, ieee, after, 0x8000, 0x03},
    {"2^-14 (1 - 2^-12) rounds to 2^-14: not tiny after rounding", std::ldexp(1 - std::ldexp(1, -12), -14),
     "binary16,nosub", rne, ieee, after, 0x0400, 0x01},
    {"2^-14 (1 - 2^-12) is tiny before rounding: flushed", std::ldexp(1 - std::ldexp(1, -12), -14),
     "binary16,nosub", rne, ieee, before, 0x0000, 0x03},
    {"the same value with subnormals, tininess before: underflow", std::ldexp(1 - std::ldexp(1, -12), -14),
     "binary16", rne, ieee, before, 0x0400, 0x03},
    {"the same value with subnormals, tininess after: no underflow", std::ldexp(1 - std::ldexp(1, -12), -14),
     "binary16", rne, ieee, after, 0x0400, 0x01},
    // fnuz: no -0, NaN = 0x80, overflow by policy.
    {"-0 into fnuz is +0", -0.0, "e4m3fnuz", rne, ieee, after, 0x00, 0},
    {"NaN into fnuz is 0x80", NAN, "e4m3fnuz", rne, ieee, after, 0x80, 0},
    {"1e6 into e4m3fnuz rne overflows to the NaN", 1e6, "e4m3fnuz", rne, ieee, after, 0x80, 0x05},
    {"1e6 into e4m3fnuz rtz gives max 240", 1e6, "e4m3fnuz", rtz, ieee, after, 0x7f, 0x05},
    {"-1e6 into e4m3fnuz rtz gives -240", -1e6, "e4m3fnuz", rtz, ieee, after, 0xff, 0x05},
    {"NaN into a format without NaN is +0, invalid", NAN, "e2m1fn", rne, ieee, after, 0x0, flag::invalid},
};

TEST_CASE("oracle and core agree with hand-worked encode vectors", "[oracle]") {
  for (const EncodeVector& v : kEncodeVectors) {
    Target t{parse_format(v.format)};
    t.rounding = v.rounding;
    t.overflow = v.overflow;
    t.tininess = v.tininess;
    const Rounded want{Bits{v.bits}, v.flags};
    INFO(v.story << " (" << test::describe(t) << ")");
    CHECK(test::describe(oracle_encode(v.x, t), t.format) == test::describe(want, t.format));
    CHECK(test::describe(encode(v.x, t), t.format) == test::describe(want, t.format));
  }
}

TEST_CASE("x86 NaN conversions keep the top payload bits, quieted", "[oracle]") {
  const Format f32 = parse_format("binary32"), f16 = parse_format("binary16");
  const Target t{f16};
  struct Case { uint32_t in; uint64_t out; uint8_t flags; };
  // 0x7f800001: signaling, payload only in the low bits -> the quiet bit alone, invalid.
  // 0x7fffe000: quiet, mantissa 0x7fe000 -> top 10 bits 0x3ff.   0xffc00000: negative default NaN.
  for (const Case c : {Case{0x7f800001u, 0x7e00, flag::invalid}, Case{0x7fffe000u, 0x7fff, 0},
                       Case{0xffc00000u, 0xfe00, 0}, Case{0xff800001u, 0xfe00, flag::invalid}}) {
    INFO("binary32 0x" << std::hex << c.in);
    const Rounded want{Bits{c.out}, c.flags};
    CHECK(reference::oracle_convert(Bits{c.in}, f32, t) == want);
    CHECK(convert(Bits{c.in}, f32, t) == want);
  }
}

TEST_CASE("DAZ reads subnormal inputs as zero of the same sign", "[oracle]") {
  const Format f16 = parse_format("binary16");
  Target t{parse_format("binary32")};
  t.daz = true;
  CHECK(reference::oracle_convert(Bits{0x0001}, f16, t) == Rounded{Bits{0x00000000}, 0});
  CHECK(reference::oracle_convert(Bits{0x83ff}, f16, t) == Rounded{Bits{0x80000000}, 0});
  CHECK(convert(Bits{0x0001}, f16, t) == Rounded{Bits{0x00000000}, 0});
  CHECK(convert(Bits{0x83ff}, f16, t) == Rounded{Bits{0x80000000}, 0});
  t.daz = false;
  CHECK(reference::oracle_convert(Bits{0x0001}, f16, t) == Rounded{Bits{0x33800000}, 0});  // 2^-24
}

TEST_CASE("oracle arithmetic matches the TestFloat README's worked cases", "[oracle]") {
  using reference::Op;
  const Format f16 = parse_format("binary16");
  const Format two[] = {f16, f16};
  auto op = [&](Op o, uint64_t a, uint64_t b, Rounding r, Tininess tn = Tininess::AfterRounding) {
    Target t{f16};
    t.rounding = r;
    t.tininess = tn;
    const Bits in[] = {Bits{a}, Bits{b}};
    return reference::oracle_op(o, in, two, t);
  };
  CHECK(op(Op::Add, 0x3c00, 0x3c00, rne) == Rounded{Bits{0x4000}, 0});             // 1 + 1 = 2
  CHECK(op(Op::Add, 0x3c00, 0xcbbf, rne) == Rounded{Bits{0xcb3f}, 0});             // 1 - 15.4921875
  CHECK(op(Op::Add, 0x3c00, 0x0b85, rne) == Rounded{Bits{0x3c00}, 0x01});
  CHECK(op(Op::Add, 0x7bff, 0x7bff, rne) == Rounded{Bits{0x7c00}, 0x05});          // overflow to inf
  CHECK(op(Op::Add, 0x7bff, 0x7bff, rtz) == Rounded{Bits{0x7bff}, 0x05});
  CHECK(op(Op::Add, 0x7bff, 0x7bff, rodd) == Rounded{Bits{0x7bff}, 0x05});
  CHECK(op(Op::Add, 0x3c00, 0xbc00, Rounding::Down) == Rounded{Bits{0x8000}, 0});  // exact zero sum in rdn: -0
  CHECK(op(Op::Add, 0x3c00, 0xbc00, rne) == Rounded{Bits{0x0000}, 0});
  CHECK(op(Op::Sub, 0x7c00, 0x7c00, rne) == Rounded{Bits{0xfe00}, flag::invalid});  // inf - inf
  CHECK(op(Op::Div, 0x7bfe, 0x0000, rne) == Rounded{Bits{0x7c00}, flag::infinite});
  CHECK(op(Op::Mul, 0x03ff, 0x3c01, rne) == Rounded{Bits{0x0400}, 0x01});  // rounds to 2^-14: not tiny after
  CHECK(op(Op::Mul, 0x03ff, 0x3c01, rne, Tininess::BeforeRounding) == Rounded{Bits{0x0400}, 0x03});
  const Bits neg[] = {Bits{0x87ff}};
  const Format one[] = {f16};
  CHECK(reference::oracle_op(Op::Sqrt, neg, one, Target{f16}) == Rounded{Bits{0xfe00}, flag::invalid});
  // fma: 0 * inf + qNaN is the default NaN with invalid (SoftFloat), not the NaN operand.
  const Bits fma_in[] = {Bits{0x0000}, Bits{0x7c00}, Bits{0x7e01}};
  const Format three[] = {f16, f16, f16};
  CHECK(reference::oracle_op(Op::Fma, fma_in, three, Target{f16}) == Rounded{Bits{0xfe00}, flag::invalid});
}

}  // namespace
}  // namespace fpsim
