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

TEST_CASE("tensor scaling by hand: amax 4, enc 448/4 = 112, factor fp32(1/112)", "[cli][quantize][scaling]") {
  // q = x * 112 is exact in e4m3fn (448 = 1.75 * 2^8 is its max); fp32(1/112) prints as 0.008928572.
  const std::string x = "1\n2\n-4\n0.5\n";
  CHECK(run_fpsim("quantize --format e4m3fn --scaling tensor --output scaled", x).out ==
        "112\n224\n-448\n56\ntiles 1x1 of 1x4\ntile 0 factor 0.008928572 amax 4\ntensor_factor 1 amax 4\n");
  // Dequantized: 112 * fp32(1/112) rounds back to 1 in binary32, and so do the others.
  CHECK(run_fpsim("quantize --format e4m3fn --scaling tensor", x).out == x);
  // tensor_delayed takes the encode scale: 100 * 10 = 1000 saturates to 448.
  CHECK(run_fpsim("quantize --format e4m3fn --scaling tensor_delayed --scale 10 --output scaled", "1\n-8\n100\n0.5\n").out ==
        "10\n-80\n448\n5\ntiles 1x1 of 1x4\ntile 0 factor 0.1 amax 100\ntensor_factor 1 amax 100\n");
}

TEST_CASE("row scaling with K down the columns scales each column", "[cli][quantize][scaling]") {
  // [[1, -8], [100, 0.5]], k-axis 0: column 0 has amax 100, enc 4.48 (1 * 4.48 -> 4.5); column 1 amax 8, enc 56.
  CHECK(run_fpsim("quantize --format e4m3fn --scaling row --k-axis 0 --cols 2 --output scaled", "1\n-8\n100\n0.5\n").out ==
        "4.5\n-448\n448\n28\ntiles 2x1 of 1x2\ntile 0 factor 0.22321428 amax 100\ntile 1 factor 0.017857144 amax 8\n"
        "tensor_factor 1 amax 100\n");
  // block 2x1 along K down columns: tiles are the two rows.
  CHECK(run_fpsim("quantize --format e4m3fn --scaling block --tile 2x1 --k-axis 0 --cols 2 --output scaled",
                  "1\n2\n-4\n0.5\n").out ==
        "224\n448\n-448\n56\ntiles 1x2 of 2x1\ntile 0 factor 0.004464286 amax 2\ntile 1 factor 0.008928572 amax 4\n"
        "tensor_factor 1 amax 4\n");
}

TEST_CASE("mx and nvfp4 scaling print their block scales as decode factors", "[cli][quantize][scaling]") {
  // MX floor: 2^(floor(log2 1.9) - 8) = 2^-8, 1.9 * 2^8 = 486.4 clips to 448; ceil: 2^-7, 243.2 -> 240.
  CHECK(run_fpsim("quantize --format e4m3fn --scaling mx --output scaled", "1.9\n1\n").out ==
        "448\n256\ntiles 1x1 of 1x2\ntile 0 factor 0.00390625 amax 1.9\ntensor_factor 1 amax 1.9\n");
  CHECK(run_fpsim("quantize --format e4m3fn --scaling mx --scale-rule ceil", "1.9\n1\n").out == "1.875\n1\n");
  // NVFP4: S_enc = 448 * 6 / 6 = 448, block scale E4M3(6 / 6 * 448) = 448, enc 1; 0.25 ties to 0 in e2m1fn.
  // Dequantized q * 448 * fp32(1/448): two binary32 products, so 6 becomes 6.0000005.
  const std::string x = "6\n3\n1\n0.25\n";
  CHECK(run_fpsim("quantize --format e2m1fn --scaling nvfp4 --output scaled", x).out ==
        "6\n3\n1\n0\ntiles 1x1 of 1x4\ntile 0 factor 448 amax 6\ntensor_factor 0.002232143 amax 6\n");
  CHECK(run_fpsim("quantize --format e2m1fn --scaling nvfp4", x).out == "6.0000005\n3.0000002\n1\n0\n");
}

TEST_CASE("stochastic scaled casts are a function of the seed", "[cli][quantize][scaling]") {
  std::string in;
  for (int i = 0; i < 64; ++i) in += i == 0 ? "448\n" : "1.125\n";  // enc 1; 1.125 is halfway between e5m2 1 and 1.25
  const std::string args = "quantize --format e5m2 --rounding sr --scaling tensor --output scaled --seed ";
  const auto a = run_fpsim(args + "4", in);
  CHECK(a.status == 0);
  CHECK(a.out == run_fpsim(args + "4", in).out);
  CHECK(a.out != run_fpsim(args + "5", in).out);
}
