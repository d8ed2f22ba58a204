// The vector lane kernel (numerics/fast/internal/arith_kernel.h) equals the exact path element by element, on every
// compiled target (AVX-512, AVX2, portable), for add/sub/mul/fma/div, every mode (sr and sr:K with
// the same random words as the scalar path; no stochastic div), mixed
// operand formats and targets with fn/fnuz specials, biases and no subnormals, with operands chosen
// so results fall on both sides of the normal-range boundaries where the kernel hands lanes back.
#include <catch2/catch.hpp>
#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/fast/internal/arith_kernel.h"
#include "numerics/core/convert.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

using detail::LanePlan;

// The deterministic modes, then sr, sr:3, sr:13 and sr:50 (more bits than binary32's 64 - p = 40).
const Rounding modes[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                          Rounding::Down,        Rounding::Odd,         Rounding::Truncate,   Rounding::Stochastic,
                          Rounding::Stochastic,  Rounding::Stochastic,  Rounding::Stochastic};
const int sr_bits_of_mode[] = {0, 0, 0, 0, 0, 0, 0, 0, 3, 13, 50};

// A random word: uniform, an extreme, or only its top 4 bits set, so that it often equals the
// discarded fraction of a short exact result (where sr's <= and < differ).
uint64_t random_word(test::OperandGen& gen) {
  switch (gen.word() % 4) {
    case 0: return (gen.word() % 3 == 0) ? 0 : (gen.word() % 2 ? ~uint64_t{0} : uint64_t{1} << 63);
    case 1: return gen.word() & (uint64_t{0xf} << 60);
    default: return gen.word();
  }
}

struct Context {
  ArithOp op;
  const std::vector<uint32_t>*a, *b, *c;
  const std::vector<uint64_t>* random;
  const Format* formats;
  const Target* t;
  size_t scalar_calls = 0;
};

// The scalar callback: the exact path, counting how many lanes the kernel handed back.
uint32_t exact_element(size_t i, void* context, uint8_t& flags) {
  auto& c = *static_cast<Context*>(context);
  ++c.scalar_calls;
  const Bits x[3] = {Bits{(*c.a)[i]}, Bits{(*c.b)[i]}, Bits{(*c.c)[i]}};
  const Rounded r = exact::apply(c.op, x, c.formats, *c.t, (*c.random)[i]);
  flags |= r.flags;
  return static_cast<uint32_t>(r.bits.v);
}

// A code of `f` for a value whose exponent is near the target's range ends or inside it, so sums,
// products and quotients land just below 2^emin, just above max, and everywhere between.
Bits near_target(test::OperandGen& gen, const Format& f, const Format& target, ArithOp op) {
  if (gen.word() % 4 == 0) return gen.code(f);  // edge patterns: zeros, subnormals, inf, NaN, max
  Target t;
  t.format = f;
  t.overflow = Overflow::Saturate;
  const double sign = (gen.word() & 1) ? -1 : 1;
  if (gen.word() % 4 == 0) {
    // The target's boundaries and values too small to move them: 2^emin (and a neighbour), its max,
    // f's smallest subnormal and normal. A sum of a boundary and a tiny value lands just beside it.
    const double boundary[] = {std::ldexp(1.0, target.emin()),
                               std::ldexp(1.0 + std::ldexp(1.0, -target.man_bits()), target.emin()),
                               decode(target.max_code(), target), std::ldexp(1.0, f.emin() - f.man_bits()),
                               std::ldexp(1.0, f.emin())};
    return encode(sign * boundary[gen.word() % 5], t).bits;
  }
  int lo = target.emin() - 3, hi = target.emax() + 2;
  if (op == ArithOp::Mul || op == ArithOp::Fma || op == ArithOp::Div) { lo /= 2; hi /= 2; }  // two factors
  const int e = lo + int(gen.word() % uint64_t(hi - lo + 1));
  const double sig = 1.0 + double(gen.word() >> 11) * 0x1p-53;
  return encode(sign * std::ldexp(sig, e), t).bits;
}

struct Case {
  std::vector<std::string> operands;  // a, b, c formats
  std::string target;
};

