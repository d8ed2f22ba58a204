// The emulated accumulator: add_rounded (numerics/fast/accumulate.h) is one correct rounding of the exact sum (checked against an
// exact big-integer sum), and gemm with a Target accumulator, chunked or not, follows the model in
// sim/gemm/gemm.h for any thread count.
#include <catch2/catch.hpp>

#include <bit>
// GCC 12 at -O3 reports a false -Wmaybe-uninitialized inside Boost.Multiprecision's cpp_int limbs
// (the warning points into boost/multiprecision/cpp_int.hpp); it is a middle-end warning, so it is
// silenced for this whole file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "numerics/core/convert.h"
#include "numerics/core/format.h"
#include "numerics/fast/accumulate.h"
#include "numerics/quantize/quantize.h"
#include "sim/gemm/gemm.h"
#include "sim/gemm/internal/emulated.h"
#include "test_data.h"

using boost::multiprecision::cpp_int;
using fpsim::Exact;
using fpsim::Rounding;
using fpsim::Target;
using fpsim::sim::Accumulation;
using fpsim::add_rounded;
using fpsim::sim::GemmProblem;
using fpsim::sim::Trans;

namespace {

// Every finite double is an integer multiple of 2^-1074: the exact value as that integer.
cpp_int scaled_integer(double x) {
  int e;
  const double m = std::frexp(std::fabs(x), &e);             // |x| = m·2^e, m in [0.5, 1)
  const auto sig = static_cast<uint64_t>(std::ldexp(m, 53));  // |x| = sig·2^(e−53), exact
  cpp_int v = sig;
  const int shift = e - 53 + 1074;
  v = shift >= 0 ? cpp_int(v << shift) : cpp_int(v >> -shift);  // shift < 0 only drops zero bits
  return x < 0 ? cpp_int(-v) : v;
}

// The oracle: s + x summed exactly as an integer, cut to 64 significant bits plus sticky, rounded once.
double oracle_add(double s, double x, const Target& t, uint64_t random_bits) {
  cpp_int sum = scaled_integer(s) + scaled_integer(x);
  REQUIRE(sum != 0);  // exact zeros are checked separately
  Exact e;
  e.sign = sum < 0;
  if (e.sign) sum = -sum;
  const int bits = static_cast<int>(msb(sum)) + 1;
  const int drop = std::max(0, bits - 64);
  e.sig = static_cast<uint64_t>(sum >> drop);
  e.sticky = drop > 0 && (sum & ((cpp_int(1) << drop) - 1)) != 0;
  e.exp = drop - 1074;
  return fpsim::decode(fpsim::round_pack(e, t, random_bits).bits, t.format);
}

Target target(const char* format, Rounding r) {
  Target t{fpsim::parse_format(format)};
  t.rounding = r;
  return t;
}

bool same(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

}  // namespace

TEST_CASE("add_rounded equals one rounding of the exact sum (big-integer oracle)", "[accumulate]") {
  std::mt19937_64 gen(7);
  std::uniform_int_distribution<int> expo(-30, 30), small(0, 3);
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  auto random_float = [&] { return std::ldexp(mant(gen), expo(gen)) * (gen() & 1 ? -1.0f : 1.0f); };
  const char* formats[] = {"binary16", "bfloat16", "e5m2", "binary32", "e6m9", "binary64"};
  const Rounding modes[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                            Rounding::Down,        Rounding::Odd,         Rounding::Stochastic};
  int checked = 0;
  for (const char* format : formats)
    for (Rounding mode : modes) {
      Target t = target(format, mode);
      for (int trial = 0; trial < 400; ++trial) {
        // s: a value of the accumulator format; x: an exact product of two floats. Some pairs are
        // near-cancellations (x ≈ −s) so the exact sum needs far more than 53 bits.
        const double s = fpsim::decode(fpsim::encode(static_cast<double>(random_float()), t, gen()).bits, t.format);
        double x = static_cast<double>(random_float()) * static_cast<double>(random_float());
        if (small(gen) == 0) x = -s * (1.0 + std::ldexp(static_cast<double>(random_float()), -40));
        if (!std::isfinite(s) || s + x == 0.0) continue;
        const uint64_t random_bits = gen();
        const double got = add_rounded(s, x, t, random_bits);
        const double want = oracle_add(s, x, t, random_bits);
        INFO(format << " mode " << fpsim::to_string(mode) << " s=" << s << " x=" << x);
        REQUIRE(same(got, want));
        ++checked;
      }
    }
  CHECK(checked > 10000);
}

TEST_CASE("add_rounded: an exact cancellation is +0, or −0 when rounding down", "[accumulate]") {
  CHECK(same(add_rounded(3.0, -3.0, target("binary16", Rounding::NearestEven), 0), 0.0));
  CHECK(same(add_rounded(3.0, -3.0, target("binary16", Rounding::Down), 0), -0.0));
  CHECK(same(add_rounded(-0.0, -0.0, target("binary16", Rounding::NearestEven), 0), -0.0));
}

namespace {

// The model of sim/gemm/gemm.h written out for inputs whose double sums are exact (so `s + p` below is the
// exact sum and encode performs the one rounding): a check of gemm's chunking, order and indexing
// that does not go through add_rounded.
std::vector<float> model(int m, int n, int k, const std::vector<float>& a, const std::vector<float>& b,
                         std::vector<float> c, const Target& t, int chunk, bool accumulate) {
  auto round = [&](double v) { return fpsim::decode(fpsim::encode(v, t, 0).bits, t.format); };
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double s = accumulate ? round(c[i * n + j]) : 0.0;
      double partial = 0.0;
      for (int kk = 0; kk < k; ++kk) {
        const double p = static_cast<double>(a[i * k + kk]) * b[kk * n + j];
        if (chunk == 0) {
          s = round(s + p);
        } else {
          partial = round(partial + p);
          if ((kk + 1) % chunk == 0 || kk + 1 == k) {
            s = round(s + partial);
            partial = 0.0;
          }
        }
      }
      c[i * n + j] = static_cast<float>(s);
    }
  return c;
}

// Small multiples of 1/8 in [-8, 8]: every product and partial sum below 2^40 is exact in binary64.
std::vector<float> eighths(std::size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(-64, 64);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(d(gen)) / 8.0f;
  return v;
}

}  // namespace

