// Statistics are the same from every kernel, and count what the elements became: ±inf into a format
// without inf (e4m3fn, e4m3fnuz) gives the NaN and is counted as a NaN result.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "numerics/quantize/quantize.h"

namespace fpsim {
namespace {

TEST_CASE("every kernel counts infinities that become NaN as NaN results", "[quantize][stats]") {
  std::vector<float> in;
  for (int i = 0; i < 1000; ++i) {  // infinities at many lane positions, among finite values within every range
    const float finite = float(i % 200) * 0.5f - 50.0f;
    in.push_back(i % 7 == 0 ? INFINITY : i % 11 == 0 ? -INFINITY : i % 13 == 0 ? NAN : finite);
  }
  uint64_t infinities = 0, nans = 0;
  for (float x : in) infinities += std::isinf(x), nans += std::isnan(x);
  for (const char* name : {"e4m3fn", "e4m3fnuz", "e5m2", "e2m1fn"}) {
    const Target t{parse_format(name)};
    INFO(name);
    QuantStats reference;
    std::vector<float> out(in.size());
    quantize(in, out, t, nullptr, 0, &reference, QuantizeOptions{.threads = 1, .scalar = true});
    const uint64_t want = !t.format.has_nan() ? 0 : t.format.has_inf() ? nans : nans + infinities;
    CHECK(reference.nan == want);
    for (simd::Isa k : simd::kIsas) {
      if (!vector_kernel_available(k)) continue;
      QuantStats s;
      quantize(in, out, t, nullptr, 0, &s, QuantizeOptions{.threads = 1, .isa = k});
      INFO(simd::to_string(k));
      CHECK(s == reference);
    }
  }
}

}  // namespace
}  // namespace fpsim
