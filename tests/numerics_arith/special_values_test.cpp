// Special operands and results: NaN conventions per policy, invalid operations, division by zero,
// signs of exact zeros, formats without inf or NaN. Regression vectors in hex, each with its story.
#include <catch2/catch.hpp>

#include "numerics/arith/arith.h"

namespace fpsim {
namespace {

const Format f16 = parse_format("binary16");
const Format f32 = parse_format("binary32");

Target target(const Format& f, Rounding r = Rounding::NearestEven, NanPolicy nan = NanPolicy::X86) {
  Target t;
  t.format = f;
  t.rounding = r;
  t.nan = nan;
  return t;
}

TEST_CASE("x86 invalid operations give the default NaN with the sign set", "[special]") {
  const Target t = target(f16);
  const Rounded dnan{Bits{0xfe00}, flag::invalid};
  CHECK(add({0x7c00}, f16, {0xfc00}, f16, t) == dnan);              // inf + (-inf)
  CHECK(sub({0x7c00}, f16, {0x7c00}, f16, t) == dnan);              // inf - inf
  CHECK(mul({0x0000}, f16, {0xfc00}, f16, t) == dnan);              // 0 * -inf
  CHECK(div({0x8000}, f16, {0x0000}, f16, t) == dnan);              // -0 / 0
  CHECK(div({0x7c00}, f16, {0xfc00}, f16, t) == dnan);              // inf / -inf
  CHECK(sqrt({0xbc00}, f16, t) == dnan);                            // sqrt(-1)
  CHECK(sqrt({0xfc00}, f16, t) == dnan);                            // sqrt(-inf)
  CHECK(fma({0x7c00}, f16, {0x0000}, f16, {0x3c00}, f16, t) == dnan);  // inf * 0 + 1
  CHECK(fma({0x3c00}, f32, {0x7f800000}, f32, {0xff800000}, f32, target(f32)) ==
        Rounded{Bits{0xffc00000}, flag::invalid});                  // 1 * inf + (-inf)
}

TEST_CASE("x86 propagates the first NaN operand quieted and flags signalling ones", "[special]") {
  const Target t = target(f16);
  // 7E01 is a quiet NaN with payload 1, 7D00 a signalling NaN: a wins, b's sNaN raises invalid.
  CHECK(add({0x7e01}, f16, {0x7d00}, f16, t) == Rounded{Bits{0x7e01}, flag::invalid});
  CHECK(mul({0x3c00}, f16, {0x7d00}, f16, t) == Rounded{Bits{0x7f00}, flag::invalid});  // quieted
  CHECK(div({0xfe05}, f16, {0x3c00}, f16, t) == Rounded{Bits{0xfe05}, 0});
  // sub keeps a NaN b's sign: 1 - (-qNaN 1) is -qNaN 1.
  CHECK(sub({0x3c00}, f16, {0xfe01}, f16, t) == Rounded{Bits{0xfe01}, 0});
  // fma: A before B before C; 0 * inf + NaN is the default NaN, not C.
  CHECK(fma({0x3c00}, f16, {0x7e02}, f16, {0x7e03}, f16, t) == Rounded{Bits{0x7e02}, 0});
  CHECK(fma({0x3c00}, f16, {0x3c00}, f16, {0x7d03}, f16, t) == Rounded{Bits{0x7f03}, flag::invalid});
  CHECK(fma({0x0000}, f16, {0x7c00}, f16, {0x7e03}, f16, t) == Rounded{Bits{0xfe00}, flag::invalid});
  CHECK(fma({0x7c00}, f16, {0x3c00}, f16, {0x7e03}, f16, t) == Rounded{Bits{0x7e03}, 0});
  // Across formats the payload's top bits travel: binary32 sNaN 7FA00000 (payload bit 21) into binary16
  // keeps that bit as bit 8 and sets the quiet bit: 7F00.
  CHECK(add({0x7fa00000}, f32, {0x3c00}, f16, t) == Rounded{Bits{0x7f00}, flag::invalid});
}

TEST_CASE("ARM default-NaN and RISC-V canonical NaN are the positive default NaN", "[special]") {
  for (NanPolicy p : {NanPolicy::ArmDefault, NanPolicy::RiscV}) {
    CHECK(add({0x7c00}, f16, {0xfc00}, f16, target(f16, Rounding::NearestEven, p)) ==
          Rounded{Bits{0x7e00}, flag::invalid});
    CHECK(add({0xfe01}, f16, {0x3c00}, f16, target(f16, Rounding::NearestEven, p)) == Rounded{Bits{0x7e00}, 0});
    CHECK(mul({0x7f800001}, f32, {0x3f800000}, f32, target(f32, Rounding::NearestEven, p)) ==
          Rounded{Bits{0x7fc00000}, flag::invalid});
    CHECK(sqrt({0xbf800000}, f32, target(f32, Rounding::NearestEven, p)) == Rounded{Bits{0x7fc00000}, flag::invalid});
  }
}

TEST_CASE("fn and fnuz formats produce their one NaN; finite formats give +0 and invalid", "[special]") {
  const Format e4m3fn = parse_format("e4m3fn"), e4m3fnuz = parse_format("e4m3fnuz"), e2m1 = parse_format("e2m1fn");
  CHECK(div({0x00}, e4m3fn, {0x00}, e4m3fn, target(e4m3fn)) == Rounded{Bits{0xff}, flag::invalid});
  CHECK(div({0x00}, e4m3fn, {0x00}, e4m3fn, target(e4m3fn, Rounding::NearestEven, NanPolicy::ArmDefault)) ==
        Rounded{Bits{0x7f}, flag::invalid});
  CHECK(add({0x7f}, e4m3fn, {0x38}, e4m3fn, target(e4m3fn)) == Rounded{Bits{0x7f}, 0});  // NaN + 1
  CHECK(div({0x00}, e4m3fnuz, {0x00}, e4m3fnuz, target(e4m3fnuz)) == Rounded{Bits{0x80}, flag::invalid});
  CHECK(mul({0x80}, e4m3fnuz, {0x40}, e4m3fnuz, target(e4m3fnuz)) == Rounded{Bits{0x80}, 0});  // NaN * 2
  CHECK(div({0x0}, e2m1, {0x0}, e2m1, target(e2m1)) == Rounded{Bits{0x0}, flag::invalid});
  CHECK(sqrt({0xa}, e2m1, target(e2m1)) == Rounded{Bits{0x0}, flag::invalid});  // sqrt(-1)
  // A NaN operand from another format into a finite format: +0, invalid.
  CHECK(add({0x7e00}, f16, {0x2}, e2m1, target(e2m1)) == Rounded{Bits{0x0}, flag::invalid});
}

TEST_CASE("division by zero is infinite with the infinite flag, or the format's stand-in", "[special]") {
  CHECK(div({0x3c00}, f16, {0x0000}, f16, target(f16)) == Rounded{Bits{0x7c00}, flag::infinite});
  CHECK(div({0xbc00}, f16, {0x0000}, f16, target(f16)) == Rounded{Bits{0xfc00}, flag::infinite});
  CHECK(div({0x3c00}, f16, {0x8000}, f16, target(f16)) == Rounded{Bits{0xfc00}, flag::infinite});
  CHECK(div({0x7c00}, f16, {0x0000}, f16, target(f16)) == Rounded{Bits{0x7c00}, 0});  // inf / 0: exact inf
  // Without inf, the result is what converting inf gives: the NaN (fn) or max (finite), plus invalid.
  const Format e4m3fn = parse_format("e4m3fn"), e2m1 = parse_format("e2m1fn");
  CHECK(div({0x38}, e4m3fn, {0x00}, e4m3fn, target(e4m3fn)) ==
        Rounded{Bits{0x7f}, flag::infinite | flag::invalid});
  CHECK(div({0xa}, e2m1, {0x0}, e2m1, target(e2m1)) == Rounded{Bits{0xf}, flag::infinite | flag::invalid});
}

TEST_CASE("exact zeros follow the IEEE sign rules", "[special]") {
  const Target rne = target(f16), rdn = target(f16, Rounding::Down), rup = target(f16, Rounding::Up);
  CHECK(add({0x3c00}, f16, {0xbc00}, f16, rne).bits == Bits{0x0000});  // 1 + (-1) = +0
  CHECK(add({0x3c00}, f16, {0xbc00}, f16, rdn).bits == Bits{0x8000});  // ... -0 toward -inf
  CHECK(sub({0x3c00}, f16, {0x3c00}, f16, rup).bits == Bits{0x0000});
  CHECK(add({0x8000}, f16, {0x8000}, f16, rne).bits == Bits{0x8000});  // -0 + -0 = -0
  CHECK(add({0x0000}, f16, {0x8000}, f16, rne).bits == Bits{0x0000});  // +0 + -0 = +0
  CHECK(add({0x0000}, f16, {0x8000}, f16, rdn).bits == Bits{0x8000});
  CHECK(mul({0x8000}, f16, {0x3c00}, f16, rne).bits == Bits{0x8000});
  CHECK(sqrt({0x8000}, f16, rne) == Rounded{Bits{0x8000}, 0});          // sqrt(-0) = -0
  CHECK(fma({0x3c00}, f16, {0xbc00}, f16, {0x3c00}, f16, rdn).bits == Bits{0x8000});
  CHECK(fma({0x8000}, f16, {0x3c00}, f16, {0x8000}, f16, rne).bits == Bits{0x8000});  // -0 + -0
  // fnuz has no -0: the rdn zero is +0.
  const Format fnuz = parse_format("e4m3fnuz");
  CHECK(sub({0x40}, fnuz, {0x40}, fnuz, target(fnuz, Rounding::Down)) == Rounded{Bits{0x00}, 0});
  // A tiny non-zero result keeps the sign of the exact result: -2^-24 * 2^-1 rounds to -0.
  CHECK(mul({0x8001}, f16, {0x3800}, f16, rne) == Rounded{Bits{0x8000}, flag::underflow | flag::inexact});
}

TEST_CASE("daz reads subnormal operands as zero", "[special]") {
  Target t = target(f16);
  t.daz = true;
  CHECK(add({0x0001}, f16, {0x0000}, f16, t) == Rounded{Bits{0x0000}, 0});
  CHECK(mul({0x03ff}, f16, {0x3c00}, f16, t) == Rounded{Bits{0x0000}, 0});
}

TEST_CASE("mixed operand formats round once into the result format", "[special]") {
  // fma as an FP8 GEMM with an FP32 accumulator: e5m2 1.5 * e5m2 1.5 + binary32 2^-30 in binary32.
  const Format e5m2 = parse_format("e5m2");
  const Rounded r = fma({0x3e}, e5m2, {0x3e}, e5m2, {0x30800000}, f32, target(f32));
  CHECK(r == Rounded{Bits{0x40100000}, flag::inexact});  // 2.25 + 2^-30: the 2^-30 is below half an ulp
  // Rounded once: binary16 65504 + binary32 16 = 65520 overflows binary16 in rne (a tie to even 65536).
  CHECK(add({0x7bff}, f16, {0x41800000}, f32, target(f16)) == Rounded{Bits{0x7c00}, flag::overflow | flag::inexact});
  CHECK(add({0x7bff}, f16, {0x41700000}, f32, target(f16)) == Rounded{Bits{0x7bff}, flag::inexact});  // +15
}

}  // namespace
}  // namespace fpsim