TEST_CASE("emulated accumulation: gemm, gemm_reference and the written-out model agree", "[accumulate]") {
  const int m = 13, n = 11, k = 150;
  const auto a = eighths(m * k, 1), b = eighths(k * n, 2), c0 = eighths(m * n, 3);
  for (const char* format : {"binary16", "bfloat16", "e5m2"})
    for (int chunk : {0, 1, 7, 64, 150, 200})
      for (bool accumulate : {false, true}) {
        Accumulation acc{false, target(format, Rounding::NearestEven), chunk};
        const auto want = model(m, n, k, a, b, c0, acc.target, chunk, accumulate);
        auto ref = c0;
        fpsim::sim::gemm_reference({Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, ref.data(), n, accumulate},
                                   acc);
        INFO(format << " chunk " << chunk << " accumulate " << accumulate);
        CHECK(fpsim::test::first_bit_difference(ref, want) == -1);
        for (int threads : {1, 2}) {
          auto got = c0;
          fpsim::test::with_threads(threads, [&] {
            fpsim::sim::gemm({Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, got.data(), n, accumulate}, acc);
          });
          CHECK(fpsim::test::first_bit_difference(got, want) == -1);
        }
      }
}

TEST_CASE("emulated accumulation: binary16 summing 4096 ones stalls at 2048; chunks of 64 reach 4096",
          "[accumulate]") {
  // 2048 + 1 is a tie between 2048 and 2050 in binary16 (ulp 2 above 2048): even 2048 wins, forever.
  // Chunks of 64 sum exactly to 64, and 64 chunk sums of 64 add exactly (Wang et al. 2018).
  const int k = 4096;
  std::vector<float> ones(k, 1.0f);
  float c = 0.0f;
  Accumulation acc{false, target("binary16", Rounding::NearestEven), 0};
  fpsim::sim::gemm({Trans::No, Trans::No, 1, 1, k, ones.data(), k, ones.data(), 1, &c, 1}, acc);
  CHECK(c == 2048.0f);
  acc.chunk = 64;
  fpsim::sim::gemm({Trans::No, Trans::No, 1, 1, k, ones.data(), k, ones.data(), 1, &c, 1}, acc);
  CHECK(c == 4096.0f);
  // fp32 accumulation is exact here
  fpsim::sim::gemm({Trans::No, Trans::No, 1, 1, k, ones.data(), k, ones.data(), 1, &c, 1});
  CHECK(c == 4096.0f);
}

TEST_CASE("emulated accumulation: stochastic rounding is keyed by output and step, not by thread",
          "[accumulate]") {
  const int m = 9, n = 7, k = 100, chunk = 16;
  const auto a = fpsim::test::uniform(m * k, 4), b = fpsim::test::uniform(k * n, 5);
  const fpsim::RandomStream stream(42, 1), other(43, 1);
  Accumulation acc{false, target("e5m2", Rounding::Stochastic), chunk, &stream};
  auto run = [&](const Accumulation& with, int threads) {
    std::vector<float> c(m * n);
    fpsim::test::with_threads(threads, [&] {
      fpsim::sim::gemm({Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, c.data(), n}, with);
    });
    return c;
  };
  const auto one = run(acc, 1), two = run(acc, 2);
  CHECK(fpsim::test::first_bit_difference(one, two) == -1);
  std::vector<float> ref(m * n);
  fpsim::sim::gemm_reference({Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, ref.data(), n}, acc);
  CHECK(fpsim::test::first_bit_difference(one, ref) == -1);
  Accumulation reseeded = acc;
  reseeded.random = &other;
  CHECK(fpsim::test::first_bit_difference(one, run(reseeded, 1)) != -1);  // the stream matters
  Accumulation missing = acc;
  missing.random = nullptr;
  CHECK_THROWS_WITH(run(missing, 1), Catch::Contains("without a random stream"));
}

namespace {

// Every ISA the vector accumulator is compiled for and this CPU runs.
std::vector<fpsim::simd::Isa> vector_isas() {
  std::vector<fpsim::simd::Isa> isas;
  for (auto isa : {fpsim::simd::Isa::Portable, fpsim::simd::Isa::Avx2, fpsim::simd::Isa::Avx512})
    if (fpsim::simd::cpu_supports(isa)) isas.push_back(isa);
  return isas;
}

// gemm_emulated_vector (gemm_matrix_unit when acc has a matrix-unit group) on `isa` and `threads` against
// gemm_reference (NaNs equal: their payload is free); `also` checks each result further when given.
void check_vector_path(const GemmProblem& problem, const std::vector<float>& c0, const Accumulation& acc,
                       const std::string& what, const std::function<bool(const std::vector<float>&)>& also = {}) {
  auto want = c0;
  GemmProblem ref = problem;
  ref.c = want.data();
  fpsim::sim::gemm_reference(ref, acc);
  for (auto isa : vector_isas())
    for (int threads : {1, 2}) {
      auto got = c0;
      GemmProblem fast = problem;
      fast.c = got.data();
      fpsim::test::with_threads(threads, [&] {
        if (acc.matrix_unit.group > 0)
          fpsim::sim::gemm_matrix_unit(fast, acc, isa);
        else
          fpsim::sim::gemm_emulated_vector(fast, acc, isa);
      });
      INFO(what << " isa " << fpsim::simd::to_string(isa) << " threads " << threads);
      if (also) REQUIRE(also(got));
      REQUIRE(fpsim::test::first_difference_nan_equal(got, want) == -1);
    }
}

}  // namespace

TEST_CASE("emulated accumulation: the vector path gives gemm_reference's bits in every mode and ISA",
          "[accumulate]") {
  // wide_range inputs: products span 2^-40..2^38, so many double sums s + a·b are inexact and the
  // in-register rounding really decides; sums overflow small formats (scalar lanes) and pass through
  // their subnormal range (the 2^emin shift). Every mode, sr:K included, chunked or not, 1 and 2 threads,
  // N = 37 (a ragged last column group), both B layouts.
  const int m = 7, n = 37, k = 90;
  const auto a = fpsim::test::wide_range(m * k, 40), b = fpsim::test::wide_range(k * n, 41);
  const auto c0 = fpsim::test::wide_range(m * n, 42);
  const fpsim::RandomStream stream(5, 6);
  const Rounding modes[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                            Rounding::Down,        Rounding::Odd,         Rounding::Truncate,   Rounding::Stochastic};
  int cases = 0;
  for (const char* format : {"binary16", "bfloat16", "e5m2", "e4m3fn", "e6m9", "e8m15", "binary32"})
    for (Rounding mode : modes)
      for (int sr_bits : {0, 5, 45})  // sr:45: above drop for binary16 (42), at it for bfloat16 (45)
        for (int chunk : {0, 16}) {
          if (sr_bits != 0 && mode != Rounding::Stochastic) continue;
          Accumulation acc{false, target(format, mode), chunk, &stream};
          acc.target.sr_bits = sr_bits;
          REQUIRE(fpsim::RoundedAccumulator::applies(acc.target));
          const bool accumulate = chunk == 0;
          const std::string what = std::string(format) + " " + fpsim::to_string(mode) + " sr_bits " +
                                   std::to_string(sr_bits) + " chunk " + std::to_string(chunk);
          check_vector_path({Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, nullptr, n, accumulate}, c0,
                            acc, what + " NT");
          check_vector_path({Trans::Yes, Trans::No, m, n, k, a.data(), m, b.data(), n, nullptr, n, accumulate}, c0,
                            acc, what + " TN");
          ++cases;
        }
  CHECK(cases == 7 * (7 + 3) * 2);
  CHECK_FALSE(fpsim::RoundedAccumulator::applies(target("binary64", Rounding::NearestEven)));
  CHECK_FALSE(fpsim::RoundedAccumulator::applies(target("e4m3fnuz", Rounding::NearestEven)));  // no −0
}

