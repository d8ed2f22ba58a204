// The arithmetic against the independent MPFR oracle (numerics/reference/oracle.h): exhaustive over
// every operand pair of the 8-bit presets, and random + edge-pattern cases for binary16, bfloat16,
// tf32, binary32, binary64, random custom formats and mixed-format fma. The default run checks a
// sample of each; the [long] cases are the full sweeps.
#include <catch2/catch.hpp>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/reference/oracle.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

const std::vector<std::string> eight_bit_presets = {"e5m2",         "e4m3fn",       "e4m3fnuz",     "e5m2fnuz",
                                                    "e4m3b11fnuz",  "e4m3",         "e3m4",         "p3109_k8p3se",
                                                    "p3109_k8p4sf", "p3109_k8p4ue", "p3109_k8p1se"};
const Rounding modes[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero,
                          Rounding::Up,          Rounding::Down,        Rounding::Odd};
const ArithOp all_ops[] = {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Sqrt, ArithOp::Fma};

reference::Op oracle_op_of(ArithOp op) { return static_cast<reference::Op>(op); }
static_assert(int(reference::Op::Fma) == int(ArithOp::Fma) && int(reference::Op::Sqrt) == int(ArithOp::Sqrt));

// Fixed-width hex of a code, for mismatch messages.
std::string hex(Bits b, const Format& f) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (int k = (f.total_bits() + 3) / 4 - 1; k >= 0; --k) out += digits[(b.v >> (4 * k)) & 0xf];
  return out;
}

struct Tally {
  size_t cases = 0, mismatches = 0;
};

// Compare one case; describe the first few mismatches.
void compare(ArithOp op, const Bits* x, const Format* f, const Target& t, Tally& tally) {
  ++tally.cases;
  const int n = arity(op);
  const Rounded got = apply(op, x, f, t);
  const Rounded want = reference::oracle_op(oracle_op_of(op), std::span<const Bits>(x, n), std::span<const Format>(f, n), t);
  if (got == want) return;
  if (tally.mismatches++ < 5) {
    std::string text = std::string(to_string(op)) + " " + to_string(t.rounding) + " " + to_string(t.overflow) + " " +
                       to_string(t.tininess) + " ->" + t.format.to_string() + ":";
    for (int i = 0; i < n; ++i) text += " " + f[i].to_string() + ":" + hex(x[i], f[i]);
    text += " want " + hex(want.bits, t.format) + "/" + std::to_string(want.flags) + " got " +
            hex(got.bits, t.format) + "/" + std::to_string(got.flags);
    UNSCOPED_INFO(text);
  }
}

// Every operand pair (or every code for sqrt) of an 8-bit format; `stride` > 1 samples every stride-th.
void sweep_pairs(const Format& f, ArithOp op, const Target& t, int stride, Tally& tally) {
  const Format fs[2] = {f, f};
  const int n = 1 << f.total_bits();
  const int pairs = op == ArithOp::Sqrt ? n : n * n;
  for (int i = 0; i < pairs; i += (op == ArithOp::Sqrt ? 1 : stride)) {
    const Bits x[2] = {Bits{uint64_t(i % n)}, Bits{uint64_t(i / n % n)}};
    compare(op, x, fs, t, tally);
  }
}

void eight_bit_sweep(int stride) {
  Tally tally;
  for (const std::string& name : eight_bit_presets) {
    const Format f = parse_format(name);
    for (ArithOp op : {ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div, ArithOp::Sqrt})
      for (Rounding r : modes) {
        Target t;
        t.format = f;
        t.rounding = r;
        sweep_pairs(f, op, t, stride, tally);
      }
  }
  INFO(tally.cases << " cases");
  CHECK(tally.mismatches == 0);
}

TEST_CASE("8-bit presets match the oracle on a sample of operand pairs in all six modes", "[oracle]") {
  eight_bit_sweep(61);
}

TEST_CASE("8-bit presets match the oracle on all 65536 operand pairs in all six modes", "[oracle][long]") {
  eight_bit_sweep(1);
}

