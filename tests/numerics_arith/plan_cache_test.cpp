// The scalar calls (add, sub, mul, div, sqrt, fma) run a cached ArithPlan per (operation, formats, Target):
// calls that alternate between targets differing in one field each must never share a plan, so every
// result is checked against fpsim::exact while the per-thread memo is churned round-robin, on one thread
// and on two at once. Equal keys share one plan, whatever the Format objects' names.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "numerics/arith/internal/plan_cache.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

struct Case {
  ArithOp op;
  Format f[3];
  Target t;
  std::string label;
};

// Targets that each differ from a base in one field, for every format and operation under test.
std::vector<Case> cases() {
  std::vector<Case> out;
  const char* names[] = {"binary16", "bfloat16", "binary32", "e4m3fn", "e5m2", "e4m3fnuz", "e2m1fn"};
  for (const char* name : names) {
    const Format f = parse_format(name);
    std::vector<std::pair<std::string, Target>> targets;
    Target base;
    base.format = f;
    targets.push_back({"rne", base});
    for (Rounding r : {Rounding::NearestAway, Rounding::TowardZero, Rounding::Up, Rounding::Down, Rounding::Odd,
                       Rounding::Truncate, Rounding::Stochastic}) {
      Target t = base;
      t.rounding = r;
      targets.push_back({"mode " + std::to_string(int(r)), t});
    }
    Target t = base;
    t.rounding = Rounding::Stochastic;
    t.sr_bits = 3;
    targets.push_back({"sr:3", t});
    t.sr_subnormal_nearest = true;
    targets.push_back({"sr:3 subnormal nearest", t});
    t = base;
    t.overflow = Overflow::Saturate;
    targets.push_back({"saturate", t});
    t.overflow = Overflow::NonSaturating;
    targets.push_back({"non-saturating", t});
    t = base;
    t.tininess = Tininess::BeforeRounding;
    targets.push_back({"tiny before", t});
    t = base;
    t.daz = true;
    targets.push_back({"daz", t});
    t = base;
    t.nan = NanPolicy::ArmDefault;
    targets.push_back({"arm nan", t});
    t.nan = NanPolicy::RiscV;
    targets.push_back({"riscv nan", t});
    t = base;
    t.format = parse_format(f.total_bits() <= 8 ? "binary16" : "e5m2");  // same operands, another target
    targets.push_back({"other target", t});
    for (const auto& [label, target] : targets)
      for (ArithOp op : kArithOps)
        out.push_back({op, {f, f, f}, target, std::string(name) + " " + to_string(op) + " " + label});
    // Mixed operand formats: the key must tell operand formats apart, not only the target's.
    const Format g = parse_format(f.total_bits() <= 8 ? "e5m2" : "bfloat16");
    out.push_back({ArithOp::Fma, {f, g, f}, base, std::string(name) + " fma mixed b"});
    out.push_back({ArithOp::Fma, {f, f, g}, base, std::string(name) + " fma mixed c"});
    out.push_back({ArithOp::Add, {g, f, f}, base, std::string(name) + " add mixed a"});
  }
  return out;
}

Rounded free_call(const Case& c, const Bits* x, uint64_t r) {
  switch (c.op) {
    case ArithOp::Add: return add(x[0], c.f[0], x[1], c.f[1], c.t, r);
    case ArithOp::Sub: return sub(x[0], c.f[0], x[1], c.f[1], c.t, r);
    case ArithOp::Mul: return mul(x[0], c.f[0], x[1], c.f[1], c.t, r);
    case ArithOp::Div: return div(x[0], c.f[0], x[1], c.f[1], c.t, r);
    case ArithOp::Sqrt: return sqrt(x[0], c.f[0], c.t, r);
    case ArithOp::Fma: return fma(x[0], c.f[0], x[1], c.f[1], x[2], c.f[2], c.t, r);
  }
  return {};
}

// Round-robin over every case, `rounds` times, each call on fresh edge/random operands; returns a
// description of the first mismatch (empty when there is none).
std::string run_round_robin(const std::vector<Case>& all, int rounds, uint64_t seed, size_t& calls) {
  test::OperandGen gen(seed);
  for (int round = 0; round < rounds; ++round)
    for (const Case& c : all) {
      const Bits x[3] = {gen.code(c.f[0]), gen.code(c.f[1]), gen.code(c.f[2])};
      const uint64_t r = gen.word();
      const Rounded got = free_call(c, x, r), want = exact::apply(c.op, x, c.f, c.t, r);
      ++calls;
      if (!(got == want))
        return c.label + ": operands " + std::to_string(x[0].v) + ", " + std::to_string(x[1].v) + ", " +
               std::to_string(x[2].v) + " gave " + std::to_string(got.bits.v) + "/" + std::to_string(got.flags) +
               ", exact " + std::to_string(want.bits.v) + "/" + std::to_string(want.flags);
    }
  return {};
}