namespace {

// The random word that ties sum s + x's top bits in the sr step (accumulate_simd.cpp, StepStochastic): its top
// `drop` bits equal the discarded fraction's, those of the lane's |s + x| cut to the lane precision (binary64, or
// binary32 for lane_bits 24), so round_pack's decision rests on the bits below; `tail` fills r's remaining bits.
uint64_t tie_word(double s, double x, int lane_bits, int man_bits, uint64_t tail) {
  const int drop = lane_bits - 1 - man_bits;
  uint64_t magnitude;
  bool opposes;
  if (lane_bits == 53) {
    const double hi = s + x, bb = hi - s, lo = (s - (hi - bb)) + (x - bb);
    magnitude = std::bit_cast<uint64_t>(std::fabs(hi));
    opposes = lo != 0 && std::signbit(lo) != std::signbit(hi);
  } else {
    const float fs = static_cast<float>(s), fx = static_cast<float>(x);
    const float hi = fs + fx, bb = hi - fs, lo = (fs - (hi - bb)) + (fx - bb);
    magnitude = std::bit_cast<uint32_t>(std::fabs(hi));
    opposes = lo != 0 && std::signbit(lo) != std::signbit(hi);
  }
  const uint64_t low = (magnitude - (opposes ? 1 : 0)) & ((uint64_t{1} << drop) - 1);
  return (low << (64 - drop)) | (tail >> drop);
}

}  // namespace

TEST_CASE("emulated accumulation: sr lanes whose random word ties the sum's top bits give add_rounded's bits",
          "[accumulate]") {
  // A tie of r's top bits with the discarded fraction's (probability 2^-drop per addition) is decided below
  // them, by add_rounded. Words built to tie, with every kind of tail (0, all ones, random), for sums whose
  // exact value has bits below the lane precision (lo != 0, either sign) and sums that are exact: binary64 lanes
  // (binary32 operands) and binary32 lanes (products exact in binary32), every ISA.
  std::mt19937_64 gen(91);
  for (auto isa : vector_isas())
    for (const char* format : {"binary16", "bfloat16", "e5m2"})
      for (bool float_products : {false, true}) {
        const Target t = target(format, Rounding::Stochastic);
        const fpsim::RoundedAccumulator acc(t, isa);
        const int width = acc.width(), lane_bits = float_products ? 24 : 53;
        for (int trial = 0; trial < 200; ++trial) {
          // s: a Target value near 2^e; x = a·b with b of 23 (binary32 lanes: 12) significant bits
          std::uniform_int_distribution<int> expo(-3, 8), shift(1, 40);
          const float a = float_products ? 1.0f : std::ldexp(1.0f + (gen() & 0x7fffff) * 0x1p-23f, -shift(gen) / 2);
          std::vector<float> b(width), sums(width);
          std::vector<uint64_t> words(width);
          for (int j = 0; j < width; ++j) {
            const double s0 = std::ldexp(1.0 + static_cast<double>(gen() & 0xffff) * 0x1p-16, expo(gen));
            sums[j] = static_cast<float>(fpsim::decode(fpsim::encode(gen() & 1 ? -s0 : s0, t, 0).bits, t.format));
            const uint32_t mant = float_products ? 0x800u | (gen() & 0x7ffu) : 0x800000u | (gen() & 0x7fffffu);
            b[j] = std::ldexp(static_cast<float>(mant), expo(gen) - shift(gen) - (float_products ? 11 : 23)) *
                   (gen() & 1 ? -1.0f : 1.0f);
            const uint64_t tails[] = {0, ~uint64_t{0}, gen()};
            words[j] = tie_word(sums[j], static_cast<double>(a) * b[j], lane_bits, t.format.man_bits(), tails[j % 3]);
          }
          const std::vector<float> start = sums;
          fpsim::AccumulateGroup g;
          g.rows = 1;
          g.k_count = 1;
          g.a_rows[0] = &a;
          g.b = b.data();
          g.sums = sums.data();
          g.random = words.data();
          g.binary32_products = float_products;
          g.product_bits = float_products ? 12 + 1 : 0;
          acc.run(g);
          for (int j = 0; j < width; ++j) {
            const double want = add_rounded(start[j], static_cast<double>(a) * b[j], t, words[j]);
            INFO(format << " isa " << fpsim::simd::to_string(isa) << " binary32 lanes " << float_products << " s "
                        << start[j] << " x " << static_cast<double>(a) * b[j] << " word " << words[j]);
            REQUIRE(same(sums[j], want));
          }
        }
      }
}

TEST_CASE("emulated accumulation: sums that live in the Target's subnormal range round in-register",
          "[accumulate]") {
  // Products around 2^-26 keep binary16 sums (emin −14, subnormal step 2^-24) mostly subnormal: the
  // 2^emin shift of the vector step decides nearly every addition, against add_rounded in the reference.
  const int m = 5, n = 16, k = 200;
  auto a = fpsim::test::uniform(m * k, 50), b = fpsim::test::uniform(k * n, 51);
  for (auto& x : a) x *= 0x1p-13f;
  for (auto& x : b) x *= 0x1p-13f;
  const std::vector<float> c0(m * n, 0.0f);
  for (Rounding mode : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                        Rounding::Down, Rounding::Odd, Rounding::Truncate})
    check_vector_path({Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, nullptr, n, false}, c0,
                      {false, target("binary16", mode), 0}, std::string("binary16 ") + fpsim::to_string(mode));
}

TEST_CASE("emulated accumulation: zero sums keep IEEE 754's sign rules on the vector path", "[accumulate]") {
  // a = (x, −x) against b = (1, 1): the sum cancels exactly to +0, or −0 when rounding down; so does
  // +0 + (−0)·1 (the sum starts from +0).
  const std::vector<float> a = {1.5f, -1.5f, -0.0f, -0.0f}, b(2 * 8, 1.0f);
  for (Rounding mode : {Rounding::NearestEven, Rounding::Down}) {
    const Accumulation acc{false, target("binary16", mode), 0};
    std::vector<float> c(2 * 8, 7.0f);
    fpsim::sim::gemm({Trans::No, Trans::No, 2, 8, 2, a.data(), 2, b.data(), 8, c.data(), 8}, acc);
    for (int j = 0; j < 8; ++j) {
      CHECK(std::signbit(c[j]) == (mode == Rounding::Down));
      CHECK(c[j] == 0.0f);
      CHECK(std::signbit(c[8 + j]) == (mode == Rounding::Down));
    }
  }
}

