#pragma once
// The fast path of the emulated accumulator (sim/gemm/gemm.h's model, same bits as gemm_reference):
// each addition is rounded to odd into binary32, then a whole row of outputs is rounded into the
// Target at once by numerics' vectorised quantize(). Internal to sim/gemm*.cpp; public for tests.
#include "sim/gemm/gemm.h"

namespace fpsim::sim {

/// Whether gemm() takes the fast path for this accumulator: any rounding but stochastic, no DAZ,
/// no conversion-compat quirks, and a Target that binary32 covers with two bits to spare
/// (precision ≤ 22, emax ≤ 127, smallest step 2^(emin − precision + 1) ≥ 2^-147).
/// Example: fast_emulation_applies(Target{parse_format("binary16")}) is true; binary32's precision (24) is not.
bool fast_emulation_applies(const Target& t);

/// The exact sum u + v rounded to odd into binary32 (u, v binary64): truncated toward zero, then the
/// last significand bit set if anything was cut off. Example: round_to_odd_float(1.0, 0x1p-40) is 1 + 2^-23.
float round_to_odd_float(double u, double v);

/// gemm() with an emulated accumulator on the fast path (requires fast_emulation_applies).
/// Example: gemm_emulated_fast(p, {false, Target{parse_format("binary16")}, 64}).
void gemm_emulated_fast(const GemmProblem& p, const Accumulation& acc);

}  // namespace fpsim::sim
