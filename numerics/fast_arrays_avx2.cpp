// AVX2 kernel for the rounding-table double path (see fast_arrays_avx2.h). Each lane does exactly
// what the scalar double loop does — the same decode, the same sum / TwoSum or exact product, the same
// rounding-table index as RoundingTable::round_double — so it is exact for the same reasons
// (fast_double.cpp, fast_rounding_table.h); tests compare it with fpsim::exact element by element.
// Steps for four elements:
//   1. decode: (code & magnitude_mask) << shift | sign << sign_shift is a binary32 pattern;
//      widen to double (exact) and multiply by the power-of-two scale (exact);
//   2. s = x + y and err by TwoSum (x − y for sub), or s = x·y with err = 0 (exact products only);
//   3. lanes with |s| outside binary64's normal range (zero, subnormal, inf/NaN) or a special
//      operand go to the scalar callback;
//   4. the index: with m = |s|'s bits, subtract 1 from m when err is non-zero, of the opposite sign
//      and m's bits below the top p+1 are zero (the value lies just below |s|: the predecessor's
//      bits, with sticky, give the same top bits — also across a binade:
//        1.000·2^0 − ε -> 0x3FEFFFFFFFFFFFFF = 1.111…·2^-1);
//      E = m's exponent, clamped to [e_lo, e_hi] (below e_lo: top = 100…0, sticky); sticky = low
//      bits or err non-zero; index = ((sign·nE + E − e_lo) << p | top bits) << 1 | sticky;
//   5. gather the entries, store the codes, OR the flags.
#include "numerics/fast_arrays_avx2.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FPSIM_HAVE_AVX2_KERNEL 1
#endif

#ifdef FPSIM_HAVE_AVX2_KERNEL
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#endif

namespace fpsim::detail {

#ifdef FPSIM_HAVE_AVX2_KERNEL

bool avx2_available() { return __builtin_cpu_supports("avx2"); }

namespace {

// Step 1 for four codes; `special` collects lanes with an inf/NaN operand (all ones in 64 bits).
__attribute__((target("avx2"))) inline __m256d decode4(__m128i code, const LaneDecoder& d, __m256i& special) {
  const __m128i magnitude = _mm_and_si128(code, _mm_set1_epi32(int(d.magnitude_mask)));
  // magnitude >= special_from (unsigned; both < 2^31, so a signed compare is exact)
  const __m128i is_special = _mm_cmpgt_epi32(magnitude, _mm_set1_epi32(int(d.special_from) - 1));
  special = _mm256_or_si256(special, _mm256_cvtepi32_epi64(is_special));
  const __m128i sign = _mm_and_si128(code, _mm_set1_epi32(int(d.sign_mask)));
  const __m128i f32 = _mm_or_si128(_mm_sll_epi32(magnitude, _mm_cvtsi32_si128(d.shift)),
                                   _mm_sll_epi32(sign, _mm_cvtsi32_si128(d.sign_shift)));
  return _mm256_mul_pd(_mm256_cvtps_pd(_mm_castsi128_ps(f32)), _mm256_set1_pd(d.scale));
}

}  // namespace

__attribute__((target("avx2"))) uint8_t avx2_table_loop(VectorOp op, const uint32_t* a, const LaneDecoder& da,
                                                        const uint32_t* b, const LaneDecoder& db, uint32_t* out,
                                                        size_t n, const RoundingTable& table,
                                                        uint32_t (*scalar)(size_t, void*, uint8_t&), void* context) {
  const int p = table.precision(), drop = 52 - p;
  const int64_t n_e = table.e_hi() - table.e_lo() + 1;
  const uint32_t* entries = table.entries();
  const __m256i abs_mask = _mm256_set1_epi64x(0x7fffffffffffffffLL);
  const __m256i rest_mask = _mm256_set1_epi64x((int64_t{1} << drop) - 1);
  const __m256i top_mask = _mm256_set1_epi64x((int64_t{1} << p) - 1);
  const __m256i one = _mm256_set1_epi64x(1), zero = _mm256_setzero_si256();
  const __m256i min_normal = _mm256_set1_epi64x(int64_t{1} << 52);   // bits of 2^-1022
  const __m256i inf_bits = _mm256_set1_epi64x(0x7ffLL << 52);
  const __m256i e_lo = _mm256_set1_epi64x(table.e_lo() + 1023), e_hi = _mm256_set1_epi64x(table.e_hi() + 1023);
  const __m256i n_e_v = _mm256_set1_epi64x(n_e);
  uint32_t flag_bits = 0;
  uint8_t scalar_flags = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    // 1. Decode.
    __m256i special = zero;
    __m256d x = decode4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)), da, special);
    __m256d y = decode4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)), db, special);
    // 2. Sum with TwoSum, or the exact product.
    __m256d s, err;
    if (op == VectorOp::Mul) {
      s = _mm256_mul_pd(x, y);
      err = _mm256_setzero_pd();
    } else {
      if (op == VectorOp::Sub) y = _mm256_xor_pd(y, _mm256_set1_pd(-0.0));
      s = _mm256_add_pd(x, y);
      const __m256d bb = _mm256_sub_pd(s, x);
      err = _mm256_add_pd(_mm256_sub_pd(x, _mm256_sub_pd(s, bb)), _mm256_sub_pd(y, bb));
    }
    // 3. Lanes outside the proven case.
    const __m256i sbits = _mm256_castpd_si256(s), ebits = _mm256_castpd_si256(err);
    __m256i m = _mm256_and_si256(sbits, abs_mask);
    const __m256i not_normal = _mm256_or_si256(_mm256_cmpgt_epi64(min_normal, m),
                                               _mm256_cmpgt_epi64(m, _mm256_sub_epi64(inf_bits, one)));
    if (!_mm256_testz_si256(_mm256_or_si256(special, not_normal), _mm256_or_si256(special, not_normal))) {
      for (size_t k = i; k < i + 4; ++k) out[k] = scalar(k, context, scalar_flags);
      continue;
    }
    // 4. Index.
    const __m256i err_nonzero = _mm256_xor_si256(_mm256_cmpeq_epi64(_mm256_and_si256(ebits, abs_mask), zero),
                                                 _mm256_set1_epi64x(-1));
    const __m256i opposite = _mm256_cmpgt_epi64(zero, _mm256_xor_si256(sbits, ebits));  // sign bits differ
    const __m256i rest_zero = _mm256_cmpeq_epi64(_mm256_and_si256(m, rest_mask), zero);
    m = _mm256_add_epi64(m, _mm256_and_si256(err_nonzero, _mm256_and_si256(opposite, rest_zero)));  // −1 where all set
    __m256i sticky = _mm256_or_si256(_mm256_andnot_si256(_mm256_cmpeq_epi64(_mm256_and_si256(m, rest_mask), zero),
                                                         _mm256_set1_epi64x(-1)),
                                     err_nonzero);
    __m256i field = _mm256_srli_epi64(m, 52);
    __m256i top = _mm256_and_si256(_mm256_srl_epi64(m, _mm_cvtsi32_si128(drop)), top_mask);
    const __m256i above = _mm256_cmpgt_epi64(field, e_hi);
    field = _mm256_blendv_epi8(field, e_hi, above);
    const __m256i below = _mm256_cmpgt_epi64(e_lo, field);
    field = _mm256_blendv_epi8(field, e_lo, below);
    top = _mm256_andnot_si256(below, top);
    sticky = _mm256_or_si256(sticky, below);
    const __m256i sign = _mm256_srli_epi64(sbits, 63);
    // sign · nE: sign is 0 or 1, so an AND with the all-ones-where-negative mask.
    const __m256i sign_offset = _mm256_and_si256(_mm256_sub_epi64(zero, sign), n_e_v);
    __m256i index = _mm256_add_epi64(sign_offset, _mm256_sub_epi64(field, e_lo));
    index = _mm256_or_si256(_mm256_sll_epi64(index, _mm_cvtsi32_si128(p)), top);
    index = _mm256_or_si256(_mm256_slli_epi64(index, 1), _mm256_and_si256(sticky, one));
    // 5. Gather, store, flags.
    const __m128i e = _mm256_i64gather_epi32(reinterpret_cast<const int*>(entries), index, 4);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_and_si128(e, _mm_set1_epi32(0xffffff)));
    const __m128i f = _mm_srli_epi32(e, 24);
    const __m128i f2 = _mm_or_si128(f, _mm_unpackhi_epi64(f, f));
    flag_bits |= uint32_t(_mm_cvtsi128_si32(f2)) | uint32_t(_mm_cvtsi128_si32(_mm_srli_si128(f2, 4)));
  }
  for (; i < n; ++i) out[i] = scalar(i, context, scalar_flags);
  return static_cast<uint8_t>(flag_bits | scalar_flags);
}

