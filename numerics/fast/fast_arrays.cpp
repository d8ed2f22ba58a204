// Array arithmetic: one path decision per call, then a tight loop (see fast_arrays.h). The vector
// lane kernel (arith_simd.cpp) and the op tables carry their own exactness arguments; elements they
// do not take go through the scalar operation, which uses fast_double.h's native-double path where
// that applies.
#include "numerics/fast/fast_arrays.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

#include "numerics/arith/arith_plan.h"
#include "numerics/arith/internal/plan_cache.h"
#include "numerics/fast/internal/adaptive_chunks.h"
#include "numerics/fast/internal/arith_kernel.h"
#include "numerics/fast/internal/fast_arrays_avx2.h"
#include "numerics/fast/internal/fp_environment.h"
#include "numerics/fast/internal/op_tables.h"
#include "numerics/simd/isa.h"

namespace fpsim {
namespace {

// The scalar operation on one element, its operands beyond the arity passed as ArithPlan::run takes them (a, a, a
// for one operand; a, b, b for two): the call's ArithPlan when the plan cache gave one (found once per call, so an
// element pays the plan's kernel alone, not the scalar call's key compare), else apply().
struct ScalarOp {
  ArithOp op;
  const Format* formats;
  const Target* t;
  const ArithPlan* plan;
  Rounded operator()(Bits a, Bits b, Bits c, uint64_t random_bits) const {
    if (plan) return plan->run(a, b, c, random_bits);
    const Bits x[3] = {a, b, c};
    return apply(op, x, formats, *t, random_bits);
  }
};

// What the vector kernel's scalar callback needs to compute element i with the scalar operation.
struct ScalarContext {
  const ScalarOp* scalar;
  const uint32_t *a, *b, *c;  // b and c as ScalarOp takes them (a, or b, where the operation has no such operand)
  const uint64_t* random;     // element i's random word (stochastic rounding), else null
  size_t* sent_back;          // counts the elements the kernel hands back
};

uint32_t scalar_element(size_t i, void* context, uint8_t& flags) {
  const auto& c = *static_cast<const ScalarContext*>(context);
  ++*c.sent_back;
  const Rounded r = (*c.scalar)(Bits{c.a[i]}, Bits{c.b[i]}, Bits{c.c[i]}, c.random ? c.random[i] : 0);
  flags |= r.flags;
  return static_cast<uint32_t>(r.bits.v);
}

enum class Path { Table, Lanes, Adaptive, Plan, Scalar };

// Adaptive: the lane kernel or the plan's kernel, chosen chunk by chunk (kChunk elements), for fma from operands of
// <= 8 bits (the plan's table-decoded kernels) into a target whose normal range spans fewer than 16 binades (e4m3fn's
// 2^-6 .. 2^8, e4m3fnuz, FP6, FP4). The lane kernel rounds in vector registers only results in the target's normal
// range and hands the others back to the scalar operation; which kernel is faster depends on how many it hands
// back. One machine, ns per element, lanes / plan (share handed back): e4m3fn rne N(0, 4) 1.4 / 2.9 (0.3 %),
// N(0, 1) 1.9 / 2.9 (0.9 %), N(0, 1/4) 2.7 / 2.8 (4.7 %), N(0, 1/16) 3.5 / 2.8 (20 %), N(0, 1)·10^U(−3, 3)
// 5.9 / 4.5 (27 %); e3m2fn N(0, 4) 3.0 / 3.0 (9.4 %), N(0, 1) 3.5 / 3.0 (15 %), wide 7.9 / 5.8 (44 %). So a chunk
// that handed back more than 1/kHandBackDenominator of its elements sends the next kPlanChunks chunks to the plan,
// and then the lanes try again. Every kernel gives the exact path's bits, so the choice changes only the time.
constexpr size_t kChunk = 2048;
constexpr size_t kHandBackDenominator = 10;  // 10 %
constexpr int kPlanChunks = 32;

thread_local detail::AdaptiveChunks adaptive_chunks;  // this thread's last adaptive call

bool adaptive_fma(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t,
                  const ArithPlan* plan) {
  return op == ArithOp::Fma && plan && std::string_view(plan->path()) != "exact" && fa.total_bits() <= 8 &&
         fb.total_bits() <= 8 && fc.total_bits() <= 8 && t.format.emax() - t.format.emin() + 1 < 16;
}

// The path for a call and what it runs: the op table when it is Table; `lanes` when it is Lanes or Adaptive; `plan`
// (the scalar operation's cached plan, nullptr past the plan cache's cap) when it is not Table.
struct Chosen {
  Path path = Path::Scalar;
  const OpTable* table = nullptr;
  const ArithPlan* plan = nullptr;
  detail::LanePlan lanes;
};

Chosen choose_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t) {
  Chosen c;
  if ((c.table = op_table(op, fa, arity(op) >= 2 ? fb : fa, t))) {
    c.path = Path::Table;
    return c;
  }
  c.plan = cached_arith_plan(op, fa, fb, fc, t);
  if (detail::make_lane_plan(op, fa, fb, fc, t, c.lanes))
    c.path = adaptive_fma(op, fa, fb, fc, t, c.plan) ? Path::Adaptive : Path::Lanes;
  else
    c.path = c.plan ? Path::Plan : Path::Scalar;
  return c;
}

}  // namespace