// Runs every op, mode and tininess for one case on `isa`; returns element and flag mismatches.
size_t mismatches(simd::Isa isa, const Case& k, size_t n, uint64_t seed, size_t& fast_lanes,
                  size_t& lanes) {
  const Format fa = parse_format(k.operands[0]), fb = parse_format(k.operands[1]), fc = parse_format(k.operands[2]);
  const Format formats[3] = {fa, fb, fc};
  test::OperandGen gen(seed);
  size_t bad = 0;
  for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Fma, ArithOp::Div})
    for (size_t mi = 0; mi < std::size(modes); ++mi)
      for (Tininess tin : {Tininess::AfterRounding, Tininess::BeforeRounding}) {
        const Rounding mode = modes[mi];
        Target t;
        t.format = parse_format(k.target);
        t.rounding = mode;
        t.sr_bits = sr_bits_of_mode[mi];
        t.tininess = tin;
        t.overflow = (seed + size_t(mode)) % 2 ? Overflow::Saturate : Overflow::Ieee;
        LanePlan plan;
        if (!detail::make_lane_plan(op, fa, fb, fc, t, plan)) continue;
        std::vector<uint32_t> a(n), b(n), c(n), out(n);
        std::vector<uint64_t> random(n);
        for (size_t i = 0; i < n; ++i) {
          random[i] = random_word(gen);
          a[i] = uint32_t(near_target(gen, fa, t.format, op).v);
          b[i] = uint32_t(near_target(gen, fb, t.format, op).v);
          c[i] = uint32_t(near_target(gen, fc, t.format, op).v);
          // Cancellation: b close to ±a (sub of near-equal values, add of near-opposites).
          if (fb == fa && i % 5 == 0) b[i] = a[i] ^ uint32_t(gen.word() % 4);
        }
        Context ctx{op, &a, &b, &c, &random, formats, &t};
        const uint8_t flags = detail::run_lane_kernel(isa, plan, a.data(), b.data(), c.data(), random.data(),
                                                      out.data(), n, exact_element, &ctx);
        uint8_t want_flags = 0;
        for (size_t i = 0; i < n; ++i) {
          const Bits x[3] = {Bits{a[i]}, Bits{b[i]}, Bits{c[i]}};
          const Rounded want = exact::apply(op, x, formats, t, random[i]);
          want_flags |= want.flags;
          if (Bits{out[i]} != want.bits) {
            if (bad < 5)
              UNSCOPED_INFO(to_string(op) << " " << k.target << " " << to_string(mode, t.sr_bits) << " a=" << std::hex
                                          << a[i] << " b=" << b[i] << " c=" << c[i] << " got " << out[i] << " want "
                                          << want.bits.v << std::dec);
            ++bad;
          }
        }
        if (flags != want_flags) ++bad;
        fast_lanes += n - ctx.scalar_calls;
        lanes += n;
      }
  return bad;
}

const std::vector<Case> cases = {
    {{"binary32", "binary32", "binary32"}, "binary32"},
    {{"binary16", "binary16", "binary16"}, "binary16"},
    {{"bfloat16", "bfloat16", "bfloat16"}, "bfloat16"},
    {{"tf32", "tf32", "tf32"}, "tf32"},
    {{"e5m2", "e5m2", "binary32"}, "binary32"},   // FP8 products into an fp32 accumulator
    {{"binary16", "binary32", "binary32"}, "binary16"},
    {{"bfloat16", "bfloat16", "binary32"}, "binary32"},
    {{"binary32", "binary32", "binary32"}, "e4m3fn"},   // fn target: the NaN code is above max
    {{"binary16", "binary16", "binary16"}, "e5m2fnuz"},  // fnuz target
    {{"binary32", "binary32", "binary32"}, "e6m9,bias=20,nosub"},
    {{"e5m2", "binary16", "binary32"}, "e3m4"},
    {{"e4m3fn", "e4m3fn", "binary32"}, "binary32"},  // fn operands: 0x7F is NaN, 0x78-0x7E are values
    {{"e4m3fn", "e4m3fn", "e4m3fn"}, "e4m3fn"},
    {{"e4m3fnuz", "e5m2fnuz", "bfloat16"}, "bfloat16"},  // fnuz operands: 0x80 is NaN
    {{"e2m3fn", "e3m2fn", "binary16"}, "binary16"},     // finite operands: no specials at all
    {{"binary16", "binary16", "binary16"}, "e5m0,fn"},   // no mantissa bits: the kept lsb is the hidden 1
    {{"binary32", "binary32", "binary32"}, "e4m0,finite"},
    {{"p3109_k8p3se", "p3109_k8p4sf", "binary32"}, "binary32"},  // P3109 operands: 0x80 NaN, 0x7F/0xFF inf (e)
    {{"binary16", "binary16", "binary16"}, "p3109_k8p3se"},        // P3109 target: inf at 0x7F, no −0
    {{"binary32", "binary32", "binary32"}, "p3109_k8p4sf"},
    {{"binary16", "binary16", "binary16"}, "p3109_k8p1se"},        // P = 1: parity of the exponent field
};

