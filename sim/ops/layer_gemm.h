#pragma once
// How a layer runs its three GEMMs (fprop, dgrad, wgrad; see quant_plan.h): either the plain emulated GEMM
// on operands the quantise ops already rounded, or scaled — every operand cast inside each GEMM it feeds,
// with its own Target and scaling (numerics/quantize/scaled_cast.h), optionally after a random Hadamard
// transform along K, and the scales folded back by sim/gemm/scaled_gemm.h. The same tensor is cast once per
// GEMM it feeds (the weight in fprop and dgrad, the activation in fprop and wgrad, the gradient in dgrad and
// wgrad), each with the contraction axis of that GEMM, as Transformer Engine and torchao do.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "numerics/core/random.h"
#include "sim/gemm/gemm.h"
#include "sim/quant/quant_plan.h"
#include "sim/quant/scaling_state.h"
#include "sim/telemetry.h"

namespace fpsim::sim {

/// One operand cast of a scaled GEMM.
struct OperandCast {
  std::optional<Target> target;        ///< none: binary32, unscaled
  ScalingSpec scaling;
  std::optional<RandomStream> stream;  ///< stochastic rounding
  PointTelemetry* telemetry = nullptr; ///< "<layer>/<role>" (may be null)
  ScalingState* state = nullptr;       ///< tensor_delayed: the run's amax histories
  std::string state_key;               ///< "<layer>/<role>"
  int64_t step = 0;
  bool record = true;                  ///< tensor_delayed: add this step's amax to the history (training)
  /// Casts with the same id are the same cast of the same tensor role (same Target, scaling and stream);
  /// -1: never shared. See ScaledGemms::reuse.
  int cast_id = -1;
};

/// The casts of a layer's scaled GEMMs, by GemmPass: A and B operands, and the Hadamard switch.
/// Per-tensor casts (none, tensor, tensor_delayed: one tile) do not depend on the contraction axis, so the cast
/// of a tensor made for one GEMM serves the other GEMM that reads the same tensor (the weight in fprop and
/// dgrad, the activation in fprop and wgrad, the gradient in dgrad and wgrad), as Transformer Engine reuses its
/// FP8 copies; `reuse` holds such casts until their second use. Finer tilings are cast once per GEMM.
struct ScaledGemms {
  std::array<OperandCast, 3> a, b;
  std::array<bool, 3> hadamard{};
  uint16_t hadamard_signs = 0;
  struct Cached {
    int cast_id;
    const float* data;
    size_t size;
    ScaledMatrix cast;
  };
  mutable std::vector<Cached> reuse;
};

/// What matmul_nt and conv2d need to run their GEMMs. Converts from an Accumulation (plain GEMMs).
struct LayerGemm {
  Accumulation acc = kFp32Accumulation;
  std::shared_ptr<const ScaledGemms> scaled;  ///< null: plain
  LayerGemm() = default;
  LayerGemm(const Accumulation& a) : acc(a) {}  // NOLINT: implicit, so callers may pass an Accumulation
};

/// Run pass `pass` of a layer: gemm(p, g.acc) when plain; else cast op(A) and op(B) (both stored compactly:
/// lda and ldb equal their row lengths) and fold (scaled_gemm). Example: layer_gemm(GemmPass::Fprop, p, g).
void layer_gemm(GemmPass pass, const GemmProblem& p, const LayerGemm& g);

/// The scaled cast of one operand as layer_gemm performs it (Hadamard excluded): a stored rows×cols
/// matrix with contraction axis k_axis. Example: cast_operand(c, x, 128, 784, 1).
ScaledMatrix cast_operand(const OperandCast& c, std::span<const float> x, int rows, int cols, int k_axis);

}  // namespace fpsim::sim