const char* array_path(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t) {
  switch (choose_path(op, fa, fb, fc, t).path) {
    case Path::Table: return "table";
    case Path::Lanes: return "lanes";
    case Path::Adaptive: return "adaptive";
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

  const Chosen chosen = choose_path(op, fa, fb, fc, t);
  const Path path = chosen.path;
  const ArithPlan* plan = chosen.plan;
  const detail::LanePlan& lanes = chosen.lanes;
  if (path == Path::Table) {  // <= 8-bit operands and result, deterministic mode
    const uint16_t* e = chosen.table->entries();
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
  // Scalar: the scalar operation per element (the plan's kernel, or apply() past the plan cache's cap). Adaptive:
  // one or the other per chunk.
  // The operands of elements start .. start + len − 1, those beyond the arity as ScalarOp takes them.
  struct Operands {
    const uint32_t *a, *b, *c;
  };
  const auto operands = [&](size_t start) {
    const uint32_t* pa = a.data() + start;
    const uint32_t* pb = bp ? bp + start : pa;
    return Operands{pa, pb, cp ? cp + start : pb};
  };
  const auto run_lanes = [&](size_t start, size_t len, const uint64_t* random, size_t& sent_back) -> uint8_t {
    const Operands o = operands(start);
    ScalarContext context{&scalar, o.a, o.b, o.c, random, &sent_back};
    return detail::run_lane_kernel(simd::best_isa(), lanes, o.a, bp ? o.b : nullptr, cp ? o.c : nullptr, random,
                                   out.data() + start, len, scalar_element, &context);
  };
  const auto run_scalar = [&](size_t start, size_t len, const uint64_t* random) -> uint8_t {
    // Local pointers, and one loop for the plan and one for apply(): the plan's kernel is an indirect call, after
    // which captured state would be loaded again for every element.
    const Operands o = operands(start);
    uint32_t* po = out.data() + start;
    const auto loop = [&](const auto& op) {
      uint32_t flags = 0;
      for (size_t i = 0; i < len; ++i) {
        const Rounded r = op(Bits{o.a[i]}, Bits{o.b[i]}, Bits{o.c[i]}, random ? random[i] : 0);
        po[i] = static_cast<uint32_t>(r.bits.v);
        flags |= r.flags;
      }
      return static_cast<uint8_t>(flags);
    };
    if (plan) return loop([&](Bits x, Bits y, Bits z, uint64_t r) { return plan->run(x, y, z, r); });
    return loop(scalar);
  };
  size_t sent_back = 0;
  if (!sr && path == Path::Lanes) return run_lanes(0, n, nullptr, sent_back);
  if (!sr && path != Path::Adaptive) return run_scalar(0, n, nullptr);
  // Chunks: stochastic rounding draws a chunk's random words at a time (stream->bits(offset + i) for element i) by
  // RandomStream::fill's vector loop; Adaptive chooses its kernel per chunk.
  uint64_t random[kChunk];
  uint8_t flags = 0;
  int plan_chunks = 0;  // Adaptive: chunks left for the plan before the lanes try again
  if (path == Path::Adaptive) adaptive_chunks = {};
  for (size_t start = 0; start < n; start += kChunk) {
    const size_t len = std::min(kChunk, n - start);
    if (sr) stream->fill(offset + start, std::span<uint64_t>(random, len));
    const uint64_t* words = sr ? random : nullptr;
    if (path == Path::Lanes || (path == Path::Adaptive && plan_chunks == 0)) {
      sent_back = 0;
      flags |= run_lanes(start, len, words, sent_back);
      if (path == Path::Adaptive) {
        ++adaptive_chunks.lanes;
        if (sent_back * kHandBackDenominator > len) plan_chunks = kPlanChunks;
      }
    } else {
      flags |= run_scalar(start, len, words);
      plan_chunks -= plan_chunks > 0;
      adaptive_chunks.plan += path == Path::Adaptive;
    }
  }
  return flags;
}

namespace detail {
AdaptiveChunks last_adaptive_chunks() { return adaptive_chunks; }
}  // namespace detail

}  // namespace fpsim