void run_all(size_t n, uint64_t seed) {
  for (simd::Isa isa : simd::kIsas) {
    if (!detail::lane_kernel_available(isa)) continue;
    size_t fast = 0, lanes = 0, bad = 0;
    for (size_t k = 0; k < cases.size(); ++k) bad += mismatches(isa, cases[k], n, seed + k, fast, lanes);
    INFO(simd::to_string(isa) << ": " << lanes << " elements, " << fast << " taken by the kernel");
    CHECK(bad == 0);
    CHECK(fast > lanes / 2);  // the kernel, not its scalar fallback, did most of the work
  }
}

TEST_CASE("the lane kernel equals the exact path on every target, op and rounding mode", "[lanes]") {
  run_all(1001, 1);  // 1001: not a multiple of any lane count, so the tail runs too
}

TEST_CASE("the lane kernel equals the exact path over millions of elements", "[lanes][long]") {
  run_all(40001, 100);
}

TEST_CASE("the lane kernel declines what it cannot do exactly", "[lanes]") {
  const Format f32 = parse_format("binary32"), f16 = parse_format("binary16");
  LanePlan plan;
  Target t;
  t.format = f32;
  CHECK(detail::make_lane_plan(ArithOp::Add, f32, f32, f32, t, plan));
  CHECK_FALSE(detail::make_lane_plan(ArithOp::Sqrt, f32, f32, f32, t, plan));
  CHECK(detail::make_lane_plan(ArithOp::Add, parse_format("e4m3fn"), f32, f32, t, plan));         // fn operand
  CHECK_FALSE(detail::make_lane_plan(ArithOp::Add, parse_format("e8m0fnu"), f32, f32, t, plan));  // unsigned
  // 8 exponent bits with fn specials: the all-ones field holds values whose binary32 pattern is inf/NaN.
  CHECK_FALSE(detail::make_lane_plan(ArithOp::Add, parse_format("e8m7,fn"), f32, f32, t, plan));
  t.rounding = Rounding::Stochastic;
  CHECK(detail::make_lane_plan(ArithOp::Add, f32, f32, f32, t, plan));
  CHECK_FALSE(detail::make_lane_plan(ArithOp::Div, f32, f32, f32, t, plan));  // no exact fraction of a quotient
  t.rounding = Rounding::NearestEven;
  t.daz = true;
  CHECK_FALSE(detail::make_lane_plan(ArithOp::Add, f32, f32, f32, t, plan));
  t.daz = false;
  t.format = parse_format("e8m0fnu");  // unsigned target
  CHECK_FALSE(detail::make_lane_plan(ArithOp::Add, f32, f32, f32, t, plan));
  t.format = parse_format("e4m27");  // div needs a target of at most 24 bits of precision
  CHECK_FALSE(detail::make_lane_plan(ArithOp::Div, f16, f16, f16, t, plan));
  CHECK(detail::make_lane_plan(ArithOp::Add, f16, f16, f16, t, plan));
}

}  // namespace
}  // namespace fpsim