TEST_CASE("matrix-unit model: terms are cut below the group's largest exponent", "[accumulate][matrix_unit]") {
  // One output, one group: terms s = 0, 1·1 and (3·2^-4)·1. E = 0, frac_bits 3: multiples of 2^-3.
  // Truncate: 3·2^-4 = 1.5·2^-3 -> 1·2^-3, total 1.125; nearest-even: 2·2^-3, total 1.25.
  const std::vector<float> a = {1.0f, 0.1875f}, b = {1.0f, 1.0f};
  for (bool truncate : {true, false}) {
    Accumulation acc{false, target("binary32", Rounding::NearestEven), 0};
    acc.matrix_unit = {4, 3, truncate, 0};
    float c = -1.0f;
    fpsim::sim::gemm({Trans::No, Trans::No, 1, 1, 2, a.data(), 2, b.data(), 1, &c, 1}, acc);
    CHECK(c == (truncate ? 1.125f : 1.25f));
  }
}

TEST_CASE("matrix-unit model: promotion into FP32 every N_C elements rescues a binary16 accumulator",
          "[accumulate][matrix_unit]") {
  // 4096 ones, groups of 1: a binary16 accumulator stalls at 2048 (2048 + 1 ties to even); promoting
  // every 128 K-elements sums 32 exact partial sums of 128 in FP32.
  const int k = 4096;
  std::vector<float> ones(k, 1.0f);
  Accumulation acc{false, target("binary16", Rounding::NearestEven), 0};
  acc.matrix_unit = {1, 13, true, 0};
  float c = 0.0f;
  fpsim::sim::gemm({Trans::No, Trans::No, 1, 1, k, ones.data(), k, ones.data(), 1, &c, 1}, acc);
  CHECK(c == 2048.0f);
  acc.matrix_unit.promote_every = 128;
  fpsim::sim::gemm({Trans::No, Trans::No, 1, 1, k, ones.data(), k, ones.data(), 1, &c, 1}, acc);
  CHECK(c == 4096.0f);
  acc.matrix_unit = {32, 13, true, 100};  // not a multiple of the group
  CHECK_THROWS_WITH(fpsim::sim::gemm({Trans::No, Trans::No, 1, 1, k, ones.data(), k, ones.data(), 1, &c, 1}, acc),
                    Catch::Contains("promote_every"));
}

TEST_CASE("matrix-unit model: the vector path gives the scalar model's bits", "[accumulate][matrix_unit]") {
  // wide_range products (2^-40..2^38) make the alignment drop many bits; groups of 1, 5, 16 and 32 with
  // a ragged last group (K = 90), truncate and nearest-even cuts, 13 and 25 kept bits, binary32,
  // binary16 and bfloat16 accumulators in rtz and rne, with and without promotion; every ISA, 1 and 2 threads.
  const int m = 6, n = 21, k = 90;
  const auto a = fpsim::test::wide_range(m * k, 60), b = fpsim::test::wide_range(k * n, 61);
  const auto c0 = fpsim::test::uniform(m * n, 62);
  int cases = 0;
  for (const char* format : {"binary32", "binary16", "bfloat16"})
    for (Rounding mode : {Rounding::NearestEven, Rounding::TowardZero})
      for (int group : {1, 5, 16, 32})
        for (int frac_bits : {13, 25})
          for (bool truncate : {true, false})
            for (int promote : {0, 2}) {
              Accumulation acc{false, target(format, mode), 0};
              acc.matrix_unit = {group, frac_bits, truncate, promote * group};
              const bool accumulate = (group + frac_bits) % 2 == 1;
              const std::string what = std::string(format) + " " + fpsim::to_string(mode) + " group " +
                                       std::to_string(group) + " frac_bits " + std::to_string(frac_bits) +
                                       (truncate ? " truncate" : " round") + " promote " + std::to_string(promote);
              auto want = c0;
              fpsim::sim::gemm_reference(
                  {Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, want.data(), n, accumulate}, acc);
              for (auto isa : vector_isas())
                for (int threads : {1, 2}) {
                  auto got = c0;
                  fpsim::test::with_threads(threads, [&] {
                    fpsim::sim::gemm_matrix_unit(
                        {Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, got.data(), n, accumulate}, acc,
                        isa);
                  });
                  INFO(what << " isa " << fpsim::simd::to_string(isa) << " threads " << threads);
                  REQUIRE(fpsim::test::first_difference_nan_equal(got, want) == -1);
                }
              ++cases;
            }
  CHECK(cases == 3 * 2 * 4 * 2 * 2 * 2);
}

TEST_CASE("accumulating into a C with a row stride: C's elements rounded as the reference, the gaps untouched",
          "[accumulate][matrix_unit]") {
  // The deterministic modes round all of C into the Target before the tiles (round_c_into_target: one
  // array call when ldc = n, one per row otherwise); sr rounds each element with its own word. Here
  // ldc = n + 5: the 5 floats after each row hold a sentinel (NaN) that neither path may round or move.
  const int m = 9, n = 19, k = 40, ldc = n + 5;
  const auto a = fpsim::test::wide_range(m * k, 70), b = fpsim::test::wide_range(k * n, 71);
  auto c0 = fpsim::test::wide_range(m * ldc, 72);
  const float sentinel = std::bit_cast<float>(0x7fc01234u);
  for (int i = 0; i < m; ++i)
    for (int j = n; j < ldc; ++j) c0[i * ldc + j] = sentinel;
  const fpsim::RandomStream stream(8, 9);
  auto gaps_untouched = [&](const std::vector<float>& c) {
    for (int i = 0; i < m; ++i)
      for (int j = n; j < ldc; ++j)
        if (std::bit_cast<uint32_t>(c[i * ldc + j]) != 0x7fc01234u) return false;
    return true;
  };
  int cases = 0;
  for (const char* format : {"binary16", "bfloat16", "e5m2", "e4m3fn"})
    for (Rounding mode : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Stochastic})
      for (int group : {0, 8}) {  // 0: rounded after every addition; 8: the matrix-unit model
        if (group > 0 && mode == Rounding::Stochastic) continue;
        Accumulation acc{false, target(format, mode), 0, &stream};
        if (group > 0) acc.matrix_unit = {group, 13, true, 0};
        const GemmProblem problem{Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, nullptr, ldc, true};
        check_vector_path(problem, c0, acc, std::string(format) + " " + fpsim::to_string(mode) + " group " +
                                                std::to_string(group), gaps_untouched);
        ++cases;
      }
  CHECK(cases == 4 * (3 + 2));
}

