#pragma once
// Four binary64 lanes as a GCC vector extension, for kernels written once for D = double and D = Vec4: every
// operator acts lane by lane with the scalar's IEEE rounding (fpsim builds with -ffp-contract=off: no fused
// multiply-add appears), and ?: on a lane mask selects per lane, so the vector loop gives the scalar's bits.
#include <bit>
#include <cstddef>
#include <cstdint>

// Vec4 values pass between always-inlined helpers only (every helper here, horner and exp_binary64.h's are
// [[gnu::always_inline]]), so the psABI note on 32-byte vectors does not apply: an out-of-line call from the
// AVX2 clone of a loop to a helper compiled without AVX would pass a Vec4 in the wrong registers (at -O0).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace fpsim::sim::detail {

using Vec4 = double __attribute__((vector_size(32)));
using Bits4 = uint64_t __attribute__((vector_size(32)));
using Float4 = float __attribute__((vector_size(16)));

/// c in every lane. Example: splat<Vec4>(0.5) is {0.5, 0.5, 0.5, 0.5}; splat<double>(0.5) is 0.5.
template <class D>
[[gnu::always_inline]] constexpr D splat(double c) {
  return D{} + c;
}
[[gnu::always_inline]] inline uint64_t to_bits(double d) { return std::bit_cast<uint64_t>(d); }
[[gnu::always_inline]] inline double from_bits(uint64_t b) { return std::bit_cast<double>(b); }
// GCC: same-size vectors reinterpret
[[gnu::always_inline]] inline Bits4 to_bits(Vec4 d) { return reinterpret_cast<Bits4>(d); }
[[gnu::always_inline]] inline Vec4 from_bits(Bits4 b) { return reinterpret_cast<Vec4>(b); }
/// |d| by clearing the sign bit (NaN stays NaN). Example: abs_of(-2.0) == 2.0.
template <class D>
[[gnu::always_inline]] inline D abs_of(D d) {
  return from_bits(to_bits(d) & ~(uint64_t{1} << 63));
}

/// Whether any lane of a comparison's result is true. Example: any_lane(Vec4{1, 5, 2, 3} > 4.0) is true;
/// any_lane(1.0 > 4.0) is false.
[[gnu::always_inline]] inline bool any_lane(bool m) { return m; }
template <class M>
  requires(sizeof(M) == 32)
[[gnu::always_inline]] inline bool any_lane(M m) {
  return (m[0] | m[1] | m[2] | m[3]) != 0;
}

/// Horner's rule, highest power first: ((c0·x + c1)·x + c2)… + c[N-1], one rounding per · and +.
/// Example: horner(x, {1.0, 2.0, 3.0}) is (x + 2)·x + 3 (1·x is exact).
template <class D, std::size_t N>
[[gnu::always_inline]] inline D horner(D x, const double (&c)[N]) {
  D p = splat<D>(c[0]);
  for (std::size_t i = 1; i < N; ++i) p = p * x + c[i];
  return p;
}

}  // namespace fpsim::sim::detail
