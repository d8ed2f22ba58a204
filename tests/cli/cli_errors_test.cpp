// Bad input gives one clear line naming the problem and where, and a non-zero exit.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <string>

#include "run_cli.h"

using fpsim::test::run_fpsim;

namespace {
size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }
}  // namespace

TEST_CASE("an unknown format name is a one-line error listing the presets", "[cli]") {
  const auto r = run_fpsim("round --format e4m3x 1.0");
  CHECK(r.status == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("unknown format \"e4m3x\"") != std::string::npos);
  CHECK(r.err.find("e4m3fn") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("a hex operand of the wrong width names its line and the width expected", "[cli]") {
  const auto r = run_fpsim("eval convert --from binary16 --format e5m2", "3C00\n3C0\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("stdin line 2") != std::string::npos);
  CHECK(r.err.find("needs 4") != std::string::npos);
}

TEST_CASE("a bad hex digit and a missing operand are errors, never skipped lines", "[cli]") {
  CHECK(run_fpsim("eval convert --from binary16 --format e5m2", "3CZ0\n").err.find("bad hex digit") !=
        std::string::npos);
  CHECK(run_fpsim("eval convert --from e5m2 --format binary16", "3c\n4G\n").status == 2);
}

TEST_CASE("an unknown rounding mode lists the accepted names", "[cli]") {
  const auto r = run_fpsim("round --format e5m2 --rounding stoch 1.0");
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown rounding \"stoch\"") != std::string::npos);
  CHECK(r.err.find("sr:K") != std::string::npos);
}

TEST_CASE("an impossible custom format says which field is wrong", "[cli]") {
  const auto r = run_fpsim("formats --values e0m3");
  CHECK(r.status == 2);
  CHECK(r.err.find("exp_bits") != std::string::npos);
  const auto wide = run_fpsim("formats --values binary32");
  CHECK(wide.status == 2);
  CHECK(wide.err.find("at most 16 bits") != std::string::npos);
}

TEST_CASE("a malformed decimal value is rejected", "[cli]") {
  const auto r = run_fpsim("round --format bfloat16 1.2.3");
  CHECK(r.status == 2);
  CHECK(r.err.find("malformed number \"1.2.3\"") != std::string::npos);
}

TEST_CASE("verify of a missing table fails with its path", "[cli]") {
  const auto r = run_fpsim("verify /nonexistent/f16_add.rne.tafter.txt");
  CHECK(r.status == 2);
  CHECK(r.err.find("/nonexistent/f16_add.rne.tafter.txt") != std::string::npos);
}

TEST_CASE("a bad FPSIM_MAX_ISA is a one-line error before any work; a valid one keeps the results", "[cli]") {
  // 300 values over many binades, stochastic rounding: quantize's vector kernels, capped or not
  std::string values;
  for (int i = 0; i < 300; ++i)
    values += std::to_string((i % 2 ? -1.0 : 1.0) * (1.0 + i * 0.37) * std::pow(10.0, i % 9 - 4)) + "\n";
  const std::string args = "quantize --format e4m3fn --rounding sr --seed 9 --output codes";
  unsetenv("FPSIM_MAX_ISA");
  const auto plain = run_fpsim(args, values);
  REQUIRE(plain.status == 0);
  setenv("FPSIM_MAX_ISA", "sse", 1);
  const auto bad = run_fpsim(args, values);
  setenv("FPSIM_MAX_ISA", "portable", 1);
  const auto portable = run_fpsim(args, values);
  unsetenv("FPSIM_MAX_ISA");
  CHECK(bad.status == 2);
  CHECK(bad.err == "error: FPSIM_MAX_ISA: unknown ISA \"sse\" (expected portable, avx2 or avx512)\n");
  CHECK(bad.out.empty());
  CHECK(portable.status == 0);
  CHECK(portable.out == plain.out);
  CHECK(lines(plain.out) == 300);
}