TEST_CASE("emulated accumulation: FP8 operands (binary32 lanes) give gemm_reference's bits", "[accumulate]") {
  // e4m3 × e5m2 products have at most 4 + 3 significant bits, so the deterministic modes run in binary32
  // lanes. Three scales: ordinary sums, sums deep in binary16's subnormal range (the 2^emin shift in
  // binary32), and sums that overflow e4m3fn and binary16 (scalar lanes).
  const int m = 6, n = 24, k = 120;
  for (float scale : {1.0f, 0x1p-12f, 0x1p10f}) {
    auto a = fpsim::test::wide_range(m * k, 70), b = fpsim::test::uniform(k * n, 71);
    for (auto& x : a) x = std::ldexp(x, -8) * scale;  // 2^-28 .. 2^12 before scaling
    Target e4m3fn = target("e4m3fn", Rounding::NearestEven);
    e4m3fn.overflow = fpsim::Overflow::Saturate;  // ±448, not NaN: finite products (binary32 lanes)
    fpsim::quantize(a, a, e4m3fn, nullptr);
    fpsim::quantize(b, b, target("e5m2", Rounding::NearestEven), nullptr);
    const auto c0 = fpsim::test::uniform(m * n, 72);
    const fpsim::RandomStream stream(8, 9);
    for (const char* format : {"binary16", "bfloat16", "e5m2", "e4m3fn"})
      for (Rounding mode : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                            Rounding::Down, Rounding::Odd, Rounding::Truncate, Rounding::Stochastic})
        for (int sr_bits : {0, 2, 8, 20})  // sr:20: more bits than binary16's binary32 fraction (13)
          for (int chunk : {0, 32}) {
            if (sr_bits != 0 && mode != Rounding::Stochastic) continue;
            Accumulation acc{false, target(format, mode), chunk, &stream};
            acc.target.sr_bits = sr_bits;
            check_vector_path({Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, nullptr, n, chunk == 0}, c0,
                              acc, std::string(format) + " " + fpsim::to_string(mode) + " sr_bits " +
                                       std::to_string(sr_bits) + " chunk " + std::to_string(chunk) + " scale " +
                                       std::to_string(scale));
          }
  }
}

TEST_CASE("emulated accumulation: sr and sr:K with binary16/bfloat16 operands (binary32 lanes) give gemm_reference's "
          "bits", "[accumulate]") {
  // bfloat16 × bfloat16 (16 bits) and binary16 × binary16 (22 bits) products are exact in binary32: stochastic
  // rounding runs in binary32 lanes. Ordinary sums, tiny ones (binary16's subnormal range: add_rounded) and
  // overflowing ones, accumulate into C or chunked; sr:K below and above the binary32 fraction's bits.
  const int m = 9, n = 21, k = 100;
  const fpsim::RandomStream stream(12, 13);
  for (const char* operands : {"bfloat16", "binary16"})
    for (float scale : {1.0f, 0x1p-9f, 0x1p14f}) {  // 2^14: binary16 sums overflow
      auto a = fpsim::test::uniform(m * k, 80), b = fpsim::test::uniform(k * n, 81);
      for (auto& x : a) x *= scale;
      fpsim::quantize(a, a, target(operands, Rounding::NearestEven), nullptr);
      fpsim::quantize(b, b, target(operands, Rounding::NearestEven), nullptr);
      const auto c0 = fpsim::test::uniform(m * n, 82);
      for (const char* format : {"binary16", "bfloat16"})
        for (int sr_bits : {0, 8, 30})
          for (int chunk : {0, 16}) {
            Accumulation acc{false, target(format, Rounding::Stochastic), chunk, &stream};
            acc.target.sr_bits = sr_bits;
            check_vector_path({Trans::No, Trans::Yes, m, n, k, a.data(), k, b.data(), k, nullptr, n, chunk == 0}, c0,
                              acc, std::string(operands) + " operands, " + format + " sr_bits " +
                                       std::to_string(sr_bits) + " chunk " + std::to_string(chunk) + " scale " +
                                       std::to_string(scale));
          }
    }
}

namespace {

// n values of `format` (rne from ±m·2^e, m uniform in [1, 1.75], e uniform in [lo, hi]: finite up to
// e = emax); one in `zeros` is 0. Finite operands: the binary32-lane steps need finite products.
std::vector<float> fp8_values(std::size_t n, uint32_t seed, const char* format, int lo, int hi, int zeros = 0) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> expo(lo, hi), pick(0, std::max(zeros, 1) - 1);
  std::uniform_real_distribution<float> mant(1.0f, 1.75f);
  std::vector<float> v(n);
  for (auto& x : v) x = zeros > 0 && pick(gen) == 0 ? 0.0f : std::ldexp(mant(gen), expo(gen)) * (gen() & 1 ? -1.0f : 1.0f);
  fpsim::quantize(v, v, target(format, Rounding::NearestEven), nullptr);
  return v;
}

// n values of the accumulator `format` near ±2^e, e uniform in [lo, hi].
std::vector<float> sums_near(std::size_t n, uint32_t seed, const char* format, int lo, int hi) {
  return fp8_values(n, seed, format, lo, hi);
}

}  // namespace

