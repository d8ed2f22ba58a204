#pragma once
// Native-double fast paths for add, sub, mul and fma, exact by construction (argument in
// fast_double.cpp). Each returns nullopt when it does not apply (an operand format it cannot decode
// with a shift, a NaN or infinite operand, daz, or a product that might not be exact), and the
// caller falls back to the exact integer path. When it applies, the result is bit-identical to
// fpsim::exact, in every rounding mode including odd and stochastic.
#include <optional>

#include "numerics/core/rounding.h"

namespace fpsim {

class RoundingTable;

/// Whether operands of format f are decoded to double by the fast paths: ieee specials, signed, a
/// zero, exp_bits <= 8, man_bits <= 23 (binary16, bfloat16, tf32, binary32, e5m2, ...).
/// Example: fast_double_decodes(parse_format("binary16")) is true; binary64 is false.
bool fast_double_decodes(const Format& f);

/// Whether x·y is exact in binary64 for every finite x of fa and y of fb (argument in fast_double.cpp):
/// precision_a + precision_b <= 53, the product's last bit at or above 2^-1074, no overflow.
/// Example: fast_double_product_exact(f32, f32) is true (24 + 24 bits); binary32 x tf32 too.
bool fast_double_product_exact(const Format& fa, const Format& fb);

/// The exact value x + y (x, y finite binary64, x + y finite) rounded once into t: TwoSum, then the
/// rounding table or round_pack on the canonical Exact. Example: round_sum(1.0, 0x1p-60, Target{f16}, 0).bits
/// is 0x3c00.
Rounded round_sum(double x, double y, const Target& t, uint64_t random_bits);
/// round_sum with the table already looked up (nullptr: round_pack alone), for callers holding a plan.
/// table must be rounding_table(t) or nullptr. Example: round_sum_with(1.0, 0x1p-60, nullptr, Target{f16}, 0).
Rounded round_sum_with(double x, double y, const RoundingTable* table, const Target& t, uint64_t random_bits);

/// a + b (or a − b when `subtract`). Example: fast_double_add({0x3c00}, f16, {0x3c00}, f16, false, t, 0)->bits == Bits{0x4000}.
std::optional<Rounded> fast_double_add(Bits a, const Format& fa, Bits b, const Format& fb, bool subtract,
                                       const Target& t, uint64_t random_bits);
/// a · b. Example: fast_double_mul(f32 3, f32 5, t)->bits == f32 15.
std::optional<Rounded> fast_double_mul(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t,
                                       uint64_t random_bits);
/// a · b + c. Example: fast_double_fma(f32 2, f32 3, f32 1, t)->bits == f32 7.
std::optional<Rounded> fast_double_fma(Bits a, const Format& fa, Bits b, const Format& fb, Bits c,
                                       const Format& fc, const Target& t, uint64_t random_bits);

}  // namespace fpsim
