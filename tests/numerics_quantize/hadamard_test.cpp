// Random Hadamard transform: orthogonality (the dot product of two transformed vectors is unchanged),
// the Sylvester matrix on integer inputs (every step exact), tails untouched, and keyed signs.
#include "numerics/quantize/hadamard.h"

#include <catch2/catch.hpp>
#include <bit>
#include <vector>

namespace fpsim::test {
namespace {

TEST_CASE("RHT of integer vectors equals (1/4)·H16·D·v computed as a matrix product", "[hadamard]") {
  std::vector<float> x(2 * 20);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i * 7 % 23) - 11);
  const uint16_t signs = 0xA5C3;
  std::vector<float> y = x;
  hadamard_transform(y, 2, 20, 1, signs);
  for (int r = 0; r < 2; ++r) {
    for (int i = 0; i < 16; ++i) {
      double s = 0;
      for (int j = 0; j < 16; ++j) {
        const double h = (std::popcount(unsigned(i & j)) & 1) ? -1.0 : 1.0;
        const double d = ((signs >> j) & 1) ? -1.0 : 1.0;
        s += h * d * x[size_t(r * 20 + j)];
      }
      CHECK(y[size_t(r * 20 + i)] == float(s / 4));
    }
    for (int i = 16; i < 20; ++i) CHECK(y[size_t(r * 20 + i)] == x[size_t(r * 20 + i)]);  // tail of 4: unchanged
  }
}

TEST_CASE("RHT with the same signs on both operands keeps dot products along K", "[hadamard]") {
  std::vector<float> a(64), b(64);
  for (int i = 0; i < 64; ++i) a[size_t(i)] = float((i * 5) % 9 - 4), b[size_t(i)] = float((i * 3) % 7 - 3);
  const uint16_t signs = hadamard_signs(RandomStream(3, 4, 5));
  double before = 0, after = 0;
  for (int i = 0; i < 64; ++i) before += double(a[size_t(i)]) * b[size_t(i)];
  // a as 1×64 along rows, b as 64×1 along columns (k_axis 0): the same transform per K-block
  hadamard_transform(a, 1, 64, 1, signs);
  hadamard_transform(b, 64, 1, 0, signs);
  for (int i = 0; i < 64; ++i) after += double(a[size_t(i)]) * b[size_t(i)];
  CHECK(after == before);
}

TEST_CASE("RHT signs depend on the stream key only", "[hadamard]") {
  CHECK(hadamard_signs(RandomStream(1, 2, 3)) == hadamard_signs(RandomStream(1, 2, 3)));
  CHECK(hadamard_signs(RandomStream(1, 2, 3)) != hadamard_signs(RandomStream(1, 2, 4)));
}

}  // namespace
}  // namespace fpsim::test
