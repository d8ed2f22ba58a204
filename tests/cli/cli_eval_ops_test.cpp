// fpsim eval for minimum/maximum and the integer conversions: hand-worked cases and input errors.
#include <catch2/catch.hpp>

#include "run_cli.h"

using fpsim::test::run_fpsim;

TEST_CASE("eval to_int8 rounds, saturates per NaN policy and flags", "[cli]") {
  // 1.5 -> 2 and -1.5 -> -2 (ties to even, inexact); 2.71875 -> 3; inf and NaN are invalid.
  const auto x86 = run_fpsim("eval to_int8 --format binary16", "3E00\nBE00\n4170\n7C00\n7E00\n");
  CHECK(x86.status == 0);
  CHECK(x86.out == "02 01\nFE 01\n03 01\n80 10\n80 10\n");
  const auto arm = run_fpsim("eval to_int8 --format binary16 --nan arm", "7C00\n7E00\n");
  CHECK(arm.out == "7F 10\n00 10\n");
}

TEST_CASE("eval to_uint32 in rdn: -1.5 is out of range, 1.5 is 1", "[cli]") {
  const auto r = run_fpsim("eval to_uint32 --format binary16 --rounding rdn", "3E00\nBE00\n");
  CHECK(r.out == "00000001 01\nFFFFFFFF 10\n");
}

TEST_CASE("eval from_int32 rounds once into the format", "[cli]") {
  // -1 is exact; 2^31 - 1 overflows binary16 to inf (overflow | inexact).
  const auto r = run_fpsim("eval from_int32 --format binary16", "FFFFFFFF\n7FFFFFFF\n");
  CHECK(r.out == "BC00 00\n7C00 05\n");
}

TEST_CASE("eval minimum and maximum_number follow IEEE 754-2019", "[cli]") {
  CHECK(run_fpsim("eval minimum --format binary16", "8000 0000\n7E00 3C00\n").out == "8000 00\n7E00 00\n");
  CHECK(run_fpsim("eval maximum_number --format binary16", "7E00 3C00\n7D00 3C00\n").out == "3C00 00\n3C00 10\n");
}

TEST_CASE("an integer operand of the wrong width names the type", "[cli]") {
  const auto r = run_fpsim("eval from_int8 --format e5m2", "7F\n100\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("stdin line 2") != std::string::npos);
  CHECK(r.err.find("int8 needs 2") != std::string::npos);
}
