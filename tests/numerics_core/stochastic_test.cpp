// Stochastic rounding: every result is one of the two neighbours the oracle gives (toward zero and
// away from zero); the mean over many draws is the input within 6 standard errors; sr:K rounds up
// with probability exactly floor(f * 2^K) / 2^K (f = the discarded fraction), shown by enumerating
// all 2^K random prefixes; exact-probability sr compares the whole 64-bit word with the fraction.
#include <catch2/catch.hpp>
#include <cmath>

#include "cases.h"
#include "compare.h"
#include "numerics/core/random.h"
#include "numerics/reference/oracle.h"

namespace fpsim {
namespace {

Target with(const Format& f, Rounding r, Overflow o = Overflow::Ieee) {
  Target t{f};
  t.rounding = r;
  t.overflow = o;
  return t;
}

// The neighbours of x in t's format: toward zero and away from zero (rup for x > 0, rdn for x < 0).
std::pair<Rounded, Rounded> neighbours(double x, Target t) {
  t.rounding = Rounding::TowardZero;
  const Rounded toward = reference::oracle_encode(x, t);
  t.rounding = std::signbit(x) ? Rounding::Down : Rounding::Up;
  return {toward, reference::oracle_encode(x, t)};
}

std::vector<Format> sr_formats() {
  std::vector<Format> out = test::all_presets();
  for (const Format& f : test::custom_formats(24, 20240607)) out.push_back(f);
  return out;
}

TEST_CASE("every stochastic result is one of the two neighbours", "[sr]") {
  test::MismatchLog log;
  test::SplitMix64 rng{7};
  for (const Format& f : sr_formats())
    for (int k : {0, 1, 3, 8, 13})
      for (Overflow o : test::kOverflowPolicies) {
        Target t = with(f, Rounding::Stochastic, o);
        t.sr_bits = k;
        for (double x : test::edge_doubles(f, 24)) {
          const uint64_t r = rng.next();
          const Rounded got = encode(x, t, r);
          const auto [toward, away] = neighbours(x, t);
          // Tininess is not defined for sr, so the underflow flag is not compared; inexact is, against
          // the oracle's (both neighbours agree on it: inexact iff x is not a value of the format).
          const bool neighbour = got.bits == toward.bits || got.bits == away.bits;
          const uint8_t inexact = toward.flags & flag::inexact;
          log.check_lazy(Rounded{got.bits, static_cast<uint8_t>(got.flags & flag::inexact)},
                         Rounded{neighbour ? got.bits : toward.bits, inexact}, f, [&] {
            return "encode(" + std::to_string(x) + ") " + test::describe(t) + " random " + std::to_string(r) +
                   " gave flags " + std::to_string(got.flags) + "; neighbours " + test::describe(toward, f) + " " +
                   test::describe(away, f);
          });
        }
      }
  test::require_no_mismatches(log, 10000);
}

TEST_CASE("sr with nearest in the subnormal range rounds subnormal results to nearest even", "[sr]") {
  test::MismatchLog log;
  test::SplitMix64 rng{11};
  for (const Format& f : sr_formats()) {
    if (!f.subnormals()) continue;
    Target t = with(f, Rounding::Stochastic);
    t.sr_subnormal_nearest = true;
    for (double x : test::edge_doubles(f, 24)) {
      if (!(std::fabs(x) < f.min_normal() / 2)) continue;  // surely in the subnormal range
      const Rounded want = reference::oracle_encode(x, with(f, Rounding::NearestEven));
      log.check(encode(x, t, rng.next()), want, f, "encode(" + std::to_string(x) + ") " + test::describe(t));
    }
  }
  test::require_no_mismatches(log, 500);
}

TEST_CASE("stochastic rounding is unbiased: the mean of sr(x) is x within 6 standard errors", "[sr]") {
  // With N draws, mean(sr(x)) has standard error ulp * sqrt(f (1 - f) / N) around x, where
  // ulp = away - toward and f = (x - toward) / ulp. |mean - x| > 6 SE has probability < 2e-9.
  constexpr int kDraws = 4000;
  test::SplitMix64 pick{3};
  int checked = 0;
  for (const char* name : {"e5m2", "e4m3fn", "e2m1fn", "bfloat16", "e3m4"}) {
    const Format f = parse_format(name);
    const Target t = with(f, Rounding::Stochastic);
    for (int i = 0; i < 12; ++i) {
      // Normal range and subnormal range (i odd), away from overflow.
      double x = test::random_in_range(f, pick);
      if (!(std::fabs(x) < f.max_value() / 2)) continue;
      if (i % 2) x = f.min_subnormal() * 3.3 * (1.0 + static_cast<double>(pick.next() >> 11) * 0x1p-53);
      const auto [toward, away] = neighbours(x, t);
      const double lo = decode(toward.bits, f), hi = decode(away.bits, f);
      if (lo == hi) continue;  // x is a value of f
      const double ulp = std::fabs(hi - lo), frac = std::fabs(x - lo) / ulp;
      const RandomStream stream(2024, static_cast<uint64_t>(i));
      double sum = 0;
      for (int n = 0; n < kDraws; ++n) sum += decode(encode(x, t, stream.bits(n)).bits, f);
      const double mean = sum / kDraws;
      const double se = ulp * std::sqrt(frac * (1 - frac) / kDraws);
      INFO(name << " x = " << x << " neighbours " << lo << ", " << hi << " mean " << mean << " SE " << se);
      CHECK(std::fabs(mean - x) <= 6 * se + 1e-12 * ulp);
      ++checked;
    }
  }
  CHECK(checked >= 40);
}

TEST_CASE("sr:K rounds up for exactly floor(f * 2^K) of the 2^K random prefixes", "[sr]") {
  test::SplitMix64 rng{5};
  int checked = 0;
  for (const char* name : {"e5m2", "e4m3fn", "e4m3fnuz", "binary16", "e2m3fn", "e3m2,nosub"}) {
    const Format f = parse_format(name);
    for (int i = 0; i < 40; ++i) {
      const double x = static_cast<double>(static_cast<float>(test::random_in_range(f, rng)));
      if (!(std::fabs(x) < f.max_value() / 2)) continue;
      const auto [toward, away] = neighbours(x, Target{f});
      const double lo = decode(toward.bits, f), hi = decode(away.bits, f);
      if (lo == hi) continue;
      if (!f.subnormals() && std::fabs(x) < f.min_normal()) continue;  // flushed, not rounded
      // f = (x - lo) / (hi - lo) is exact: x - lo is x's discarded low bits, hi - lo a power of two.
      const double frac = (x - lo) / (hi - lo);
      for (int k = 1; k <= 10; ++k) {
        Target t = with(f, Rounding::Stochastic);
        t.sr_bits = k;
        int ups = 0, strangers = 0;
        for (uint64_t prefix = 0; prefix < (uint64_t{1} << k); ++prefix) {
          const uint64_t noise = rng.next() >> k;  // bits below the prefix must not matter
          const Rounded r = encode(x, t, (prefix << (64 - k)) | noise);
          strangers += r.bits != toward.bits && r.bits != away.bits;
          ups += r.bits == away.bits;
        }
        INFO(name << " x = " << x << " f = " << frac << " K = " << k);
        CHECK(strangers == 0);
        CHECK(ups == static_cast<int>(std::floor(std::ldexp(frac, k))));
        ++checked;
      }
    }
  }
  CHECK(checked >= 1000);
}

TEST_CASE("exact-probability sr rounds up iff the random word is below the fraction", "[sr]") {
  // x = 1 + 5/8 * 2^-2 in e5m2 (ulp 2^-2 at 1): f = 5/8 = 0xA000… / 2^64, no sticky.
  const Format f = parse_format("e5m2");
  const Target t = with(f, Rounding::Stochastic);
  const double x = 1.0 + 0.625 * 0.25;
  const uint64_t threshold = 0xA000000000000000ull;
  CHECK(encode(x, t, threshold - 1).bits == Bits{0x3d});  // up: 1.25
  CHECK(encode(x, t, threshold).bits == Bits{0x3c});      // down: 1.0
  CHECK(encode(x, t, 0).bits == Bits{0x3d});
  CHECK(encode(x, t, ~uint64_t{0}).bits == Bits{0x3c});
}

}  // namespace
}  // namespace fpsim
