// Results never depend on the thread count or the chunk size (stream index = offset + element).
#include <catch2/catch.hpp>
#include <cstring>

#include "compare.h"

namespace fpsim::test {
namespace {

TEST_CASE("quantize gives the same bits and stats for 1, 2 and 8 threads and any chunk size", "[quantize]") {
  const RandomStream stream(2024, stream_id("fc1.weight"));
  const std::vector<float> in = quantize_inputs(parse_format("e5m2"), 200'000, 77);
  for (const char* rounding : {"sr", "rne", "sr:8"}) {
    const Target t = make_target("e5m2", rounding, Overflow::Ieee);
    INFO(rounding);
    std::vector<float> first(in.size());
    QuantStats first_stats;
    quantize(in, first, t, &stream, 123, &first_stats, QuantizeOptions{.threads = 1});
    for (int threads : {1, 2, 8})
      for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{65536}}) {
        INFO("threads " << threads << " chunk " << chunk);
        std::vector<float> out(in.size());
        QuantStats stats;
        quantize(in, out, t, &stream, 123, &stats, QuantizeOptions{.threads = threads, .chunk = chunk});
        REQUIRE(std::memcmp(out.data(), first.data(), out.size() * sizeof(float)) == 0);
        REQUIRE(stats == first_stats);
      }
  }
}

TEST_CASE("quantizing a slice at offset k equals the slice of quantizing the whole", "[quantize]") {
  const RandomStream stream(99);
  const std::vector<float> in = quantize_inputs(parse_format("e4m3fn"), 5000, 3);
  const Target t = make_target("e4m3fn", "sr", Overflow::Saturate);
  std::vector<uint8_t> whole(in.size()), part(in.size() - 1001);
  quantize_codes(in, whole, t, &stream, 50);
  quantize_codes(std::span(in).subspan(1001), part, t, &stream, 50 + 1001);
  REQUIRE(std::equal(part.begin(), part.end(), whole.begin() + 1001));
}

TEST_CASE("quantize works in place", "[quantize]") {
  const RandomStream stream(1);
  std::vector<float> x = quantize_inputs(parse_format("binary16"), 3000, 4);
  std::vector<float> expected(x.size());
  const Target t = make_target("binary16", "sr", Overflow::Ieee);
  quantize_scalar(x, expected, t, &stream);
  quantize(x, x, t, &stream);
  REQUIRE(std::memcmp(x.data(), expected.data(), x.size() * sizeof(float)) == 0);
}

TEST_CASE("quantize rejects bad arguments with a message naming the problem", "[quantize]") {
  std::vector<float> in(4), out(3);
  const Target e5m2 = make_target("e5m2", "rne", Overflow::Ieee);
  REQUIRE_THROWS_WITH(quantize(in, out, e5m2, nullptr), Catch::Contains("shorter"));
  out.resize(4);
  REQUIRE_THROWS_WITH(quantize(in, out, make_target("e5m2", "sr", Overflow::Ieee), nullptr),
                      Catch::Contains("random stream"));
  REQUIRE_THROWS_WITH(quantize(in, out, make_target("binary64", "rne", Overflow::Ieee), nullptr),
                      Catch::Contains("not binary32 values"));
  std::vector<uint8_t> codes(4);
  REQUIRE_THROWS_WITH(quantize_codes(in, codes, make_target("binary16", "rne", Overflow::Ieee), nullptr),
                      Catch::Contains("16 bits"));
}

}  // namespace
}  // namespace fpsim::test
