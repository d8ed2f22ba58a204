#pragma once
// Random and edge-pattern operand codes for the arithmetic tests (TestFloat-style: boundary exponents,
// runs of ones and zeros in the significand, zeros, subnormals, max, inf, NaN, plus uniform codes).
#include <cstdint>
#include <random>
#include <vector>

#include "numerics/core/format.h"

namespace fpsim::test {

class OperandGen {
 public:
  explicit OperandGen(uint64_t seed) : rng_(seed) {}

  uint64_t word() { return rng_(); }

  /// A code of f: half uniform codes, half edge patterns.
  Bits code(const Format& f) {
    const int m = f.man_bits();
    const uint64_t sign = (rng_() & 1) ? f.sign_mask() : 0;
    if (rng_() & 1) return Bits{rng_() & f.code_mask()};
    // Exponent field: an extreme or a uniform one.
    const uint64_t top = f.exp_field_max();
    uint64_t field;
    switch (rng_() % 6) {
      case 0: field = 0; break;
      case 1: field = 1; break;
      case 2: field = top; break;
      case 3: field = top > 0 ? top - 1 : 0; break;
      case 4: field = uint64_t(f.bias()) <= top ? uint64_t(f.bias()) + (rng_() % 3) - 1 : rng_() % (top + 1); break;
      default: field = rng_() % (top + 1); break;
    }
    field &= top;
    // Significand: a run of ones or zeros at either end, a single bit, or uniform.
    const uint64_t mask = f.man_mask();
    uint64_t man;
    const int k = m > 0 ? int(rng_() % (m + 1)) : 0;
    switch (rng_() % 6) {
      case 0: man = 0; break;
      case 1: man = mask; break;
      case 2: man = m > 0 ? (mask >> k) : 0; break;                    // ones at the bottom
      case 3: man = m > 0 ? (mask << k) & mask : 0; break;             // ones at the top
      case 4: man = m > 0 ? (uint64_t{1} << (rng_() % m)) : 0; break;  // a single bit
      default: man = rng_() & mask; break;
    }
    return Bits{(sign | (field << m) | man) & f.code_mask()};
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace fpsim::test
