// Property-based checks over the whole format grammar. Formats are drawn as spec strings — exponent
// widths 1..11, every bias from the lowest to the highest legal value (negative ones included), every
// specials / signed / subnormal / zero combination, suffix (e4m3fnuz, e5m2b11) and option spellings —
// and each must:
//   1. be the format the string states: its parameters and limits equal an independent model of them
//      (max = (2^m + top mantissa) * 2^(top field - bias - m), min normal = 2^(first field - bias));
//   2. convert (binary64 -> format, format -> another drawn format) and compute add sub mul div sqrt fma
//      bit for bit and flag for flag as the MPFR oracle, in every deterministic mode and overflow policy;
//   3. round stochastically (sr and sr:K, negative values included) to one of the oracle's two
//      neighbours with the flags of that neighbour (underflow aside: tininess is not defined for sr),
//      rounding up with a frequency near the exact discarded fraction (sr) or that fraction truncated to K
//      bits (sr:K): within Bernstein's bound for the run's number of comparisons (deviation_bound).
// The default run draws a few hundred formats (seconds); [long] draws many thousands.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <string>

#include "cases.h"
#include "compare.h"
#include "numerics/arith/arith.h"
#include "numerics/reference/oracle.h"

namespace fpsim {
namespace {

using reference::Op;

// The parameters a drawn spec string states, kept apart from the parser that reads the string.
struct Drawn {
  std::string text;
  int e = 0, m = 0, bias = 0;
  Specials specials = Specials::Ieee;
  bool is_signed = true, subnormals = true, zero = true;
};

constexpr Specials kSpecials[] = {Specials::Ieee, Specials::Fn, Specials::Fnuz, Specials::Finite};

// The largest finite code's exponent field and mantissa: below the inf/NaN codes.
uint64_t top_field(int e, int m, Specials sp) {
  const uint64_t all_ones = (uint64_t{1} << e) - 1;
  return sp == Specials::Ieee || (sp == Specials::Fn && m == 0) ? all_ones - 1 : all_ones;
}
uint64_t top_mantissa(int m, Specials sp) {
  const uint64_t all_ones = (uint64_t{1} << m) - 1;
  return sp == Specials::Fn && m > 0 ? all_ones - 1 : all_ones;
}

// Draw one legal format. Legal biases: emax = top - bias <= 1023 and emin - m = first - bias - m >= -1074,
// so bias runs from top - 1023 to first + 1074 - m.
Drawn draw(test::SplitMix64& rng) {
  for (;;) {
    Drawn d;
    d.e = 1 + int(rng.below(11));
    d.m = int(rng.below(4) == 0 ? rng.below(53) : rng.below(12));
    d.specials = kSpecials[rng.below(4)];
    d.is_signed = d.specials == Specials::Fnuz || rng.below(3) != 0;
    d.zero = rng.below(5) != 0;
    d.subnormals = d.zero && rng.below(3) != 0;
    if (d.specials == Specials::Ieee && (d.m < 1 || d.e < 2)) continue;
    const int first = d.zero ? 1 : 0;
    const int64_t top = int64_t(top_field(d.e, d.m, d.specials));
    if (top < first) continue;  // no normal binade
    const int64_t lo = top - 1023, hi = first + 1074 - d.m;
    if (lo > hi) continue;
    const int def = (1 << (d.e - 1)) - 1 + (d.specials == Specials::Fnuz ? 1 : 0);
    const int64_t picks[] = {lo,  hi, -1, 0, def, lo + int64_t(rng.below(uint64_t(hi - lo + 1))),
                             def - 2 + int64_t(rng.below(5))};
    const int64_t b = picks[rng.below(7)];
    if (b < lo || b > hi) continue;
    d.bias = int(b);

    // Spell it: the suffix form or options, the bias as bN, bias=N or left out when it is the default.
    d.text = "e" + std::to_string(d.e) + "m" + std::to_string(d.m);
    const bool default_bias = d.bias == def && rng.below(2) == 0;
    if (!default_bias && d.bias >= 0 && rng.below(3) == 0) d.text += "b" + std::to_string(d.bias);
    else if (!default_bias) d.text += ",bias=" + std::to_string(d.bias);
    // A suffix form that spells a preset's name means the preset (e3m2fn is OCP FP6, whose specials are
    // "finite"), so the suffix is only used where it names no preset.
    const auto names_preset = [](const std::string& text) {
      for (const Preset& p : presets()) {
        if (p.name == text) return true;
        for (const std::string& alias : p.aliases)
          if (alias == text) return true;
      }
      return false;
    };
    const bool suffix_ok = d.text.find(',') == std::string::npos &&
                           !names_preset(d.text + to_string(d.specials)) && !names_preset(d.text + "fnu");
    bool sign_said = false;
    if (suffix_ok && d.specials == Specials::Fn && !d.is_signed && rng.below(2) == 0) {
      d.text += "fnu";
      sign_said = true;
    } else if (suffix_ok && (d.specials == Specials::Fn || d.specials == Specials::Fnuz) && rng.below(2) == 0) {
      d.text += to_string(d.specials);
    } else if (d.specials != Specials::Ieee || rng.below(2) == 0) {
      d.text += std::string(",") + to_string(d.specials);
    }
    if (!sign_said && (!d.is_signed || rng.below(2) == 0)) d.text += d.is_signed ? ",signed" : ",unsigned";
    if (!d.zero) d.text += ",nozero";
    if (!d.subnormals && (d.zero || rng.below(2) == 0)) d.text += ",nosub";
    if (d.subnormals && rng.below(3) == 0) d.text += ",sub";
    return d;
  }
}

// Item 1: the parsed format is the one the string states.
void check_parameters(const Drawn& d, const Format& f) {
  INFO(d.text);
  REQUIRE(f.exp_bits() == d.e);
  REQUIRE(f.man_bits() == d.m);
  REQUIRE(f.bias() == d.bias);
  REQUIRE(f.specials() == d.specials);
  REQUIRE(f.is_signed() == d.is_signed);
  REQUIRE(f.subnormals() == d.subnormals);
  REQUIRE(f.has_zero() == d.zero);
  const int first = d.zero ? 1 : 0;
  const int64_t top = int64_t(top_field(d.e, d.m, d.specials));
  const double max = std::ldexp(double((uint64_t{1} << d.m) + top_mantissa(d.m, d.specials)), int(top - d.bias - d.m));
  REQUIRE(f.max_value() == max);
  REQUIRE(reference::oracle_decode(f.max_code(), f).value == max);
  REQUIRE(f.min_normal() == std::ldexp(1.0, first - d.bias));
  REQUIRE(parse_format(f.to_string()) == f);
}

Target random_target(const Format& f, test::SplitMix64& rng) {
  Target t{f};
  t.rounding = test::kDeterministicModes[rng.below(6)];
  t.overflow = test::kOverflowPolicies[rng.below(3)];
  t.tininess = rng.below(2) ? Tininess::AfterRounding : Tininess::BeforeRounding;
  return t;
}

Bits random_code(const Format& f, test::SplitMix64& rng) {
  return Bits{f.total_bits() == 64 ? rng.next() : rng.next() & f.code_mask()};
}

// Item 2: conversions and every operation against the oracle.
void check_against_oracle(const Format& f, const Format& other, test::SplitMix64& rng, int samples,
                          test::MismatchLog& log) {
  std::vector<double> inputs = test::edge_doubles(f, 12);
  for (int i = 0; i < samples; ++i) inputs.push_back(test::random_in_range(f, rng));
  for (double x : inputs) {
    const Target t = random_target(f, rng);
    log.check_lazy(encode(x, t), reference::oracle_encode(x, t), f,
                   [&] { return "encode(" + std::to_string(x) + ") " + test::describe(t); });
  }
  for (int i = 0; i < samples; ++i) {
    const Bits a = random_code(f, rng);
    const Target t = random_target(other, rng);
    log.check_lazy(convert(a, f, t), reference::oracle_convert(a, f, t), other,
                   [&] { return "convert(" + test::hex(a, f) + " of " + f.to_string() + ") " + test::describe(t); });
  }
  const std::pair<ArithOp, Op> ops[] = {{ArithOp::Add, Op::Add}, {ArithOp::Sub, Op::Sub}, {ArithOp::Mul, Op::Mul},
                                        {ArithOp::Div, Op::Div}, {ArithOp::Sqrt, Op::Sqrt}, {ArithOp::Fma, Op::Fma}};
  for (const auto& [op, oracle] : ops)
    for (int i = 0; i < samples; ++i) {
      const Bits operands[3] = {random_code(f, rng), random_code(f, rng), random_code(f, rng)};
      const Format formats[3] = {f, f, f};
      const Target t = random_target(rng.below(2) ? f : other, rng);
      const size_t n = size_t(arity(op));
      log.check_lazy(apply(op, operands, formats, t), reference::oracle_op(oracle, {operands, n}, {formats, n}, t),
                     t.format, [&] {
                       std::string s = std::string(to_string(op)) + " of " + f.to_string() + ":";
                       for (size_t k = 0; k < n; ++k) s += " " + test::hex(operands[k], f);
                       return s + " " + test::describe(t);
                     });
    }
}

// The bound on |ups − n·p| for n draws of P(up) = p that a correct rounding exceeds with probability at most δ:
// Bernstein's inequality, P(|S − n·p| >= t) <= 2·exp(−t² / (2·n·p(1 − p) + 2t/3)), solved for t with
// L = ln(2/δ): t = L/3 + sqrt(L²/9 + 2·n·p(1 − p)·L) <= 2L/3 + sqrt(2·n·p(1 − p)·L). Unlike a bound in standard
// errors it holds for a p near 0 or 1, where one up among 2,000 draws is already many standard errors away. δ is
// 10^-3 shared among a run's comparisons, so that a correct rounding fails a whole run with probability at most
// 10^-3. A fixed 5σ did not: the [long] run's 400,000 comparisons expect 0.23 false alarms at 5σ in the normal
// approximation alone, and one came (5.1σ, an e2m7 subnormal whose P(up) 4 M further draws put within 0.0001 of the
// exact fraction). n = 2,000, p = 1/2: the default run allows 6.7 % (L = 15.4), the [long] run 7.8 % (L = 20.5).
double deviation_bound(int n, double p, double log_two_over_delta) {
  const double l = log_two_over_delta;
  return 2 * l / 3 + std::sqrt(2 * n * p * (1 - p) * l);
}

// Item 3: stochastic rounding of binary64 values and of operation results.
void check_stochastic(const Format& f, test::SplitMix64& rng, int samples, int draws, double log_two_over_delta,
                      test::MismatchLog& log) {
  for (int i = 0; i < samples; ++i) {
    Target t{f};
    t.rounding = Rounding::Stochastic;
    t.sr_bits = rng.below(2) ? 0 : 1 + int(rng.below(12));
    t.overflow = test::kOverflowPolicies[rng.below(3)];
    const double x = test::random_in_range(f, rng);
    Target down = t, up = t;
    down.rounding = Rounding::Down;
    up.rounding = Rounding::Up;
    const Rounded lo = reference::oracle_encode(x, down), hi = reference::oracle_encode(x, up);
    const auto no_uf = [](uint8_t flags) { return uint8_t(flags & ~flag::underflow); };
    int ups = 0;
    const int n = lo == hi ? 1 : draws;
    for (int k = 0; k < n; ++k) {
      const Rounded got = encode(x, t, rng.next());
      // Both neighbours may be one code with different flags (x above a finite format's max: down is max with
      // inexact, up overflows to max with overflow too); either pair is right.
      const Rounded& want = got.bits == hi.bits && no_uf(got.flags) == no_uf(hi.flags) ? hi : lo;
      log.check_lazy(Rounded{got.bits, no_uf(got.flags)}, Rounded{want.bits, no_uf(want.flags)}, f, [&] {
        return "encode(" + std::to_string(x) + ") " + test::describe(t) + "; neighbours " + test::describe(lo, f) +
               " " + test::describe(hi, f);
      });
      ups += got.bits == hi.bits && !(lo == hi);
    }
    // P(up) against the fraction of the gap between the two finite neighbours; x - lo is exact (Sterbenz:
    // lo <= x <= hi <= 2 lo, or lo = 0) and the gap is a power of two, so the fraction is exact.
    const reference::Decoded dl = reference::oracle_decode(lo.bits, f), dh = reference::oracle_decode(hi.bits, f);
    const bool finite = (dl.cls == Class::Normal || dl.cls == Class::Subnormal || dl.cls == Class::Zero) &&
                        (dh.cls == Class::Normal || dh.cls == Class::Subnormal || dh.cls == Class::Zero);
    if (lo == hi || !finite || (std::abs(x) < f.min_normal() && (!f.subnormals() || !f.has_zero()))) continue;
    const double gap = dh.value - dl.value;
    if (!(gap > 0) || gap != std::ldexp(1.0, std::ilogb(gap))) continue;
    // Away from zero is hi for positives and lo for negatives; `away` is the exact fraction toward it.
    const double away = x >= 0 ? (x - dl.value) / gap : (dh.value - x) / gap;
    const double p_away = t.sr_bits == 0 ? away : std::floor(std::ldexp(away, t.sr_bits)) / std::ldexp(1.0, t.sr_bits);
    const double p_hi = x >= 0 ? p_away : 1.0 - p_away;
    const double observed = double(ups) / draws;
    const double allowed = deviation_bound(draws, p_hi, log_two_over_delta) / draws;
    const bool ok = p_hi == 0 || p_hi == 1 ? observed == p_hi : std::abs(observed - p_hi) <= allowed + 1e-12;
    log.check_lazy(Rounded{Bits{ok ? 1u : 0u}, 0}, Rounded{Bits{1}, 0}, f, [&] {
      return "P(up) of " + std::to_string(x) + " " + test::describe(t) + ": observed " + std::to_string(observed) +
             ", expected " + std::to_string(p_hi) + " (bound " + std::to_string(allowed) + ")";
    });
  }
  // Operation results: one of the oracle's rdn / rup results.
  const ArithOp ops[] = {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Sqrt, ArithOp::Fma};
  const Op oracle_ops[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Sqrt, Op::Fma};
  for (int i = 0; i < samples; ++i) {
    const int which = int(rng.below(6));
    const Bits operands[3] = {random_code(f, rng), random_code(f, rng), random_code(f, rng)};
    const Format formats[3] = {f, f, f};
    Target t{f};
    t.rounding = Rounding::Stochastic;
    t.sr_bits = rng.below(2) ? 0 : 1 + int(rng.below(12));
    Target down = t, up = t;
    down.rounding = Rounding::Down;
    up.rounding = Rounding::Up;
    const size_t n = size_t(arity(ops[which]));
    const Rounded lo = reference::oracle_op(oracle_ops[which], {operands, n}, {formats, n}, down);
    const Rounded hi = reference::oracle_op(oracle_ops[which], {operands, n}, {formats, n}, up);
    const Rounded got = apply(ops[which], operands, formats, t, rng.next());
    const bool ok = got.bits == lo.bits || got.bits == hi.bits;
    log.check_lazy(Rounded{got.bits, 0}, Rounded{ok ? got.bits : lo.bits, 0}, f, [&] {
      std::string s = std::string(to_string(ops[which])) + " sr of " + f.to_string() + ":";
      for (size_t k = 0; k < n; ++k) s += " " + test::hex(operands[k], f);
      return s + " " + test::describe(t) + "; rdn " + test::describe(lo, f) + " rup " + test::describe(hi, f);
    });
  }
}

void run(int formats, int samples, int draws, uint64_t seed) {
  test::SplitMix64 rng{seed};
  const double log_two_over_delta = std::log(2 * double(formats) * samples / 1e-3);
  test::MismatchLog log;
  // Every specials / sign / subnormal / zero combination and every exponent width appears (checked below).
  std::set<std::string> kinds;
  std::set<int> widths;
  int negative_biases = 0;
  Format previous = parse_format("binary16");
  for (int i = 0; i < formats; ++i) {
    const Drawn d = draw(rng);
    Format f;
    try {
      f = parse_format(d.text);
    } catch (const FormatError& e) {
      FAIL(d.text << ": " << e.what());
    }
    check_parameters(d, f);
    check_against_oracle(f, previous, rng, samples, log);
    check_stochastic(f, rng, samples, draws, log_two_over_delta, log);
    kinds.insert(std::string(to_string(d.specials)) + (d.is_signed ? "s" : "u") + (d.subnormals ? "S" : "n") +
                 (d.zero ? "Z" : "z"));
    widths.insert(d.e);
    negative_biases += d.bias < 0;
    previous = f;
  }
  test::require_no_mismatches(log, size_t(formats) * size_t(samples));
  CHECK(widths.size() == 11);
  CHECK(negative_biases > 0);
  // 4 specials x signed/unsigned x sub/nosub x zero/nozero, minus unsigned fnuz and zero-less subnormals.
  CHECK(kinds.size() >= 20);
}

TEST_CASE("every format the grammar can state is the one stated, and rounds as the oracle", "[random_format]") {
  run(400, 6, 400, 20261206);
}

TEST_CASE("every format the grammar can state (many thousands drawn)", "[random_format][long]") {
  run(20000, 20, 2000, 1);
}

TEST_CASE("a legal bias is never replaced by the default", "[random_format]") {
  // bias -1 used to mean "not given". e4m3 (ieee): largest finite code 0.1110.111, so with bias -1
  // max = 1.875 * 2^(14 - (-1)) = 61440 (with the default bias 7: 1.875 * 2^7 = 240).
  CHECK(parse_format("e4m3,bias=-1").max_value() == 61440.0);
  CHECK(parse_format("e4m3,bias=-1").bias() == -1);
  // e1m7,finite,bias=-1: the smallest normal is 2^(1 - (-1)) = 4.
  CHECK(parse_format("e1m7,finite,bias=-1").min_normal() == 4.0);
  CHECK(parse_format("e4m3fnuz,bias=-1").bias() == -1);
}

TEST_CASE("eXmY is always the generic format and contradicting options are rejected", "[random_format]") {
  // e8m0 is not the e8m0fnu preset: the generic E8M0 needs its specials stated (ieee needs a mantissa bit).
  CHECK_THROWS_WITH(parse_format("e8m0"), Catch::Contains("specials = ieee needs man_bits >= 1"));
  const Format generic = parse_format("e8m0,signed,fnuz,bias=127");
  CHECK(generic.has_zero());
  CHECK(generic.subnormals());
  CHECK(generic.is_signed());
  CHECK(generic.bias() == 127);
  CHECK(parse_format("e8m0,fn,unsigned").has_zero());
  CHECK(parse_format("e8m0,fn,unsigned,nozero") == parse_format("e8m0fnu"));
  CHECK_THROWS_WITH(parse_format("e4m3,fn,fnuz"),
                    "conflicting options in format \"e4m3,fn,fnuz\": specials is both fn and fnuz");
  CHECK_THROWS_WITH(parse_format("e6m9fn,fnuz"),
                    "conflicting options in format \"e6m9fn,fnuz\": specials is both fn and fnuz");
  CHECK_THROWS_WITH(parse_format("e4m3b11,bias=3"),
                    "conflicting options in format \"e4m3b11,bias=3\": bias is both 11 and 3");
  CHECK_THROWS_WITH(parse_format("e5m2,unsigned,signed"),
                    "conflicting options in format \"e5m2,unsigned,signed\": sign is both unsigned and signed");
  CHECK_THROWS_WITH(parse_format("e5m2,nosub,sub"),
                    "conflicting options in format \"e5m2,nosub,sub\": subnormals is both off and on");
  CHECK_THROWS_WITH(parse_format("e4m3fnu,signed"),
                    "conflicting options in format \"e4m3fnu,signed\": sign is both unsigned and signed");
  // A preset is a base that options change (documented), and a repeated equal option is not a conflict.
  CHECK(parse_format("binary16,bias=13").bias() == 13);
  CHECK(parse_format("e4m3,fnuz,fnuz").bias() == 8);
  CHECK(parse_format("e4m3fnuz,ieee").bias() == 7);
}

}  // namespace
}  // namespace fpsim
