// The first-use tables (rounding tables, op tables) count against one process-wide budget
// (numerics/core/internal/table_budget.h). Checked: a new table reserves its bytes once; a rounding table too large to
// build is declined whatever the budget; and once the budget is spent, scalar calls, plans and array calls on formats
// not seen before still give fpsim::exact's bits and flags, by their table-free paths.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/arith/arith_plan.h"
#include "numerics/core/internal/table_budget.h"
#include "numerics/fast/fast_arrays.h"
#include "numerics/fast/internal/fast_rounding_table.h"
#include "numerics/fast/internal/op_tables.h"
#include "operand_gen.h"

namespace fpsim {
namespace {

// Restores the budget's limit when a test ends, failed or not.
struct BudgetLimit {
  size_t previous;
  explicit BudgetLimit(size_t bytes) : previous(limit_table_budget(bytes)) {}
  ~BudgetLimit() { limit_table_budget(previous); }
};

// Every (a, b) code pair of an 8-bit format by plan, free call and array call, against the exact path.
size_t mismatches_every_pair(ArithOp op, const Format& f, const Target& t) {
  const ArithPlan plan(op, f, t);
  std::vector<uint32_t> a, b, out(65536);
  for (uint32_t x = 0; x < 256; ++x)
    for (uint32_t y = 0; y < 256; ++y) a.push_back(x), b.push_back(y);
  const uint8_t array_flags = apply_array(op, a, f, b, f, b, f, out, t, nullptr, 0);
  uint8_t want_flags = 0;
  size_t bad = 0;
  const Format formats[3] = {f, f, f};
  for (size_t i = 0; i < a.size(); ++i) {
    const Bits x[3] = {Bits{a[i]}, Bits{b[i]}, Bits{b[i]}};
    const Rounded want = exact::apply(op, x, formats, t, 0);
    want_flags |= want.flags;
    bad += plan(x[0], x[1]) != want;
    bad += apply(op, x, formats, t, 0) != want;
    bad += Bits{out[i]} != want.bits;
  }
  return bad + (array_flags != want_flags);
}

TEST_CASE("a new first-use table reserves its bytes once", "[budget]") {
  const Format f = parse_format("e3m4,bias=5");  // used by no other test
  const Target t{f};
  const size_t before = reserved_table_bytes();
  REQUIRE(op_table(ArithOp::Sub, f, f, t) != nullptr);
  CHECK(reserved_table_bytes() - before == (65536 + 1) * sizeof(uint16_t));
  REQUIRE(op_table(ArithOp::Sub, f, f, t) != nullptr);
  CHECK(reserved_table_bytes() - before == (65536 + 1) * sizeof(uint16_t));
}

TEST_CASE("a rounding table of more than 2^22 entries is never built", "[budget]") {
  // binary16: 43 binades (2^-26 .. 2^16) × 2^12 × sign × sticky = 352,256 entries; tf32 267 binades: 2,187,264.
  CHECK(RoundingTable::entries_for(Target{parse_format("binary16")}) == 352256);
  CHECK(rounding_table_applies(Target{parse_format("binary16")}));
  CHECK(rounding_table_applies(Target{parse_format("bfloat16")}));
  CHECK(rounding_table_applies(Target{parse_format("tf32")}));
  // e10m11: 12 bits of precision over 2^-523 .. 2^512, 1,036 binades: 16,973,824 entries.
  const Format wide = parse_format("e10m11");
  CHECK(RoundingTable::entries_for(Target{wide}) == 16973824);
  CHECK_FALSE(rounding_table_applies(Target{wide}));
  CHECK(rounding_table(Target{wide}) == nullptr);
  // Its arithmetic takes round_pack instead, with the same results.
  test::OperandGen gen(5);
  const ArithPlan add(ArithOp::Add, wide, Target{wide});
  size_t bad = 0;
  for (int i = 0; i < 20000; ++i) {
    const Bits a = gen.code(wide), b = gen.code(wide);
    bad += add(a, b) != exact::add(a, wide, b, wide, Target{wide});
  }
  CHECK(bad == 0);
}

TEST_CASE("once the budget is spent, new formats take the table-free paths with the same results", "[budget]") {
  const BudgetLimit spent(reserved_table_bytes());  // no further table fits
  const Format f = parse_format("e4m3,bias=9");     // an 8-bit format no other test uses
  Target t{f};
  t.rounding = Rounding::TowardZero;
  CHECK(op_table(ArithOp::Mul, f, f, t) == nullptr);
  CHECK(std::string(ArithPlan(ArithOp::Mul, f, t).path()) != "table");
  CHECK(std::string(array_path(ArithOp::Mul, f, f, f, t)) != "table");
  CHECK(mismatches_every_pair(ArithOp::Mul, f, t) == 0);
  CHECK(mismatches_every_pair(ArithOp::Add, f, t) == 0);
  // A rounding table for a new narrow target is declined too; an fma into it (rounded through its table before)
  // still equals the exact path.
  const Format g = parse_format("e5m6,bias=20");
  CHECK(rounding_table(Target{g}) == nullptr);
  test::OperandGen gen(9);
  const ArithPlan fma(ArithOp::Fma, g, Target{g});
  size_t bad = 0;
  for (int i = 0; i < 20000; ++i) {
    const Bits a = gen.code(g), b = gen.code(g), c = gen.code(g);
    bad += fma(a, b, c) != exact::fma(a, g, b, g, c, g, Target{g});
  }
  CHECK(bad == 0);
}

}  // namespace
}  // namespace fpsim
