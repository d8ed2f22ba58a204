#pragma once
// Internal to fast_arrays.cpp: an AVX2 kernel for add / sub / mul over arrays whose operands are
// fast-decodable (fast_double.h) and whose target has a RoundingTable. Four elements per step; a
// step with any lane outside the proven case (an inf/NaN operand, a zero or binary64-subnormal
// result) is handed back element by element to a scalar callback.
#include <cstddef>
#include <cstdint>

#include "numerics/fast_rounding_table.h"

namespace fpsim::detail {

/// A decoder of one operand format as the vector kernel uses it (see Decoder in fast_arrays.cpp).
struct LaneDecoder {
  uint32_t magnitude_mask, special_from, sign_mask;
  int shift, sign_shift;  // magnitude << shift is the binary32 pattern; sign << sign_shift is bit 31
  double scale;
};

enum class VectorOp { Add, Sub, Mul };

/// True when this CPU runs the AVX2 kernel. Example: on x86-64 with AVX2, avx2_available() is true.
bool avx2_available();

/// out[i] = op(a[i], b[i]) for i < n, rounded through `table`; elements the kernel does not take are
/// computed by scalar(i, context). Returns the OR of all flags.
/// Example: avx2_table_loop(VectorOp::Add, a, da, b, db, out, n, table, scalar, ctx).
uint8_t avx2_table_loop(VectorOp op, const uint32_t* a, const LaneDecoder& da, const uint32_t* b,
                        const LaneDecoder& db, uint32_t* out, size_t n, const RoundingTable& table,
                        uint32_t (*scalar)(size_t i, void* context, uint8_t& flags), void* context);

/// out[i] = entries[(a[i] & 0xff) << 8 | (b[i] & 0xff)] & 0xff for i < n (b == nullptr: index a[i] << 8),
/// eight elements per step by gather; entries is an OpTable's (65,537 entries). Returns the OR of the flags.
/// Example: avx2_op_table_loop(a, b, table->entries(), out, n).
uint8_t avx2_op_table_loop(const uint32_t* a, const uint32_t* b, const uint16_t* entries, uint32_t* out, size_t n);

}  // namespace fpsim::detail
