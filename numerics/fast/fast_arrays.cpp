// Array arithmetic: one path decision per call, then a tight loop (see fast_arrays.h). The vector
// lane kernel (arith_simd.cpp) and the op tables carry their own exactness arguments; elements they
// do not take go through the scalar operation, which uses fast_double.h's native-double path where
// that applies.
#include "numerics/fast/fast_arrays.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "numerics/fast/internal/arith_kernel.h"
#include "numerics/fast/internal/fast_arrays_avx2.h"
#include "numerics/fast/internal/fp_environment.h"
#include "numerics/fast/internal/op_tables.h"
#include "numerics/simd/isa.h"

namespace fpsim {
namespace {

// What the vector kernel's scalar callback needs to compute element i with the scalar operation.
struct ScalarContext {
  ArithOp op;
  const uint32_t *a, *b, *c;
  const Format* formats;
  const Target* t;
  const uint64_t* random;  // element i's random word (stochastic rounding), else null
};

uint32_t scalar_element(size_t i, void* context, uint8_t& flags) {
  const auto& c = *static_cast<const ScalarContext*>(context);
  const Bits x[3] = {Bits{c.a[i]}, Bits{c.b ? c.b[i] : 0u}, Bits{c.c ? c.c[i] : 0u}};
  const Rounded r = apply(c.op, x, c.formats, *c.t, c.random ? c.random[i] : 0);
  flags |= r.flags;
  return static_cast<uint32_t>(r.bits.v);
}

enum class Path { Table, Lanes, Scalar };

// The path for a call; `plan` is filled when it is Lanes.
Path choose_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t,
                 detail::LanePlan& plan) {
  if (op_table(op, fa, arity(op) >= 2 ? fb : fa, t)) return Path::Table;
  if (detail::make_lane_plan(op, fa, fb, fc, t, plan)) return Path::Lanes;
  return Path::Scalar;
}

}  // namespace

const char* array_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t) {
  detail::LanePlan plan;
  switch (choose_path(op, fa, fb, fc, t, plan)) {
    case Path::Table: return "table";
    case Path::Lanes: return "lanes";
    case Path::Scalar: break;
  }
  return "scalar";
}

uint8_t apply_array(ArithOp op, std::span<const uint32_t> a, const Format& fa, std::span<const uint32_t> b,
                    const Format& fb, std::span<const uint32_t> c, const Format& fc, std::span<uint32_t> out,
                    const Target& t, const RandomStream* stream, uint64_t offset) {
  const size_t n = out.size();
  const int k = arity(op);
  if (a.size() < n || (k >= 2 && b.size() < n) || (k == 3 && c.size() < n))
    throw std::invalid_argument(std::string("apply_array: ") + to_string(op) +
                                " operand arrays are shorter than the output");
  if (t.format.total_bits() > 32 || fa.total_bits() > 32 || (k >= 2 && fb.total_bits() > 32) ||
      (k == 3 && fc.total_bits() > 32))
    throw std::invalid_argument("apply_array: codes are stored in 32 bits; formats must have <= 32 bits");
  const bool sr = t.rounding == Rounding::Stochastic;
  if (sr && !stream) throw std::invalid_argument("apply_array: stochastic rounding needs a random stream");
  if (!sr) stream = nullptr;  // deterministic modes draw no random words
  const IeeeDefaultFp fp;     // the native-arithmetic paths need round-to-nearest without FTZ/DAZ

  detail::LanePlan plan;
  const Path path = choose_path(op, fa, fb, fc, t, plan);
  if (path == Path::Table) {  // <= 8-bit operands and result, deterministic mode
    const uint16_t* e = op_table(op, fa, k >= 2 ? fb : fa, t)->entries();
    if (simd::best_isa() != simd::Isa::Portable)  // Avx2 or wider (best_isa honours limit_isa)
      return detail::avx2_op_table_loop(a.data(), k >= 2 ? b.data() : nullptr, e, out.data(), n);
    uint32_t all = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint16_t v = e[((a[i] & 0xff) << 8) | (k >= 2 ? b[i] & 0xff : 0)];
      out[i] = v & 0xff;
      all |= v;
    }
    return static_cast<uint8_t>(all >> 8);
  }
  if (path == Path::Lanes) {  // results in the target's normal range; the scalar operation for the rest
    const simd::Isa isa = simd::best_isa();
    const Format formats[3] = {fa, fb, fc};
    const uint32_t* bp = k >= 2 ? b.data() : nullptr;
    const uint32_t* cp = k == 3 ? c.data() : nullptr;
    if (!sr) {
      ScalarContext context{op, a.data(), bp, cp, formats, &t, nullptr};
      return detail::run_lane_kernel(isa, plan, a.data(), bp, cp, nullptr, out.data(), n, scalar_element, &context);
    }
    // Stochastic rounding: random words for a chunk at a time (stream->bits(offset + i) for element i).
    constexpr size_t kChunk = 2048;
    uint64_t random[kChunk];
    uint8_t flags = 0;
    for (size_t start = 0; start < n; start += kChunk) {
      const size_t len = std::min(kChunk, n - start);
      stream->fill(offset + start, std::span<uint64_t>(random, len));
      const uint32_t* bs = bp ? bp + start : nullptr;
      const uint32_t* cs = cp ? cp + start : nullptr;
      ScalarContext context{op, a.data() + start, bs, cs, formats, &t, random};
      flags |= detail::run_lane_kernel(isa, plan, a.data() + start, bs, cs, random, out.data() + start, len,
                                       scalar_element, &context);
    }
    return flags;
  }
  // Everything else: the scalar operation per element (which takes fast_double.h's native-double path
  // where that applies).
  const Format formats[3] = {fa, fb, fc};
  uint8_t flags = 0;
  for (size_t i = 0; i < n; ++i) {
    const Bits x[3] = {Bits{a[i]}, Bits{k >= 2 ? b[i] : 0u}, Bits{k == 3 ? c[i] : 0u}};
    const Rounded r = apply(op, x, formats, t, stream ? stream->bits(offset + i) : 0);
    out[i] = static_cast<uint32_t>(r.bits.v);
    flags |= r.flags;
  }
  return flags;
}

}  // namespace fpsim
