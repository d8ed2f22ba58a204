// AVX2 gather loop over an op table (see fast_arrays_avx2.h). Called only when
// simd::cpu_supports(simd::Isa::Avx2) (numerics/simd/isa.h).
#include "numerics/fast/internal/fast_arrays_avx2.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FPSIM_HAVE_AVX2_KERNEL 1
#endif

namespace fpsim::detail {

#ifdef FPSIM_HAVE_AVX2_KERNEL

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
#endif

}  // namespace fpsim::detail
