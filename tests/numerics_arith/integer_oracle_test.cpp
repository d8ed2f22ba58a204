// from_integer against the MPFR oracle: the integer's decimal string rounded once by
// reference::oracle_decimal. Every int16 value into narrow formats in all deterministic modes and
// both overflow policies; random and edge int64/uint64 values into binary16/32/64 and e4m3fn.
#include <catch2/catch.hpp>
#include <string>

#include "numerics/core/integer.h"
#include "numerics/reference/oracle.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

const Rounding modes[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                          Rounding::Down,        Rounding::Odd};

std::string decimal(uint64_t pattern, IntFormat f) {
  if (!f.is_signed) return std::to_string(pattern);
  return std::to_string(static_cast<int64_t>(pattern));  // the pattern is sign-extended by the caller
}

TEST_CASE("every int16 value converts to narrow formats like the oracle", "[integer][oracle]") {
  int bad = 0;
  for (const char* name : {"binary16", "bfloat16", "e5m2", "e4m3fn", "e2m1fn"})
    for (Rounding mode : modes)
      for (Overflow o : {Overflow::Ieee, Overflow::Saturate}) {
        Target t;
        t.format = parse_format(name);
        t.rounding = mode;
        t.overflow = o;
        for (int v = -32768; v <= 32767; ++v) {
          const uint64_t pattern = static_cast<uint64_t>(static_cast<int64_t>(v)) & 0xffff;
          bad += from_integer(pattern, IntFormat{16, true}, t) != reference::oracle_decimal(std::to_string(v), t);
        }
      }
  CHECK(bad == 0);
}

TEST_CASE("random and edge 64-bit integers convert like the oracle", "[integer][oracle]") {
  test::OperandGen gen(12);
  int bad = 0, cases = 0;
  const uint64_t edges[] = {0, 1, ~uint64_t{0}, uint64_t{1} << 63, (uint64_t{1} << 63) - 1, (uint64_t{1} << 53) + 1,
                            (uint64_t{1} << 24) + 1, 0xfffffffffffff800ull, 0x8000000000000400ull};
  for (const char* name : {"binary16", "binary32", "binary64", "e4m3fn"})
    for (Rounding mode : modes)
      for (int i = 0; i < 3000; ++i) {
        Target t;
        t.format = parse_format(name);
        t.rounding = mode;
        // Random magnitudes of every width: a random word shifted right by 0..63.
        const uint64_t pattern = i < 9 ? edges[i] : gen.word() >> (gen.word() % 64);
        for (bool is_signed : {true, false}) {
          const IntFormat f{64, is_signed};
          ++cases;
          bad += from_integer(pattern, f, t) != reference::oracle_decimal(decimal(pattern, f), t);
        }
      }
  INFO(cases << " cases");
  CHECK(bad == 0);
}

}  // namespace
}  // namespace fpsim
