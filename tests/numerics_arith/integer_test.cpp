// Integer conversions. to_integer: every binary16 code and a million binary32 codes (random, edge
// patterns, and values at the edges of every integer type) in every deterministic mode, all integer
// types and NaN policies, against a reference computed with libm's floor/ceil/trunc/nearbyint/round
// on the exact binary64 value; sr stays between the neighbours with the right frequency.
// from_integer: against the MPFR oracle in oracle_test.cpp.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>

#include "numerics/core/convert.h"
#include "numerics/core/integer.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

const IntFormat int_types[] = {{8, true}, {8, false}, {16, true}, {16, false},
                               {32, true}, {32, false}, {64, true}, {64, false}};
const Rounding modes[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                          Rounding::Down,        Rounding::Odd,         Rounding::Truncate};

double round_reference(double v, Rounding mode) {
  switch (mode) {
    case Rounding::NearestEven: return std::nearbyint(v);  // default FE_TONEAREST
    case Rounding::NearestAway: return std::round(v);
    case Rounding::Up: return std::ceil(v);
    case Rounding::Down: return std::floor(v);
    case Rounding::Odd: {
      const double t = std::trunc(v);
      return t != v && std::fmod(t, 2.0) == 0 ? t + (v > 0 ? 1 : -1) : t;
    }
    default: return std::trunc(v);
  }
}

// The expected result: SoftFloat's rules per policy for invalid cases.
Rounded expected(Bits a, const Format& f, IntFormat it, Rounding mode, NanPolicy nan) {
  const double v = decode(a, f);
  // In range: lo <= r < end (both powers of two, exact in binary64).
  const double lo = it.is_signed ? -std::ldexp(1.0, it.bits - 1) : 0.0;
  const double end = std::ldexp(1.0, it.is_signed ? it.bits - 1 : it.bits);
  const uint64_t max_pattern = it.is_signed ? it.mask() >> 1 : it.mask();
  const uint64_t min_pattern = it.is_signed ? (it.mask() >> 1) + 1 : 0;
  auto invalid = [&](bool is_nan, bool above) {
    uint64_t p;
    if (nan == NanPolicy::X86) p = it.is_signed ? min_pattern : it.mask();
    else if (is_nan) p = nan == NanPolicy::RiscV ? max_pattern : 0;
    else p = above ? max_pattern : min_pattern;
    return Rounded{Bits{p}, flag::invalid};
  };
  if (std::isnan(v)) return invalid(true, false);
  if (std::isinf(v)) return invalid(false, v > 0);
  const double r = round_reference(v, mode);
  if (r >= end || r < lo) return invalid(false, r > 0);
  // r is an integer in range: its two's-complement pattern (|r| < 2^64 fits uint64 exactly).
  const uint64_t m = static_cast<uint64_t>(std::fabs(r));
  const uint64_t pattern = (r < 0 ? ~m + 1 : m) & it.mask();
  return {Bits{pattern}, static_cast<uint8_t>(r != v ? flag::inexact : 0)};
}

int check_code(Bits a, const Format& f) {
  int bad = 0;
  for (IntFormat it : int_types)
    for (Rounding mode : modes)
      for (NanPolicy nan : {NanPolicy::X86, NanPolicy::ArmDefault, NanPolicy::RiscV}) {
        Target t;
        t.rounding = mode;
        t.nan = nan;
        const Rounded got = to_integer(a, f, it, t), want = expected(a, f, it, mode, nan);
        if (got != want) {
          if (bad < 3)
            UNSCOPED_INFO(f.to_string() << " " << std::hex << a.v << " -> " << to_string(it) << " " << to_string(mode)
                                        << ": got " << got.bits.v << "/" << int(got.flags) << " want " << want.bits.v
                                        << "/" << int(want.flags));
          ++bad;
        }
      }
  return bad;
}

TEST_CASE("every binary16 code converts to every integer type like the libm reference", "[integer]") {
  const Format f = parse_format("binary16");
  int bad = 0;
  for (uint64_t a = 0; a < 0x10000; ++a) bad += check_code(Bits{a}, f);
  CHECK(bad == 0);
}

TEST_CASE("binary32 codes (random, edge, and at every integer type's limits) convert like the reference", "[integer]") {
  const Format f = parse_format("binary32");
  test::OperandGen gen(9);
  int bad = 0;
  for (int i = 0; i < 30000; ++i) bad += check_code(gen.code(f), f);
  // Values at 2^(bits-1) and 2^bits, their neighbours, and halves around them.
  Target nearest;
  nearest.format = f;
  for (int bits : {8, 16, 32, 64})
    for (double base : {std::ldexp(1.0, bits - 1), std::ldexp(1.0, bits)})
      for (double v : {base, -base, base - 0.5, -base - 0.5, base + 0.5, base - 1, -base + 1, -base - 1})
        for (float x : {static_cast<float>(v), std::nextafter(static_cast<float>(v), 0.0f),
                        std::nextafter(static_cast<float>(v), static_cast<float>(2 * v))})
          bad += check_code(encode(x, nearest).bits, f);
  CHECK(bad == 0);
}

TEST_CASE("stochastic rounding to an integer picks a neighbour with the fraction's probability", "[integer]") {
  const Format f = parse_format("binary16");
  Target t;
  t.rounding = Rounding::Stochastic;
  test::OperandGen gen(4);
  int up = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const Rounded r = to_integer(Bits{0xc080}, f, IntFormat{32, true}, t, gen.word());  // -2.25
    REQUIRE((r.bits.v == 0xfffffffeu || r.bits.v == 0xfffffffdu));  // -2 or -3
    REQUIRE(r.flags == flag::inexact);
    up += r.bits.v == 0xfffffffdu;  // away from zero: probability 0.25
  }
  // 0.25 ± 5 sigma (sigma = sqrt(0.25·0.75/n) = 0.00137).
  CHECK(std::abs(double(up) / n - 0.25) < 5 * 0.00137);
}

TEST_CASE("sr:K to an integer uses the fraction's top K bits; daz reads subnormals as zero", "[integer]") {
  const Format f = parse_format("binary16");
  Target t;
  t.rounding = Rounding::Stochastic;
  t.sr_bits = 1;
  test::OperandGen gen(5);
  int up_quarter = 0, up_three_quarters = 0;
  for (int i = 0; i < 4000; ++i) {
    // 2.25: top fraction bit 0 -> never up; 2.75: top bit 1 -> up with probability 1/2.
    up_quarter += to_integer(Bits{0x4080}, f, IntFormat{8, true}, t, gen.word()).bits.v == 3;
    up_three_quarters += to_integer(Bits{0x4180}, f, IntFormat{8, true}, t, gen.word()).bits.v == 3;
  }
  CHECK(up_quarter == 0);
  CHECK(std::abs(up_three_quarters / 4000.0 - 0.5) < 5 * 0.0079);
  Target up;
  up.rounding = Rounding::Up;
  CHECK(to_integer(Bits{0x0001}, f, IntFormat{32, true}, up) == Rounded{Bits{1}, flag::inexact});  // 2^-24 -> 1
  up.daz = true;
  CHECK(to_integer(Bits{0x0001}, f, IntFormat{32, true}, up) == Rounded{Bits{0}, 0});  // read as +0
}

TEST_CASE("integer type names parse and print; bad ones are named", "[integer]") {
  CHECK(parse_int_format("uint16") == IntFormat{16, false});
  CHECK(to_string(parse_int_format("int64")) == "int64");
  CHECK_THROWS_WITH(parse_int_format("int12"), Catch::Contains("int12"));
}

}  // namespace
}  // namespace fpsim