TEST_CASE("emulated accumulation: rne into binary16/bfloat16 from FP8 products (one fma, one rounding)",
          "[accumulate]") {
  // Products of at most 8 significant bits round into binary16 or bfloat16 by a single rounding of the
  // fma's binary32 result (accumulate_simd.cpp, NarrowGroup). Adversarial regimes, against gemm_reference
  // (add_rounded) in every ISA; M = 11 and N = 37 leave ragged row tiles and column groups. The directed
  // modes run alongside: they cannot take that step (a tiny product of the other sign moves their result).
  const int m = 11, n = 37, k = 70;
  struct Regime {
    const char* what;
    const char* a_format;
    int a_lo, a_hi;
    const char* b_format;
    int b_lo, b_hi;
    int c_lo, c_hi;  // starting sums near ±2^c (accumulate)
    bool specials;   // C[0..2] = +inf, −inf, NaN: their column group takes the exact steps
  };
  const Regime regimes[] = {
      // large sums with products from far below their binary32 ulp up to their binary16 ulp
      {"large sums, tiny products", "e4m3fn", -9, 3, "e5m2", -16, 2, 10, 15, false},
      // integers and halves: sums land exactly on binary16 / bfloat16 midpoints (2048 + 1, 256 + 1)
      {"midpoints", "e4m3fn", 0, 2, "e5m2", -1, 1, 8, 12, false},
      // sums near 65504: products up to ±448·28 carry many past 65520 into inf (binary16)
      {"near max", "e4m3fn", 4, 8, "e5m2", 2, 4, 15, 15, true},
      // binary16 subnormal sums: products 2^-32..2^-16 beside sums from 2^-24
      {"subnormal", "e4m3fn", -9, -6, "e5m2", -16, -10, -24, -15, false},
      // e4m3 × e4m3: 8-bit products, bfloat16's precision
      {"e4m3 x e4m3", "e4m3fn", -6, 6, "e4m3fn", -6, 6, -4, 8, false},
      // e5m2 × e5m2 across their whole range
      {"e5m2 x e5m2", "e5m2", -16, 15, "e5m2", -16, 15, -10, 10, false},
  };
  uint32_t seed = 80;
  for (const Regime& r : regimes)
    for (const char* format : {"binary16", "bfloat16"}) {
      const auto a = fp8_values(m * k, seed++, r.a_format, r.a_lo, r.a_hi, 5);
      const auto b = fp8_values(k * n, seed++, r.b_format, r.b_lo, r.b_hi);
      auto c0 = sums_near(m * n, seed++, format, r.c_lo, r.c_hi);
      if (r.specials) {
        c0[0] = std::numeric_limits<float>::infinity();
        c0[1] = -c0[0];
        c0[2] = std::numeric_limits<float>::quiet_NaN();
      }
      for (Rounding mode : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down})
        for (bool accumulate : {true, false})
          check_vector_path({Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, nullptr, n, accumulate}, c0,
                            {false, target(format, mode), 0},
                            std::string(r.what) + " " + format + " " + fpsim::to_string(mode) +
                                (accumulate ? " accumulate" : ""));
      // a saturating Target overflows to ±max, not inf: it keeps the exact step
      Accumulation saturating{false, target(format, Rounding::NearestEven), 0};
      saturating.target.overflow = fpsim::Overflow::Saturate;
      check_vector_path({Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, nullptr, n, true}, c0, saturating,
                        std::string(r.what) + " " + format + " rne saturating");
    }
}

TEST_CASE("emulated accumulation: products of more bits keep rne's exact step (the double rounding cases)",
          "[accumulate]") {
  // The one-fma step needs q ≤ pa and q + pa ≤ 22 (q: the operands' significant bits added, pa: the
  // Target's precision). Just past either bound y = fma(a, b, s) = p lands on a midpoint that s + p is beside:
  //   bfloat16, q = 5 + 4: p = 31·15 = 465 ties to 464; s + p = 465 + 2^-20 rounds to 466;
  //   bfloat16, q = 9 + 1: p = −389·2^12 ties to −388·2^12; s + p = p − 3/64 rounds to −390·2^12;
  //   binary16, q = 6 + 6: p = 63·63 = 3969 ties to 3968; s + p = 3969 + 2^-20 rounds to 3970.
  // The exact step must be taken (a single output: a ragged column group) on every ISA.
  struct Case {
    const char* format;
    float a, b, c, want;
  };
  const Case cases[] = {{"bfloat16", 31.0f, 15.0f, 0x1p-20f, 466.0f},
                        {"bfloat16", -389.0f, 4096.0f, -3.0f / 64, -390.0f * 4096},
                        {"binary16", 63.0f, 63.0f, 0x1p-20f, 3970.0f}};
  for (const Case& t : cases) {
    const Accumulation acc{false, target(t.format, Rounding::NearestEven), 0};
    for (auto isa : vector_isas()) {
      float c = t.c;
      fpsim::sim::gemm_emulated_vector({Trans::No, Trans::No, 1, 1, 1, &t.a, 1, &t.b, 1, &c, 1, true}, acc, isa);
      INFO(t.format << " " << t.a << " x " << t.b << " isa " << fpsim::simd::to_string(isa));
      CHECK(c == t.want);
    }
  }
}

TEST_CASE("emulated accumulation: rne into binary16/bfloat16 from binary32 products of any bits (round to odd by "
          "two fmas on AVX-512)", "[accumulate]") {
  // One step per output (K = 1, accumulate): c = RN_t(c0 + a·b), with a·b of up to 48 bits placed within a
  // few binary32 ulps of a midpoint M of the Target beside c0: b = fp32((M − c0)/a) and its neighbours. The
  // binary32 sum RN_24(c0 + a·b) then often is M itself, and rounding it again gives the wrong neighbour of
  // M; rounding to odd does not. Row i scales c0 and a by 2^(e_i), e_i from far below the Target's normal
  // range (subnormal sums) to its top (overflow to inf). Checked against the big-integer oracle (one
  // rounding of the exact sum) and gemm_reference, every ISA, 1 and 2 threads; on AVX-512 these Targets
  // take binary32 lanes for any products (rows_per_group 8).
  std::mt19937 gen(123);
  for (const char* format : {"binary16", "bfloat16"}) {
    const Target t = target(format, Rounding::NearestEven);
    const fpsim::Format& f = t.format;
    const int p = f.precision();
    const int lo = f.emin() - p - 2, hi = f.emax();  // row scales 2^e_i, e_i in [lo, hi]
    const int m = 8, n = 96;
    std::vector<int> e_rows(m);
    for (int i = 0; i < m; ++i) e_rows[i] = lo + (hi - lo) * i / (m - 1);
    std::vector<float> a(m), b(n), c0(static_cast<std::size_t>(m) * n);
    // per column: an unscaled Target value s in [1, 2) and a product near the midpoint above or below s + d
    std::uniform_int_distribution<int> fraction(0, (1 << (p - 1)) - 1), step(1, 40), nudge(-2, 2);
    for (int j = 0; j < n; ++j) {
      const double s = 1.0 + std::ldexp(fraction(gen), 1 - p);
      const double midpoint = s + std::ldexp(step(gen) + 0.5, 1 - p);  // a midpoint of the grid of [1, 2) or [2, 4)
      const double alpha = 1.0 + std::ldexp(1.0, -13) + std::ldexp(1.0, -21);  // a's significand: 22 bits
      b[j] = std::nextafter(static_cast<float>((midpoint - s) / alpha), 0.0f);
      for (int u = nudge(gen); u != 0; u += u > 0 ? -1 : 1) b[j] = std::nextafter(b[j], u > 0 ? 1e30f : -1e30f);
      for (int i = 0; i < m; ++i) c0[static_cast<std::size_t>(i) * n + j] = static_cast<float>(std::ldexp(s, e_rows[i]));
    }
    for (int i = 0; i < m; ++i) {
      a[i] = static_cast<float>(std::ldexp(1.0 + std::ldexp(1.0, -13) + std::ldexp(1.0, -21), e_rows[i]));
      if (i % 3 == 1) a[i] = -a[i];  // products opposing the sums: cancellation, down to exact zeros
    }
    // every starting sum a Target value (the scaled s may fall below its subnormal step: round them in)
    for (auto& v : c0) v = static_cast<float>(fpsim::decode(fpsim::encode(static_cast<double>(v), t, 0).bits, f));
    std::vector<float> want(c0.size());
    int double_roundings = 0;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        const std::size_t at = static_cast<std::size_t>(i) * n + j;
        const double x = static_cast<double>(a[i]) * b[j];  // exact: 24 + 24 bits
        const double sum = static_cast<double>(c0[at]) + x;
        // an exact cancellation (+0 in rne) is add_rounded's; every other sum the oracle's
        want[at] = static_cast<float>(sum == 0.0 ? fpsim::add_rounded(c0[at], x, t, 0) : oracle_add(c0[at], x, t, 0));
        const float once = std::fmaf(a[i], b[j], c0[at]);  // RN_24 of the exact sum, rounded again:
        const float twice = static_cast<float>(fpsim::decode(fpsim::encode(static_cast<double>(once), t, 0).bits, f));
        double_roundings += std::bit_cast<uint32_t>(twice) != std::bit_cast<uint32_t>(want[at]);
      }
    INFO(format << ": " << double_roundings << " outputs where rounding the binary32 sum again is wrong");
    CHECK(double_roundings >= m * n / 20);  // the test reaches the case the kernel exists for
    const Accumulation acc{false, t, 0};
    check_vector_path({Trans::No, Trans::No, m, n, 1, a.data(), 1, b.data(), n, nullptr, n, true}, c0, acc, format);
    for (auto isa : vector_isas())
      for (int threads : {1, 2}) {
        auto got = c0;
        fpsim::test::with_threads(threads, [&] {
          fpsim::sim::gemm_emulated_vector({Trans::No, Trans::No, m, n, 1, a.data(), 1, b.data(), n, got.data(), n, true},
                                           acc, isa);
        });
        INFO(format << " isa " << fpsim::simd::to_string(isa) << " threads " << threads);
        REQUIRE(fpsim::test::first_bit_difference(got, want) == -1);
      }
    // exact cancellations: 4.5 − 4.5 is +0 in rne (the kernel's RD fma alone would give −0); row 1's
    // 24-bit value keeps the products general (no one-fma step)
    {
      const float a2[] = {1.5f, -1.5f, 1.0f + 0x1p-23f, 0.5f}, b2[] = {3.0f, 3.0f};
      for (auto isa : vector_isas()) {
        float c2[] = {-0.0f, 7.0f};
        fpsim::sim::gemm_emulated_vector({Trans::No, Trans::No, 2, 1, 2, a2, 2, b2, 1, c2, 1, false}, acc, isa);
        INFO(format << " isa " << fpsim::simd::to_string(isa));
        CHECK(std::bit_cast<uint32_t>(c2[0]) == 0u);  // +0
      }
    }
    if (fpsim::simd::cpu_supports(fpsim::simd::Isa::Avx512))
      CHECK(fpsim::RoundedAccumulator(t, fpsim::simd::Isa::Avx512).rows_per_group(false) == 8);
    CHECK(fpsim::RoundedAccumulator(t, fpsim::simd::Isa::Portable).rows_per_group(false) == 4);
  }
}

