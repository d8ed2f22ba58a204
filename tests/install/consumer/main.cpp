// A minimal user of the installed fpsim: round into E4M3, add in binary16, quantise an array, run a GEMM with
// a binary16 accumulator. Prints one line; the install test compares it with the expected bits.
#include <cstdio>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "numerics/quantize/quantize.h"
#include "sim/gemm/gemm.h"

int main() {
  using namespace fpsim;
  const Target e4m3{parse_format("e4m3fn")};
  const Rounded r = encode(500.0, e4m3);                  // above 448 by more than half a step: NaN (0x7f)
  const Format f16 = parse_format("binary16");
  const Rounded sum = add({0x3c00}, f16, {0x3c00}, f16, Target{f16});  // 1 + 1 = 2 (0x4000)
  std::vector<float> x = {0.1f, 3.7f, 1000.0f}, y(3);
  quantize(x, y, Target{parse_format("e5m2")}, nullptr);  // 0.09375 3.5 1024
  const float a[2] = {2048.0f, 1.0f}, b[2] = {1.0f, 1.0f};
  float c = 0;
  sim::Accumulation acc;
  acc.fp32 = false;
  acc.target = Target{f16};
  sim::gemm({sim::Trans::No, sim::Trans::No, 1, 1, 2, a, 2, b, 1, &c, 1}, acc);  // 2048 + 1 = 2049 ties to even: 2048 (fp32: 2049)
  std::printf("%02x %04x %g %g %g %g\n", static_cast<unsigned>(r.bits.v), static_cast<unsigned>(sum.bits.v),
              static_cast<double>(y[0]), static_cast<double>(y[1]), static_cast<double>(y[2]), static_cast<double>(c));
  return 0;
}
