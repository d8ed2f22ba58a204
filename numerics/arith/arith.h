#pragma once
// Correctly rounded arithmetic on encoded values of any Format: add, sub, mul, div, sqrt and fma
// (a*b + c rounded once). Operands may be in different formats from each other and from the result.
//
// Each operation computes its exact result as an Exact (the top 64 significant bits plus a sticky
// bit) and hands it to round_pack, which owns the rounding rule. The fast paths below re-derive steps
// of that rule for speed; every such place, with the test that checks it bit for bit against
// round_pack, is listed in the rounding-sites index at the top of numerics/core/round_pack.cpp.
// Special operands and results follow numerics/core/nan_rules.h: NaN results per t.nan (X86 default,
// ArmDefault, RiscV), invalid operations raise flag::invalid, division by zero raises flag::infinite.
//
// The functions in namespace fpsim dispatch to a fast path when one applies and is proven exact
// (256x256 result tables for formats of <= 8 bits in deterministic modes, numerics/fast/internal/op_tables.h;
// native double arithmetic with an exact error term for binary16/bfloat16/tf32/binary32 operands,
// numerics/fast/internal/fast_double.h). The functions in fpsim::exact always take the exact integer path; tests
// check every fast path against them.
#include <cstdint>

#include "numerics/core/rounding.h"

namespace fpsim {

/// The arithmetic operations by name, for tables, tools and tests.
enum class ArithOp : uint8_t { Add, Sub, Mul, Div, Sqrt, Fma };
/// Every ArithOp, in declaration order. Example: for (ArithOp op : kArithOps) table(op, ...);
inline constexpr ArithOp kArithOps[] = {ArithOp::Add, ArithOp::Sub, ArithOp::Mul,
                                        ArithOp::Div, ArithOp::Sqrt, ArithOp::Fma};
/// "add" "sub" "mul" "div" "sqrt" "fma". Example: to_string(ArithOp::Fma) == "fma".
const char* to_string(ArithOp op);
/// Operands per case: 2 for add/sub/mul/div, 1 for sqrt, 3 for fma. Example: arity(ArithOp::Sqrt) == 1.
constexpr int arity(ArithOp op) { return op == ArithOp::Sqrt ? 1 : op == ArithOp::Fma ? 3 : 2; }

/// a + b rounded once into t. Example: add({0x3c00}, f16, {0x3c00}, f16, Target{f16}).bits == Bits{0x4000}.
Rounded add(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits = 0);
/// a - b. Example: sub({0x3c00}, f16, {0x3c00}, f16, Target{f16}).bits == Bits{0x0000} (+0; -0 in rdn).
Rounded sub(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits = 0);
/// a * b. Example: mul({0x3e}, e5m2, {0x3e}, e5m2, Target{e5m2}).bits == Bits{0x40} (1.5*1.5 = 2.25 -> 2).
Rounded mul(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits = 0);
/// a / b. Example: div({0x7bfe}, f16, {0x0000}, f16, Target{f16}) == Rounded{{0x7c00}, flag::infinite}.
Rounded div(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits = 0);
/// Square root. Example: sqrt({0x4400}, f16, Target{f16}).bits == Bits{0x4000} (sqrt 4 = 2).
Rounded sqrt(Bits a, const Format& fa, const Target& t, uint64_t random_bits = 0);
/// a * b + c with one rounding. Example: fma(e5m2 1.5, e5m2 1.5, f32 -2.25, f32) is +0 in binary32.
Rounded fma(Bits a, const Format& fa, Bits b, const Format& fb, Bits c, const Format& fc, const Target& t,
            uint64_t random_bits = 0);

/// Any operation by ArithOp; operands[i] is in formats[i] (arity(op) of each).
/// Example: apply(ArithOp::Mul, ops, fmts, t) == mul(ops[0], fmts[0], ops[1], fmts[1], t).
Rounded apply(ArithOp op, const Bits* operands, const Format* formats, const Target& t, uint64_t random_bits = 0);

/// The order of two values (any formats): NaN makes it Unordered; −0 and +0 are Equal.
enum class Ordering : uint8_t { Less, Equal, Greater, Unordered };
/// Example: order({0xbc00}, f16, {0x3c}, e5m2) == Ordering::Less (−1 < 1).
Ordering order(Bits a, const Format& fa, Bits b, const Format& fb, bool daz = false);

/// IEEE 754 comparisons with their exception rules: eq is quiet (flag::invalid only for a signalling
/// NaN operand); lt and le are signalling (flag::invalid for any NaN operand). Result in bits.v (0 or 1).
/// Example: compare_lt({0x7e00}, f16, {0x3c00}, f16) == Rounded{{0}, flag::invalid}.
Rounded compare_eq(Bits a, const Format& fa, Bits b, const Format& fb, bool daz = false);
Rounded compare_lt(Bits a, const Format& fa, Bits b, const Format& fb, bool daz = false);
Rounded compare_le(Bits a, const Format& fa, Bits b, const Format& fb, bool daz = false);

/// IEEE 754-2019 minimum / maximum: a NaN operand gives a NaN (the first, quieted, per t.nan); -0 < +0.
/// minimum_number / maximum_number return the other operand when exactly one is NaN. A signalling NaN
/// operand raises flag::invalid in all four. The chosen operand is converted into t (exact when t holds it).
/// Example: minimum({0x8000}, f16, {0x0000}, f16, Target{f16}).bits == Bits{0x8000} (-0);
///          maximum_number({0x7e00}, f16, {0x3c00}, f16, Target{f16}).bits == Bits{0x3c00}.
Rounded minimum(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t);
Rounded maximum(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t);
Rounded minimum_number(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t);
Rounded maximum_number(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t);

/// The exact integer path with no fast path: the reference the fast paths are checked against.
namespace exact {
Rounded add(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits = 0);
Rounded sub(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits = 0);
Rounded mul(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits = 0);
Rounded div(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, uint64_t random_bits = 0);
Rounded sqrt(Bits a, const Format& fa, const Target& t, uint64_t random_bits = 0);
Rounded fma(Bits a, const Format& fa, Bits b, const Format& fb, Bits c, const Format& fc, const Target& t,
            uint64_t random_bits = 0);
/// Example: exact::apply(ArithOp::Add, ops, fmts, t) == exact::add(ops[0], fmts[0], ops[1], fmts[1], t).
Rounded apply(ArithOp op, const Bits* operands, const Format* formats, const Target& t, uint64_t random_bits = 0);
}  // namespace exact

}  // namespace fpsim