TEST_CASE("emulated accumulation: binary16/bfloat16 with inf and NaN operands, and under a hostile MXCSR",
          "[accumulate]") {
  // NaN operands (quiet, all-ones payloads of both signs), ±inf, and inf·0 among ordinary values: the fma steps
  // (AVX-512) must not take such a GEMM (a NaN sum's bits would carry into the sign in bfloat16's integer
  // rounding and turn it into ±0), so every output equals gemm_reference's, NaN for NaN.
  const int m = 8, n = 37, k = 12;
  auto a = fpsim::test::wide_range(m * k, 90), b = fpsim::test::wide_range(k * n, 91);
  const auto c0 = fpsim::test::wide_range(m * n, 92);
  a[0 * k + 3] = std::bit_cast<float>(0x7fffffffu);
  a[2 * k + 5] = std::bit_cast<float>(0xffffffffu);
  a[4 * k + 1] = std::numeric_limits<float>::infinity();
  b[7 * n + 20] = std::bit_cast<float>(0x7f800001u);  // signalling
  b[1 * n + 4] = -std::numeric_limits<float>::infinity();
  b[1 * n + 30] = 0.0f;  // a[4][1] · b[1][30]: inf · 0
  for (const char* format : {"binary16", "bfloat16"})
    for (Rounding mode : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down})
      for (bool accumulate : {false, true})
        for (int chunk : {0, 5})  // chunks: partial sums that are inf or NaN reach the fold
          check_vector_path({Trans::No, Trans::No, m, n, k, a.data(), k, b.data(), n, nullptr, n, accumulate}, c0,
                            {false, target(format, mode), chunk},
                            std::string(format) + " " + fpsim::to_string(mode) + " specials, chunk " +
                                std::to_string(chunk));
#if defined(__x86_64__)
  // FTZ, DAZ and round-down set on the calling thread (one thread): tiny and subnormal products, whose
  // binary32 fma results are subnormal, still give the reference's bits (computed in the default environment).
  const float tiny[] = {0x1p-65f, -0x1p-65f, 0x1p-140f, 3e-39f, -0x1p-126f, 1.0f, 0x1p-20f, -0x1p-75f};
  std::vector<float> ta(m * k), tb(k * n);
  for (std::size_t i = 0; i < ta.size(); ++i) ta[i] = tiny[i % 8] * (i % 3 == 0 ? 1.0f : 0.75f);
  for (std::size_t i = 0; i < tb.size(); ++i) tb[i] = tiny[(i * 5 + 3) % 8] * (i % 2 == 0 ? 1.0f : 1.25f);
  const std::vector<float> zeros(m * n, 0.0f);
  for (const char* format : {"binary16", "bfloat16"})
    for (Rounding mode : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down}) {
      const Accumulation acc{false, target(format, mode), 0};
      std::vector<float> want = zeros;
      fpsim::sim::gemm_reference({Trans::No, Trans::No, m, n, k, ta.data(), k, tb.data(), n, want.data(), n}, acc);
      for (auto isa : vector_isas()) {
        std::vector<float> got = zeros;
        const unsigned saved = _mm_getcsr();
        _mm_setcsr((saved & ~0x6000u) | 0x2000u | 0x8040u);  // RC = down, FTZ, DAZ
        fpsim::test::with_threads(1, [&] {
          fpsim::sim::gemm_emulated_vector({Trans::No, Trans::No, m, n, k, ta.data(), k, tb.data(), n, got.data(), n},
                                           acc, isa);
        });
        const unsigned during = _mm_getcsr();
        _mm_setcsr(saved);
        INFO(format << " " << fpsim::to_string(mode) << " isa " << fpsim::simd::to_string(isa));
        CHECK((during & 0xE040u) == 0xA040u);  // the caller's environment is restored
        CHECK(fpsim::test::first_bit_difference(got, want) == -1);
      }
    }
#endif
}

