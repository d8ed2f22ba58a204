#pragma once
// Results of arithmetic on special operands: NaN propagation per NanPolicy, invalid operations,
// infinite results, and the sign of an exact zero.
//
// NaN conventions for ieee-style result formats (t.nan):
//   X86 (default, SSE / SoftFloat 8086-SSE): a NaN operand's payload propagates, quieted (the first
//     NaN operand in the order A, B, C); an invalid operation gives the default NaN with the sign set
//     (binary16 FE00, binary32 FFC00000).
//   ArmDefault (FPCR.DN = 1): every NaN result is the positive default NaN (7E00, 7FC00000).
//   RiscV: every NaN result is the canonical positive quiet NaN (the same codes as ArmDefault).
// fn / fnuz result formats produce their one NaN (fn: S.1…1.1…1 with the sign as above; fnuz: 1.0…0).
// finite result formats (OCP FP6/FP4) have no NaN: an invalid operation, or a NaN operand coming
// from another format, returns +0 and raises flag::invalid.
// A signalling NaN operand always raises flag::invalid; quiet NaN operands raise nothing.
#include <initializer_list>

#include "numerics/core/convert.h"

namespace fpsim {

/// The result when at least one operand is a NaN: the first NaN operand carried per t.nan, flags
/// invalid if any operand is signalling (or the format has no NaN).
/// Example: nan_operand_result({qnan_a, one}, t_f16) returns qnan_a's code with flags 0.
Rounded nan_operand_result(std::initializer_list<const Unpacked*> operands, const Target& t);

/// The result of an invalid operation (inf − inf, 0·inf, 0/0, inf/inf, sqrt(−x)): the default NaN
/// per t.nan, flags invalid. Example: invalid_result(Target{binary16}) == Rounded{{0xfe00}, flag::invalid}.
Rounded invalid_result(const Target& t);

/// An exactly infinite result (an infinite operand, or `extra_flags` = flag::infinite for a division
/// by zero): ±inf, or what converting ±inf into t gives (fn/fnuz: NaN + invalid; finite: ±max + invalid).
/// Example: infinite_result(true, Target{binary16}, flag::infinite) == Rounded{{0xfc00}, flag::infinite}.
Rounded infinite_result(bool negative, const Target& t, uint8_t extra_flags = 0);

/// Sign of an exact zero sum x + y (IEEE 754 6.3): the operands' sign when both are equal, else −0
/// only in round-toward-negative. Example: zero_sum_sign(false, true, Rounding::Down) == true.
inline bool zero_sum_sign(bool sign_x, bool sign_y, Rounding mode) {
  return sign_x == sign_y ? sign_x : mode == Rounding::Down;
}

}  // namespace fpsim
