// The fast paths give the exact path's bits even when the host thread has changed the native
// floating-point environment (round-upward, and on x86-64 flush-to-zero / denormals-are-zero), and
// they leave that environment as they found it.
#include <catch2/catch.hpp>
#include <cfenv>
#include <cstdio>
#include <cstring>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/arith/arith_plan.h"
#include "numerics/fast/fast_arrays.h"
#include "numerics/fast/internal/fp_environment.h"
#include "numerics/quantize/quantize.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace fpsim {
namespace {

// Sets a hostile environment for its lifetime: round upward, plus FTZ and DAZ on x86-64.
struct HostileFp {
#if defined(__x86_64__)
  unsigned saved = _mm_getcsr();
  HostileFp() { _mm_setcsr((saved & ~0x6000u) | 0x8000u | 0x0040u | 0x4000u); }  // FTZ, DAZ, RC = up
  ~HostileFp() { _mm_setcsr(saved); }
  static unsigned current() { return _mm_getcsr(); }
#else
  int saved = std::fegetround();
  HostileFp() { std::fesetround(FE_UPWARD); }
  ~HostileFp() { std::fesetround(saved); }
  static unsigned current() { return static_cast<unsigned>(std::fegetround()); }
#endif
};

TEST_CASE("array arithmetic, scalar fast paths and quantize are exact under FTZ, DAZ and round-upward", "[fpenv]") {
  const Format f16 = parse_format("binary16"), f32 = parse_format("binary32");
  // Subnormal operands and results, and an inexact sum whose direction the native mode would bias.
  const std::vector<uint32_t> a = {0x0001, 0x0001, 0x3c00, 0x0400, 0x8001};
  const std::vector<uint32_t> b = {0x0001, 0x83ff, 0x0001, 0x8001, 0x3c00};
  std::vector<Rounded> want;
  Target t16;
  t16.format = f16;
  for (size_t i = 0; i < a.size(); ++i) {
    const Bits x[2] = {Bits{a[i]}, Bits{b[i]}};
    const Format fs[2] = {f16, f16};
    want.push_back(exact::apply(ArithOp::Add, x, fs, t16));
  }
  Target up32;
  up32.format = f32;
  up32.rounding = Rounding::Up;
  const Rounded want_mixed = exact::add(Bits{0x00000001}, f32, Bits{0x3c00}, f16, up32);  // 1 + 2^-149, rup
  // binary32 subnormal inputs whose bfloat16 results are binary32 subnormals too (FTZ would flush
  // them), and normal values; 64 of them so the vector kernel runs as well as the scalar tail.
  const Target bf16{parse_format("bfloat16")};
  std::vector<float> in;
  for (int k = 0; k < 64; ++k) in.push_back(k % 3 == 0 ? 1e-40f * float(k + 1) : (k % 3 == 1 ? -3e-39f : 0.1f * float(k)));
  std::vector<float> want_q(in.size());
  quantize(in, want_q, bf16, nullptr, 0);

  HostileFp hostile;
  const unsigned before = HostileFp::current();
  CHECK_FALSE(native_fp_is_default());
  std::vector<uint32_t> out(a.size());
  // Long enough for the vector kernel: repeat the cases.
  std::vector<uint32_t> ra, rb;
  for (int k = 0; k < 40; ++k) {
    ra.insert(ra.end(), a.begin(), a.end());
    rb.insert(rb.end(), b.begin(), b.end());
  }
  out.resize(ra.size());
  apply_array(ArithOp::Add, ra, f16, rb, f16, {}, f16, out, t16, nullptr, 0);
  for (size_t i = 0; i < out.size(); ++i) CHECK(Bits{out[i]} == want[i % a.size()].bits);
  for (size_t i = 0; i < a.size(); ++i) CHECK(add(Bits{a[i]}, f16, Bits{b[i]}, f16, t16) == want[i]);
  CHECK(add(Bits{0x00000001}, f32, Bits{0x3c00}, f16, up32) == want_mixed);
  std::vector<float> q(in.size());
  quantize(in, q, bf16, nullptr, 0);
  CHECK(std::memcmp(q.data(), want_q.data(), q.size() * sizeof(float)) == 0);
  CHECK(HostileFp::current() == before);  // every entry point restored the caller's environment
}

#if defined(__x86_64__)
TEST_CASE("ArithPlan is exact under every rounding control, FTZ and DAZ; the nearest probe reads the control", "[fpenv]") {
  const unsigned saved = _mm_getcsr();
  const Format f16 = parse_format("binary16"), f32 = parse_format("binary32");
  const ArithPlan add16(ArithOp::Add, f16, Target{f16}), fma32(ArithOp::Fma, f32, Target{f32});
  // One operand pair per plan whose native result depends on the environment: a binary16 subnormal sum
  // (its binary32 pattern is a binary32 subnormal, which DAZ reads as zero), and a binary32 fma rounded
  // in the middle of an ulp (rounding control).
  const Bits s1{0x0001}, s2{0x0003}, one{bits_of(1.0f)}, third{bits_of(0x1.555556p-2f)};
  const Rounded want16 = exact::add(s1, f16, s2, f16, Target{f16});
  const Rounded want32 = exact::fma(one, f32, third, f32, one, f32, Target{f32});
  size_t settings = 0;
  for (unsigned rc = 0; rc < 4; ++rc)
    for (unsigned ftz_daz : {0u, 0x8000u, 0x0040u}) {
      _mm_setcsr((saved & ~0xE040u) | (rc << 13) | ftz_daz);
      const bool probe = native_rounds_to_nearest();
      const Rounded got16 = add16(s1, s2), got32 = fma32(one, third, one);
      _mm_setcsr(saved);
      INFO("rounding control " << rc << ", FTZ/DAZ bits " << std::hex << ftz_daz);
      CHECK(probe == (rc == 0));
      CHECK(got16 == want16);
      CHECK(got32 == want32);
      ++settings;
    }
  CHECK(settings == 12);
}

// The binary16 and binary32 kernels (binary16 mul by F16C where the CPU has it, binary32 add/sub/mul by native
// binary32 arithmetic) on edge operands under the same 12 settings: subnormal operands and results, results at
// and next to 2^emin (tiny values rounded up), ties, sums that need their sticky bit, overflow, exact zero sums.
TEST_CASE("ArithPlan binary16 and binary32 kernels (division included) are exact under every rounding control, "
          "FTZ and DAZ",
          "[fpenv]") {
  const unsigned saved = _mm_getcsr();
  const std::vector<uint64_t> edges16 = {0x0000, 0x8000, 0x0001, 0x8003, 0x03FF, 0x0400, 0x3C00, 0x3C01,
                                         0xBC00, 0x1400, 0x7BFF, 0xFBFF, 0x2A00, 0x5BFF, 0x0C01};
  const std::vector<uint64_t> edges32 = {0x00000000, 0x80000000, 0x00000001, 0x007FFFFF, 0x00800000, 0x80800001,
                                         0x3F7FFFFF, 0x3F800000, 0x3F800001, 0xBF000000, 0x7F7FFFFF, 0xFF7FFFFF,
                                         0x33800000, 0x4B000001, 0x3FFFFFFF};
  size_t cases = 0, mismatches = 0;
  for (const char* name : {"binary16", "binary32"}) {
    const Format f = parse_format(name);
    const Format formats[3] = {f, f, f};
    const std::vector<uint64_t>& edges = f.total_bits() == 16 ? edges16 : edges32;
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Fma}) {
      const ArithPlan plan(op, f, Target{f});
      std::vector<Rounded> want;
      for (uint64_t a : edges)
        for (uint64_t b : edges)
          for (uint64_t z : edges) {
            const Bits x[3] = {Bits{a}, Bits{b}, Bits{z}};
            want.push_back(exact::apply(op, x, formats, Target{f}));
          }
      for (unsigned rc = 0; rc < 4; ++rc)
        for (unsigned ftz_daz : {0u, 0x8000u, 0x0040u}) {
          _mm_setcsr((saved & ~0xE040u) | (rc << 13) | ftz_daz);
          size_t k = 0;
          for (uint64_t a : edges)
            for (uint64_t b : edges)
              for (uint64_t z : edges) {
                const Rounded got = op == ArithOp::Fma ? plan(Bits{a}, Bits{b}, Bits{z}) : plan(Bits{a}, Bits{b});
                if (!(got == want[k]) && mismatches < 8)
                  std::fprintf(stderr, "%s %s, rounding control %u, FTZ/DAZ %x: %llx %llx %llx -> %llx/%d, exact %llx/%d\n",
                               name, to_string(op), rc, ftz_daz, (unsigned long long)a, (unsigned long long)b,
                               (unsigned long long)z, (unsigned long long)got.bits.v, got.flags,
                               (unsigned long long)want[k].bits.v, want[k].flags);
                mismatches += !(got == want[k++]);
                ++cases;
              }
          _mm_setcsr(saved);
        }
    }
  }
  CHECK(cases == 2 * 5 * 12 * 15 * 15 * 15);
  CHECK(mismatches == 0);
}
#endif

TEST_CASE("IeeeDefaultFp sets the default and restores the previous environment", "[fpenv]") {
  CHECK(native_fp_is_default());
  {
    HostileFp hostile;
    const unsigned before = HostileFp::current();
    {
      const IeeeDefaultFp fp;
      CHECK(native_fp_is_default());
    }
    CHECK(HostileFp::current() == before);
  }
  CHECK(native_fp_is_default());
}

}  // namespace
}  // namespace fpsim
