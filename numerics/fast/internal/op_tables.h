#pragma once
// Result tables for formats of 8 bits or fewer: every (a, b) operand pair of an operation and
// deterministic target, precomputed from the exact path (fpsim::exact) on first use.
//
// A table holds 65,536 entries of 16 bits (code | flags << 8), 128 KiB; it is exact by
// construction, because each entry IS the exact path's result for that operand pair. Tables are
// built once per (operation, operand formats, target) under a mutex and never freed, so the
// pointers stay valid and lookups need no lock; they count against the first-use tables' budget
// (core/internal/table_budget.h). Stochastic rounding (which depends on the random
// word) and fma (2^24 operand triples) have no tables.
#include <cstdint>
#include <vector>

#include "numerics/arith/arith.h"

namespace fpsim {

/// All results of one operation for one pair of <= 8-bit operand formats and one target.
class OpTable {
 public:
  /// Example: op_table(ArithOp::Add, e5m2, e5m2, t)->lookup({0x3c}, {0x3c}) == add({0x3c}, e5m2, {0x3c}, e5m2, t).
  Rounded lookup(Bits a, Bits b) const {
    const uint16_t e = entries_[((a.v & 0xff) << 8) | (b.v & 0xff)];
    return {Bits{e & 0xffu}, static_cast<uint8_t>(e >> 8)};
  }
  /// The raw entries, index a * 256 + b (sqrt: a * 256), value code | flags << 8: for array loops.
  /// One zero entry follows the last, so a 32-bit load at any entry stays in bounds.
  const uint16_t* entries() const { return entries_.data(); }

  /// Fill every entry from the exact path. Example: OpTable t(ArithOp::Mul, e4m3fn, e4m3fn, target).
  OpTable(ArithOp op, const Format& fa, const Format& fb, const Target& t);

 private:
  std::vector<uint16_t> entries_;
};

/// Whether a table can serve this operation: not fma, operand and result formats of <= 8 bits, and a
/// deterministic rounding mode. Example: op_table_applies(ArithOp::Add, e5m2, e5m2, Target{e5m2}) is true.
bool op_table_applies(ArithOp op, const Format& fa, const Format& fb, const Target& t);

/// The table for (op, fa, fb, t), built on first use (thread-safe); nullptr when none applies or the first-use
/// tables' budget is spent (core/internal/table_budget.h).
/// For sqrt pass fb = fa. Example: op_table(ArithOp::Div, e4m3fn, e4m3fn, Target{e4m3fn}).
const OpTable* op_table(ArithOp op, const Format& fa, const Format& fb, const Target& t);

/// op_table with a per-thread memo of the last table used, so repeated scalar calls skip the lock.
/// Example: cached_op_table(ArithOp::Add, binary16, binary16, t) == nullptr (too wide for a table).
const OpTable* cached_op_table(ArithOp op, const Format& fa, const Format& fb, const Target& t);

}  // namespace fpsim
