// fpsim quantize: values, codes, MX blocks, reproducible SR, and one-line errors naming the line.
#include <catch2/catch.hpp>

#include "run_cli.h"

using fpsim::test::run_fpsim;

TEST_CASE("quantize writes values or codes", "[cli]") {
  CHECK(run_fpsim("quantize --format e5m2", "1\n58000\n0.1\n").out == "1\n57344\n0.09375\n");
  CHECK(run_fpsim("quantize --format e5m2 --output codes", "1\n2\n").out == "3C\n40\n");
}

TEST_CASE("an MX block clips its maximum under the OCP scale rule, not under ceil", "[cli]") {
  // amax 1.9: shared exponent floor(log2 1.9) - 8 = -8; 1.9 * 2^8 = 486.4 saturates to 448 -> 448 * 2^-8 = 1.75.
  CHECK(run_fpsim("quantize --format e4m3fn --block 32", "1.9\n").out == "1.75\n");
  CHECK(run_fpsim("quantize --format e4m3fn --block 32 --scale-rule ceil", "1.9\n").out == "1.875\n");
}

TEST_CASE("stochastic quantize is a function of the seed", "[cli]") {
  std::string in;
  for (int i = 0; i < 64; ++i) in += "1.125\n";  // halfway between e5m2 1 and 1.25
  const auto a = run_fpsim("quantize --format e5m2 --rounding sr --seed 4", in);
  CHECK(a.out == run_fpsim("quantize --format e5m2 --rounding sr --seed 4", in).out);
  CHECK(a.out != run_fpsim("quantize --format e5m2 --rounding sr --seed 5", in).out);
  CHECK(a.out.find("1.25\n") != std::string::npos);
  CHECK(a.out.find("1\n") != std::string::npos);
}

TEST_CASE("a bad number in quantize input names its line and writes nothing", "[cli]") {
  const auto r = run_fpsim("quantize --format e5m2", "0.1\nabc\n");
  CHECK(r.status == 2);
  CHECK(r.err.find("<stdin>:2") != std::string::npos);
  CHECK(r.out.empty());
}
