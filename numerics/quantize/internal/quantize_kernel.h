#pragma once
// Internal to quantize*.cpp: the plan a vector kernel runs from, the scalar per-element reference,
// and the dispatch entry points. Not part of the public API.
#include <cstddef>
#include <cstdint>

#include "numerics/core/internal/philox_lanes.h"
#include "numerics/quantize/quantize.h"

namespace fpsim::detail {

/// What a kernel writes: float value bits, or uint8 / uint16 codes.
enum class OutKind : uint8_t { Values, Codes8, Codes16 };

/// Constants for one (Target, OutKind), all derived once from the Format and from scalar encode()
/// of a few probe values, so the kernels never re-derive a rule that round_pack owns.
/// "Output domain" = binary32 bit pattern of the value for Values, the code for Codes8/Codes16.
struct KernelPlan {
  Rounding mode = Rounding::NearestEven;
  uint32_t sr_bits = 0;          // sr:K (1..32); 0 = exact-probability sr
  bool sr_subnormal_nearest = false;
  bool subnormals = true;        // false: tiny results flush to zero
  bool tiny_before = false;      // nosub only: tininess before rounding
  bool daz = false;
  uint32_t man_bits = 0;         // m
  uint32_t d_normal = 0;         // 23 - m: binary32 significand bits discarded in the normal range
  uint32_t emin_field = 0;       // emin + 127: binary32 biased exponent of 2^emin
  uint32_t max_bits = 0;         // binary32 bits of the format's largest finite value
  float sub_scale = 0;           // 2^(emin - m): the format's subnormal quantum
  uint32_t rebias = 0;           // (127 - bias) << m, subtracted to turn binary32 bits >> d_normal into a code
  uint32_t sign_out = 0;         // sign bit in the output domain
  uint32_t nan_payload_mask = 0; // Codes of ieee formats under the x86 policy: mantissa bits a NaN carries
  // Special results by input sign [0] = +, [1] = -, in the output domain.
  uint32_t zero_out[2] = {0, 0};
  uint32_t inf_out[2] = {0, 0};
  uint32_t nan_out[2] = {0, 0};
  uint32_t ovf_out[2] = {0, 0};
  bool ovf_is_max[2] = {false, false};  // overflow gives ±max (counted as saturated)
  bool ovf_is_nan[2] = {false, false};  // overflow gives NaN (counted as overflow and NaN)
  bool nan_is_nan = false;              // a NaN input gives a NaN (formats with NaN)
  bool inf_is_nan[2] = {false, false};  // ±inf gives the NaN (fn/fnuz formats: counted as NaN)
  bool zero_is_signed = false;          // zero results are ±0 by input sign (not fnuz): no fix-up needed
  // Values in rne into a format with binary32's exponent range, subnormals and IEEE specials and overflow
  // (bfloat16, tf32): rounding the binary32 bit pattern as an integer is the whole rounding (NaNs excepted).
  bool integer_rne = false;
  // Values in rne or exact-probability sr (round to nearest in the subnormal range off) into a format with
  // subnormals below 2^emin > 2^-126, signed zeros and overflow results ±ovf_out[0] (e5m2, e4m3fn, binary16):
  // every finite lane's result is the normal-range bit-pattern rounding, the subnormal-range rounding or
  // ovf_out, chosen lane by lane without a branch (Loop's FiniteRne / FiniteSr).
  bool lane_select = false;
};

/// Fill `plan` for (t, kind); false when the vector kernels cannot handle t exactly (then every
/// element goes through the scalar reference). Example: make_kernel_plan(e5m2_rne, OutKind::Values, p).
bool make_kernel_plan(const Target& t, OutKind kind, KernelPlan& plan);

/// The scalar reference on [begin, end): encode(in[i], t, stream->bits(first_index + i - begin)).
/// Example: scalar_range(in, out, 0, n, t, &s, 0, &stats) writes what quantize_scalar writes.
void scalar_range(const float* in, float* out, std::size_t n, const Target& t, const RandomStream* stream,
                  uint64_t first_index, QuantStats* stats);
void scalar_range(const float* in, uint8_t* out, std::size_t n, const Target& t, const RandomStream* stream,
                  uint64_t first_index, QuantStats* stats);
void scalar_range(const float* in, uint16_t* out, std::size_t n, const Target& t, const RandomStream* stream,
                  uint64_t first_index, QuantStats* stats);

/// Everything one kernel call needs besides the data.
struct KernelCall {
  const KernelPlan* plan = nullptr;
  const Target* target = nullptr;        // for lanes handed to the scalar reference
  const RandomStream* stream = nullptr;  // stochastic rounding only
  PhiloxKey philox;
  uint64_t first_index = 0;              // stream index of element 0
  QuantStats* stats = nullptr;           // null: no statistics
  bool stream_out = false;               // values output: non-temporal stores where 16-byte aligned (then sfence)
};

/// Run the vector kernel `isa` (must be available) on n elements.
/// Example: run_kernel(simd::Isa::Avx2, in, out, n, call).
void run_kernel(simd::Isa isa, const float* in, float* out, std::size_t n, const KernelCall& call);
void run_kernel(simd::Isa isa, const float* in, uint8_t* out, std::size_t n, const KernelCall& call);
void run_kernel(simd::Isa isa, const float* in, uint16_t* out, std::size_t n, const KernelCall& call);

/// Compiled in and supported by this CPU (Portable always).
bool simd_kernel_available(simd::Isa isa);

}  // namespace fpsim::detail