__attribute__((target("avx2"))) uint8_t avx2_op_table_loop(const uint32_t* a, const uint32_t* b,
                                                           const uint16_t* entries, uint32_t* out, size_t n) {
  // Gather 32 bits at byte offset 2·index (scale 2): the low 16 bits are the entry.
  //   index 0x3C3C -> bytes 0x7878..0x787B of the table = entry 0x3C3C | entry 0x3C3D << 16.
  const __m256i byte = _mm256_set1_epi32(0xff);
  __m256i flags = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i va = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)), byte);
    const __m256i vb = b ? _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)), byte)
                         : _mm256_setzero_si256();
    const __m256i index = _mm256_or_si256(_mm256_slli_epi32(va, 8), vb);
    const __m256i e = _mm256_i32gather_epi32(reinterpret_cast<const int*>(entries), index, 2);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_and_si256(e, byte));
    flags = _mm256_or_si256(flags, e);
  }
  uint32_t all = 0;
  alignas(32) uint32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), flags);
  for (uint32_t v : lanes) all |= v;
  for (; i < n; ++i) {
    const uint16_t e = entries[((a[i] & 0xff) << 8) | (b ? b[i] & 0xff : 0)];
    out[i] = e & 0xff;
    all |= e;
  }
  return static_cast<uint8_t>((all >> 8) & 0xff);
}

#else

uint8_t avx2_op_table_loop(const uint32_t*, const uint32_t*, const uint16_t*, uint32_t*, size_t) { return 0; }
bool avx2_available() { return false; }
uint8_t avx2_table_loop(VectorOp, const uint32_t*, const LaneDecoder&, const uint32_t*, const LaneDecoder&, uint32_t*,
                        size_t, const RoundingTable&, uint32_t (*)(size_t, void*, uint8_t&), void*) {
  return 0;
}

#endif

}  // namespace fpsim::detail
