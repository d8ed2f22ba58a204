// Every binary32 bit pattern (or a strided sample of them) rounds to encode()'s bits.
#include <catch2/catch.hpp>

#include "compare.h"

namespace fpsim::test {
namespace {

// Patterns first, first + stride, ... below 2^32, in blocks, through the fastest kernel vs scalar.
void sweep(const std::string& format, uint64_t stride, int scalar_threads) {
  const Target t = make_target(format, "rne", Overflow::Ieee);
  const RandomStream stream(0);
  constexpr std::size_t block = std::size_t{1} << 22;
  std::vector<float> in;
  in.reserve(block);
  for (uint64_t p = 0; p < (uint64_t{1} << 32); p += stride) {
    in.push_back(float_from_bits(static_cast<uint32_t>(p)));
    if (in.size() == block) {
      check_identical(t, in, std::nullopt, stream, 0, scalar_threads);
      in.clear();
    }
  }
  if (!in.empty()) check_identical(t, in, std::nullopt, stream, 0, scalar_threads);
}

TEST_CASE("a strided sample of all binary32 patterns rounds into e5m2 and e4m3fn like encode", "[quantize]") {
  sweep("e5m2", 16411, 1);   // 261,713 patterns (a prime stride): every exponent, signs, NaN payloads
  sweep("e4m3fn", 16417, 1);
}

TEST_CASE("all 2^32 binary32 patterns round into e5m2 like encode", "[long]") { sweep("e5m2", 1, 0); }
TEST_CASE("all 2^32 binary32 patterns round into e4m3fn like encode", "[long]") { sweep("e4m3fn", 1, 0); }
TEST_CASE("all 2^32 binary32 patterns round into bfloat16 like encode", "[long]") { sweep("bfloat16", 1, 0); }
TEST_CASE("all 2^32 binary32 patterns round into binary16 like encode", "[long]") { sweep("binary16", 1, 0); }

}  // namespace
}  // namespace fpsim::test
