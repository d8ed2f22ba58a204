#pragma once
// Internal to fast_arrays.cpp: the AVX2 gather loop over a 256x256 op table (formats of <= 8 bits).
#include <cstddef>
#include <cstdint>

namespace fpsim::detail {

/// out[i] = entries[(a[i] & 0xff) << 8 | (b[i] & 0xff)] & 0xff for i < n (b == nullptr: index a[i] << 8),
/// eight elements per step by gather; call only where simd::cpu_supports(simd::Isa::Avx2). entries is an
/// OpTable's (65,537 entries). Returns the OR of the flags.
/// Example: avx2_op_table_loop(a, b, table->entries(), out, n).
uint8_t avx2_op_table_loop(const uint32_t* a, const uint32_t* b, const uint16_t* entries, uint32_t* out, size_t n);

}  // namespace fpsim::detail