TEST_CASE("emulated accumulation: a binary64 sum on a rounding boundary takes the exact step", "[accumulate]") {
  // Binary64 lanes round hi = RN53(s + x) directly unless hi is on a boundary of the Target (accumulate_simd.cpp,
  // StepDeterministic). Each case puts hi on one while s + x is just beside it (binary16, s = C):
  //   rne: 1 + 2^-10 + (1 + 2^-23)·2^-11·(1 − 2^-23) = 1 + 2^-10 + 2^-11 − 2^-57: hi is a midpoint, s + x
  //        rounds down to 1 + 2^-10 (hi alone ties to 1 + 2^-9);
  //   rtz: 1 + 2^-10 − (1 + 2^-23)·2^-57: hi = 1 + 2^-10 on the grid, s + x truncates to 1;
  //   odd: 1 + 2^-9 − (1 + 2^-23)·2^-57: hi = 1 + 2^-9 (even), s + x is inexact: 1 + 2^-10 (odd).
  // The operands' 24 + 24 or 24 + 1 significant bits keep the sums in binary64 lanes.
  struct Case {
    Rounding mode;
    float a, b, c, want;
  };
  const float up = 1.0f + 0x1p-23f, down = 0x1p-11f * (1.0f - 0x1p-23f);
  const Case cases[] = {{Rounding::NearestEven, up, down, 1.0f + 0x1p-10f, 1.0f + 0x1p-10f},
                        {Rounding::TowardZero, up, -0x1p-57f, 1.0f + 0x1p-10f, 1.0f},
                        {Rounding::Odd, up, -0x1p-57f, 1.0f + 0x1p-9f, 1.0f + 0x1p-10f}};
  for (const Case& t : cases) {
    const Accumulation acc{false, target("binary16", t.mode), 0};
    float want = t.c;
    fpsim::sim::gemm_reference({Trans::No, Trans::No, 1, 1, 1, &t.a, 1, &t.b, 1, &want, 1, true}, acc);
    CHECK(want == t.want);
    CHECK(fpsim::sim::binary32_product_bits({Trans::No, Trans::No, 1, 1, 1, &t.a, 1, &t.b, 1}) == 0);
    for (auto isa : vector_isas()) {
      float c = t.c;
      fpsim::sim::gemm_emulated_vector({Trans::No, Trans::No, 1, 1, 1, &t.a, 1, &t.b, 1, &c, 1, true}, acc, isa);
      INFO(fpsim::to_string(t.mode) << " isa " << fpsim::simd::to_string(isa));
      CHECK(c == t.want);
    }
  }
}

TEST_CASE("matrix-unit model: FP8 operands (binary32 lanes, integer sums) give the scalar model's bits",
          "[accumulate][matrix_unit]") {
  // Products exact in binary32 take the tile kernel's binary32 lanes (accumulate_simd.cpp, MatrixUnitFast):
  // cut by truncation, by rounding (frac_bits ≥ 21) or by the fma with C (frac_bits ≤ 20), summed in int32.
  // Operands: e4m3 × e5m2 over their whole range with zeros (products 2^-25 .. 2^24, all-zero groups), and
  // large e5m2 × e5m2 (up to 2^31.6: binary16 and e5m2 sums overflow). C, accumulated: ordinary values, −0,
  // a binary32 subnormal and 2^110 (outside the kernel's constants: that group takes binary64 lanes), inf
  // and NaN. Targets: binary32 (the total kept), binary16, bfloat16 and e5m2 (rounded in binary32 lanes;
  // tiny and overflowing sums in binary64), every deterministic mode. Groups 5, 32 and 1024 with K = 90
  // (the last group straddles K's end; 1024 · 2^26 leaves int32 with frac_bits 25: binary64 lanes),
  // frac_bits 3, 13, 20, 21 and 25, with and without promotion; every ISA, and 2 threads on the widest for
  // groups of 32 with 13 bits (each 2-thread call wakes a thread pool that then spins through the serial
  // reference).
  const int m = 9, n = 21, k = 90;
  struct Operands {
    std::vector<float> a, b;
  };
  const Operands operands[] = {
      {fp8_values(m * k, 80, "e4m3", -9, 7, 4), fp8_values(k * n, 81, "e5m2", -16, 15, 4)},
      {fp8_values(m * k, 82, "e5m2", 10, 15), fp8_values(k * n, 83, "e5m2", 10, 15)},
  };
  for (const Operands& o : operands)  // the binary32 lanes' condition
    REQUIRE(fpsim::sim::binary32_product_bits({Trans::No, Trans::No, m, n, k, o.a.data(), k, o.b.data(), n}) > 0);
  auto c0 = fpsim::test::uniform(m * n, 84, -4.0f, 4.0f);
  c0[0] = -0.0f;
  c0[1] = 0x1p-140f;
  c0[2] = 0x1p110f;
  c0[3] = std::numeric_limits<float>::infinity();
  c0[4] = std::numeric_limits<float>::quiet_NaN();
  int cases = 0;
  for (const Operands& o : operands)
    for (const char* format : {"binary32", "binary16", "bfloat16", "e5m2"})
      for (Rounding mode : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero, Rounding::Up,
                            Rounding::Down, Rounding::Odd})
        for (int group : {5, 32, 1024})
          for (int frac_bits : {3, 13, 20, 21, 25})
            for (bool truncate : {true, false}) {
              const int promote = (group + frac_bits + truncate) % 3 == 0 ? 2 * group : 0;
              Accumulation acc{false, target(format, mode), 0};
              acc.matrix_unit = {group, frac_bits, truncate, promote};
              const std::string what = std::string(format) + " " + fpsim::to_string(mode) + " group " +
                                       std::to_string(group) + " frac_bits " + std::to_string(frac_bits) +
                                       (truncate ? " truncate" : " round") + " promote " + std::to_string(promote) +
                                       " operands " + std::to_string(&o - operands);
              auto want = c0;
              fpsim::sim::gemm_reference({Trans::No, Trans::No, m, n, k, o.a.data(), k, o.b.data(), n, want.data(), n,
                                          true},
                                         acc);
              for (auto isa : vector_isas()) {
                const bool both = isa == vector_isas().back() && group == 32 && frac_bits == 13;
                for (int threads = 1; threads <= (both ? 2 : 1); ++threads) {
                  auto got = c0;
                  fpsim::test::with_threads(threads, [&] {
                    fpsim::sim::gemm_matrix_unit(
                        {Trans::No, Trans::No, m, n, k, o.a.data(), k, o.b.data(), n, got.data(), n, true}, acc, isa);
                  });
                  INFO(what << " isa " << fpsim::simd::to_string(isa) << " threads " << threads);
                  REQUIRE(fpsim::test::first_difference_nan_equal(got, want) == -1);
                }
              }
              ++cases;
            }
  CHECK(cases == 2 * 4 * 6 * 3 * 5 * 2);
}