TEST_CASE("scalar calls alternating between targets match fpsim::exact", "[plan_cache]") {
  const std::vector<Case> all = cases();
  size_t calls = 0;
  CHECK(run_round_robin(all, 300, 1, calls) == "");
  CHECK(calls == all.size() * 300);
}

// Calls that alternate between two cases of the same operation, for every such pair: each call's key differs from
// the thread's previous key in the fields that tell the two cases apart (sr_bits alone for sr against sr:3, the
// first operand's format alone for "add mixed a" against "add rne", one other operand format for the fma mixed
// cases), so each word of the inline check (recent_arith_plan) must catch its own difference. The round-robin
// above never puts such a pair next to each other.
TEST_CASE("scalar calls alternating between two keys that differ in one field match fpsim::exact", "[plan_cache]") {
  const std::vector<Case> all = cases();
  test::OperandGen gen(3);
  size_t pairs = 0, calls = 0;
  std::string failure;
  for (size_t i = 0; i < all.size() && failure.empty(); ++i)
    for (size_t j = i + 1; j < all.size() && failure.empty(); ++j) {
      if (all[i].op != all[j].op) continue;
      ++pairs;
      for (int k = 0; k < 16 && failure.empty(); ++k) {
        const Case& c = all[k % 2 == 0 ? i : j];
        const Bits x[3] = {gen.code(c.f[0]), gen.code(c.f[1]), gen.code(c.f[2])};
        const uint64_t r = gen.word();
        const Rounded got = free_call(c, x, r), want = exact::apply(c.op, x, c.f, c.t, r);
        ++calls;
        if (!(got == want))
          failure = c.label + " after " + all[k % 2 == 0 ? j : i].label + ": operands " + std::to_string(x[0].v) +
                    ", " + std::to_string(x[1].v) + ", " + std::to_string(x[2].v) + " gave " +
                    std::to_string(got.bits.v) + "/" + std::to_string(got.flags) + ", exact " +
                    std::to_string(want.bits.v) + "/" + std::to_string(want.flags);
      }
    }
  CHECK(failure == "");
  CHECK(pairs > 5000);
  CHECK(calls == pairs * 16);
}

TEST_CASE("scalar calls from two threads at once match fpsim::exact", "[plan_cache]") {
  const std::vector<Case> all = cases();
  std::string errors[2];
  size_t calls[2] = {0, 0};
  std::thread other([&] { errors[1] = run_round_robin(all, 100, 7, calls[1]); });
  errors[0] = run_round_robin(all, 100, 8, calls[0]);
  other.join();
  CHECK(errors[0] == "");
  CHECK(errors[1] == "");
  CHECK(calls[0] + calls[1] == 2 * all.size() * 100);
}

TEST_CASE("equal keys share one plan; a field's change gives another", "[plan_cache]") {
  const Format a = parse_format("binary16"), b = parse_format("fp16"), c = parse_format("e5m10");
  REQUIRE(a.name() != c.name());  // a preset and a custom spec of the same format
  const Target t{b};
  const ArithPlan* p = cached_arith_plan(ArithOp::Add, a, a, a, t);
  REQUIRE(p != nullptr);
  CHECK(cached_arith_plan(ArithOp::Add, b, b, b, Target{a}) == p);
  CHECK(cached_arith_plan(ArithOp::Add, c, c, c, Target{c}) == p);
  CHECK(cached_arith_plan(ArithOp::Add, a, a, parse_format("e5m2"), t) == p);  // fc is not an add operand
  CHECK(cached_arith_plan(ArithOp::Sub, a, a, a, t) != p);
  Target u = t;
  u.sr_bits = 5;  // plays no part in rne, yet stays in the key: cheaper than a rule per mode
  CHECK(cached_arith_plan(ArithOp::Add, a, a, a, u) != p);
  CHECK(std::string(p->path()) == cached_arith_plan(ArithOp::Add, a, a, a, t)->path());
}

}  // namespace
}  // namespace fpsim
