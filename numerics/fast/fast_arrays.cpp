// Array arithmetic: one path decision per call, then a tight loop (see fast_arrays.h). The vector
// lane kernel (arith_simd.cpp) and the op tables carry their own exactness arguments; elements they
// do not take go through the scalar operation, which uses fast_double.h's native-double path where
// that applies.
#include "numerics/fast/fast_arrays.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "numerics/arith/arith_plan.h"
#include "numerics/arith/internal/plan_cache.h"
#include "numerics/fast/internal/arith_kernel.h"
#include "numerics/fast/internal/fast_arrays_avx2.h"
#include "numerics/fast/internal/fp_environment.h"
#include "numerics/fast/internal/op_tables.h"
#include "numerics/simd/isa.h"

namespace fpsim {
namespace {

// The scalar operation on one element: the call's ArithPlan when the plan cache gave one (found once per call, so
// an element pays the plan's kernel alone, not the scalar call's key compare), else apply().
struct ScalarOp {
  ArithOp op;
  const Format* formats;
  const Target* t;
  const ArithPlan* plan;
  Rounded operator()(Bits a, Bits b, Bits c, uint64_t random_bits) const {
    const int k = arity(op);
    if (plan) return plan->run(a, k >= 2 ? b : a, k == 3 ? c : (k == 2 ? b : a), random_bits);
    const Bits x[3] = {a, b, c};
    return apply(op, x, formats, *t, random_bits);
  }
};

// What the vector kernel's scalar callback needs to compute element i with the scalar operation.
struct ScalarContext {
  const ScalarOp* scalar;
  const uint32_t *a, *b, *c;
  const uint64_t* random;  // element i's random word (stochastic rounding), else null
};

uint32_t scalar_element(size_t i, void* context, uint8_t& flags) {
  const auto& c = *static_cast<const ScalarContext*>(context);
  const Rounded r = (*c.scalar)(Bits{c.a[i]}, Bits{c.b ? c.b[i] : 0u}, Bits{c.c ? c.c[i] : 0u},
                                c.random ? c.random[i] : 0);
  flags |= r.flags;
  return static_cast<uint32_t>(r.bits.v);
}

enum class Path { Table, Lanes, Plan, Scalar };

// Whether an fma into t runs its plan's kernel on every element rather than the lane kernel. The lane kernel rounds
// in vector registers only results in the target's normal range and sends the others back one lane at a time. A
// target whose normal range spans fewer than 16 binades (e4m3fn's 2^-6 .. 2^8, e4m3fnuz, FP6, FP4) gets most of real
// data's fma results outside it (a product doubles its operands' spread of binades), and its plan's kernel (rne: a
// table lookup for every result) is then faster on every element. `fpsim bench ops` on one machine, e4m3fn, ns per
// element (lanes → plan): rne narrow 6.3 → 4.1, wide 9.7 → 5.8; sr narrow 11.1 → 10.5, wide 14.1 → 10.9. e5m2
// (30 binades) keeps the lanes: 1.0–1.9 ns against its plan's 4.2–4.5.
bool fma_by_plan(ArithOp op, const Target& t) {
  return op == ArithOp::Fma && t.format.emax() - t.format.emin() + 1 < 16;
}

// The path for a call; `lanes` is filled when it is Lanes, `plan` (the scalar operation's cached plan, nullptr past
// the plan cache's cap) when it is Lanes, Plan or Scalar.
Path choose_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t,
                 detail::LanePlan& lanes, const ArithPlan*& plan) {
  plan = nullptr;
  if (op_table(op, fa, arity(op) >= 2 ? fb : fa, t)) return Path::Table;
  plan = cached_arith_plan(op, fa, fb, fc, t);
  if (!(plan && fma_by_plan(op, t)) && detail::make_lane_plan(op, fa, fb, fc, t, lanes)) return Path::Lanes;
  return plan ? Path::Plan : Path::Scalar;
}

}  // namespace

const char* array_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t) {
  detail::LanePlan lanes;
  const ArithPlan* plan = nullptr;
  switch (choose_path(op, fa, fb, fc, t, lanes, plan)) {
    case Path::Table: return "table";
    case Path::Lanes: return "lanes";
    case Path::Plan: return "plan";
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

  detail::LanePlan lanes;
  const ArithPlan* plan = nullptr;
  const Path path = choose_path(op, fa, fb, fc, t, lanes, plan);
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
  const Format formats[3] = {fa, fb, fc};
  const ScalarOp scalar{op, formats, &t, plan};
  const uint32_t* bp = k >= 2 ? b.data() : nullptr;
  const uint32_t* cp = k == 3 ? c.data() : nullptr;
  // Lanes: results in the target's normal range in vector registers, the scalar operation for the rest. Plan and
  // Scalar: the scalar operation per element (the plan's kernel, or apply() past the plan cache's cap).
  const auto run = [&](size_t start, size_t len, const uint64_t* random) -> uint8_t {
    const uint32_t* bs = bp ? bp + start : nullptr;
    const uint32_t* cs = cp ? cp + start : nullptr;
    if (path == Path::Lanes) {
      ScalarContext context{&scalar, a.data() + start, bs, cs, random};
      return detail::run_lane_kernel(simd::best_isa(), lanes, a.data() + start, bs, cs, random, out.data() + start,
                                     len, scalar_element, &context);
    }
    uint8_t flags = 0;
    for (size_t i = 0; i < len; ++i) {
      const Rounded r = scalar(Bits{a[start + i]}, Bits{bs ? bs[i] : 0u}, Bits{cs ? cs[i] : 0u}, random ? random[i] : 0);
      out[start + i] = static_cast<uint32_t>(r.bits.v);
      flags |= r.flags;
    }
    return flags;
  };
  if (!sr) return run(0, n, nullptr);
  // Stochastic rounding: random words for a chunk at a time (stream->bits(offset + i) for element i), drawn by
  // RandomStream::fill's vector loop rather than one bits() call per element.
  constexpr size_t kChunk = 2048;
  uint64_t random[kChunk];
  uint8_t flags = 0;
  for (size_t start = 0; start < n; start += kChunk) {
    const size_t len = std::min(kChunk, n - start);
    stream->fill(offset + start, std::span<uint64_t>(random, len));
    flags |= run(start, len, random);
  }
  return flags;
}

}  // namespace fpsim
