#pragma once
// The vector path of the emulated accumulator (sim/gemm/gemm.h's model, same bits as gemm_reference):
// tiles of up to 4 rows × one column group advance through k together, each addition rounded into the
// Target in-register by numerics' RoundedAccumulator. Internal to sim/gemm*.cpp; public for tests.
#include "numerics/quantize/quantize.h"
#include "sim/gemm/gemm.h"

namespace fpsim::sim {

/// gemm() with an emulated accumulator on the vector path, on instruction set `isa` (requires
/// RoundedAccumulator::applies(acc.target) and an available isa; Auto = the widest).
/// Example: gemm_emulated_vector(p, {false, Target{parse_format("binary16")}, 64}, QuantKernel::Avx2).
void gemm_emulated_vector(const GemmProblem& p, const Accumulation& acc, QuantKernel isa);

}  // namespace fpsim::sim