// A random target for a case: the result format, mode, overflow policy, tininess and (rarely) daz.
Target random_target(const Format& f, test::OperandGen& gen) {
  Target t;
  t.format = f;
  t.rounding = modes[gen.word() % 6];
  t.overflow = gen.word() % 4 == 0 ? Overflow::Saturate : Overflow::Ieee;
  t.tininess = gen.word() % 2 ? Tininess::BeforeRounding : Tininess::AfterRounding;
  t.daz = gen.word() % 16 == 0;
  return t;
}

// n cases of op with every operand and the result in format f (mixed = operands from `others` too).
void random_cases(ArithOp op, const Format& f, const std::vector<Format>& others, size_t n, uint64_t seed,
                  Tally& tally) {
  test::OperandGen gen(seed);
  for (size_t i = 0; i < n; ++i) {
    Format fs[3] = {f, f, f};
    if (!others.empty() && i % 4 == 3)
      for (Format& g : fs) g = others[gen.word() % others.size()];
    Bits x[3];
    for (int k = 0; k < 3; ++k) x[k] = gen.code(fs[k]);
    compare(op, x, fs, random_target(f, gen), tally);
  }
}

// 20 custom formats with random widths, biases, subnormal and special options (plus e6m9 and e3m1).
std::vector<Format> custom_formats() {
  std::vector<Format> out = {parse_format("e6m9"), parse_format("e3m1")};
  test::OperandGen gen(2024);
  const Specials specials[] = {Specials::Ieee, Specials::Fn, Specials::Fnuz, Specials::Finite};
  while (out.size() < 20) {
    FormatSpec s;
    s.exp_bits = 2 + int(gen.word() % 10);
    s.man_bits = 1 + int(gen.word() % 30);
    s.specials = specials[gen.word() % 4];
    const int default_bias = (1 << (s.exp_bits - 1)) - 1;
    s.bias = default_bias + int(gen.word() % 9) - 4;
    s.subnormals = gen.word() % 3 != 0;
    try {
      out.push_back(Format(s));
    } catch (const FormatError&) {
    }
  }
  return out;
}

void standard_sweep(size_t per_op_and_format) {
  const std::vector<Format> standard = {parse_format("binary16"), parse_format("bfloat16"), parse_format("tf32"),
                                        parse_format("binary32"), parse_format("binary64")};
  Tally tally;
  uint64_t seed = 1;
  for (const Format& f : standard)
    for (ArithOp op : all_ops) random_cases(op, f, standard, per_op_and_format, seed++, tally);
  const std::vector<Format> custom = custom_formats();
  for (const Format& f : custom)
    for (ArithOp op : all_ops) random_cases(op, f, custom, per_op_and_format / 20 + 1, seed++, tally);
  INFO(tally.cases << " cases");
  CHECK(tally.mismatches == 0);
}

TEST_CASE("binary16, bfloat16, tf32, binary32, binary64 and custom formats match the oracle (sample)", "[oracle]") {
  standard_sweep(4000);
}

TEST_CASE("binary16 ... binary64 and 20 custom formats match the oracle on 1M cases per op and format",
          "[oracle][long]") {
  standard_sweep(1000000);
}

void mixed_fma(size_t n) {
  // An FP8 GEMM step: e5m2 / e4m3fn products accumulated into binary32 (and bfloat16, binary16).
  const Format e5m2 = parse_format("e5m2"), e4m3fn = parse_format("e4m3fn"), f32 = parse_format("binary32");
  const std::vector<Format> results = {f32, parse_format("bfloat16"), parse_format("binary16")};
  test::OperandGen gen(99);
  Tally tally;
  for (size_t i = 0; i < n; ++i) {
    const Format fs[3] = {i % 2 ? e5m2 : e4m3fn, i % 3 ? e5m2 : e4m3fn, results[i % 3]};
    const Bits x[3] = {gen.code(fs[0]), gen.code(fs[1]), gen.code(fs[2])};
    compare(ArithOp::Fma, x, fs, random_target(results[(i / 3) % 3], gen), tally);
  }
  INFO(tally.cases << " cases");
  CHECK(tally.mismatches == 0);
}

TEST_CASE("fma with e5m2/e4m3fn products and wider accumulators matches the oracle (sample)", "[oracle]") {
  mixed_fma(20000);
}

TEST_CASE("fma with mixed-format operands matches the oracle on 1M cases", "[oracle][long]") { mixed_fma(1000000); }

}  // namespace
}  // namespace fpsim
