#pragma once
// Differentiable ops: each computes its forward result, records it on the tape, and registers the
// backward that accumulates (+=) gradients into its inputs. Shapes are given as [dims] comments;
// activations are row-major, images NCHW. Every op is gradient-checked in tests/sim.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "numerics/quantize/quantize.h"
#include "numerics/core/random.h"
#include "sim/gemm/gemm.h"
#include "sim/ops/layer_gemm.h"
#include "sim/tape.h"

namespace fpsim::sim {

// ---- dense ------------------------------------------------------------------------------------
/// y[M,N] = x[M,K] · w[N,K]ᵀ (a linear layer without bias); its three GEMMs run per `g` (layer_gemm.h:
/// accumulated per an Accumulation, or scaled). Example: Var y = matmul_nt(tape, x, w);
Var matmul_nt(Tape& tape, Var x, Var w, const LayerGemm& g = {});
/// y = x + b broadcast over dim 1: x[N,C] or x[N,C,H,W], b[C]. Example: add_bias(tape, y, b).
Var add_bias(Tape& tape, Var x, Var b);
/// y = a + b, same shapes (residual connections). Example: add(tape, a, b).
Var add(Tape& tape, Var a, Var b);
/// y[G,M,N] = a[G,M,K]·op(b_g) per group g, op(b_g) = b[G,N,K]_gᵀ (trans_b Yes) or b[G,K,N]_g (No): one
/// gemm per group under acc[g] (or acc[0] for every group when acc has one entry). The attention score
/// (Q·Kᵀ) and value (P·V) products. Example: batched_matmul(tape, q, k, Trans::Yes, {&kFp32Accumulation, 1}).
Var batched_matmul(Tape& tape, Var a, Var b, Trans trans_b, std::span<const Accumulation> acc);

// ---- attention and embeddings -------------------------------------------------------------------
/// Part `part` (0 = Q, 1 = K, 2 = V) of a fused projection qkv[N·T, 3·D] as heads: y[N·H, T, D/H] with
/// y[n·H + h, t, j] = qkv[n·T + t, part·D + h·(D/H) + j]. Example: split_heads(tape, qkv, n, 4, 0).
Var split_heads(Tape& tape, Var qkv, int64_t batch, int heads, int part);
/// The inverse layout: x[N·H, T, E] -> y[N·T, H·E] with y[n·T + t, h·E + j] = x[n·H + h, t, j].
/// Example: merge_heads(tape, o, n).
Var merge_heads(Tape& tape, Var x, int64_t batch);
/// Row softmax of scale·s over the causal prefix: s[G,T,T] -> p with p[g,i,j] = 0 for j > i and
/// p[g,i,j] = exp(scale·s_ij - m_i)/Σ_{j'≤i} exp(scale·s_ij' - m_i) (row maximum m_i, in double).
/// Example: causal_softmax(tape, scores, 1/√(D/H)).
Var causal_softmax(Tape& tape, Var s, double scale);
/// Rows of `table`[V, D] picked by ids[N, T] (byte values stored as floats, each in [0, V)): y[N·T, D].
/// Example: embedding(tape, tokens, wte).
Var embedding(Tape& tape, Var ids, Var table);
/// y[n·T + t, :] = x[n·T + t, :] + pos[t, :] for x[N·T, D] and pos[P, D], P ≥ T.
/// Example: add_positions(tape, h, wpe, 64).
Var add_positions(Tape& tape, Var x, Var pos, int64_t context);

// ---- element-wise -------------------------------------------------------------------------------
/// max(x, 0); the gradient at 0 is 0. Example: relu(tape, x).
Var relu(Tape& tape, Var x);
/// x·Φ(x) with the exact erf form (not the tanh approximation). Example: gelu(tape, x).
Var gelu(Tape& tape, Var x);
/// tanh(x). Example: tanh_op(tape, x).
Var tanh_op(Tape& tape, Var x);
/// Inverted dropout: zero each element with probability p and scale survivors by 1/(1-p). Element i
/// is dropped iff stream.bits(i) < p·2^64, so the mask is a pure function of (stream, i).
/// train == false (or p == 0) is the identity. Example: dropout(tape, x, 0.1, RandomStream(seed, step, id), true).
Var dropout(Tape& tape, Var x, double p, const RandomStream& stream, bool train);

// ---- shape --------------------------------------------------------------------------------------
/// Same data, new shape (same element count). Example: reshape(tape, x, {n, 784}).
Var reshape(Tape& tape, Var x, Shape shape);
/// [N, ...] -> [N, prod(...)]. Example: flatten(tape, conv_out).
Var flatten(Tape& tape, Var x);

// ---- loss ---------------------------------------------------------------------------------------
/// Mean over the batch of -log softmax(logits)[label]: logits[M,C], labels[M] in [0, C). Stable:
/// log-sum-exp is taken after subtracting the row maximum, in double. Returns a [1] tensor.
/// Example: Var loss = softmax_cross_entropy(tape, logits, labels);
Var softmax_cross_entropy(Tape& tape, Var logits, std::span<const int32_t> labels);

// ---- convolution and pooling --------------------------------------------------------------------
struct Conv2dShape {
  int stride = 1;
  int padding = 0;
};
/// y[N,O,OH,OW] = conv(x[N,C,H,W], w[O,C,KH,KW]) (cross-correlation, zero padding), via im2col and gemm
/// with OH = (H + 2·pad - KH)/stride + 1. Example: conv2d(tape, x, w, {1, 2}) keeps 28x28 with 5x5 kernels.
Var conv2d(Tape& tape, Var x, Var w, Conv2dShape shape = {}, const LayerGemm& g = {});
/// Max over k x k windows with the given stride (no padding); ties send the gradient to the first
/// maximum in row-major window order. Example: max_pool2d(tape, x, 2, 2) halves H and W.
Var max_pool2d(Tape& tape, Var x, int k, int stride);
/// Mean over k x k windows. Example: avg_pool2d(tape, x, 2, 2).
Var avg_pool2d(Tape& tape, Var x, int k, int stride);

// ---- normalisation ------------------------------------------------------------------------------
/// Running statistics of a batch norm (updated in training mode, used in evaluation mode).
struct BatchNormState {
  std::vector<float> mean, var;
  double momentum = 0.1;  ///< running = (1 - momentum)·running + momentum·batch (PyTorch convention)
  double eps = 1e-5;
};
/// Batch normalisation over dim 1 of x[N,C] or x[N,C,H,W] with gamma[C], beta[C]. Training: batch
/// statistics (biased variance for normalising, unbiased for the running update); evaluation: the
/// running statistics. Statistics are summed in double in a fixed order. Example:
/// batch_norm(tape, x, g, b, state, true).
Var batch_norm(Tape& tape, Var x, Var gamma, Var beta, BatchNormState& state, bool train);
/// Layer normalisation over the last dim of x[M,D] with gamma[D], beta[D]. Example: layer_norm(tape, x, g, b, 1e-5).
Var layer_norm(Tape& tape, Var x, Var gamma, Var beta, double eps = 1e-5);

// ---- quantisation -------------------------------------------------------------------------------
/// One side (forward or backward) of a quantisation point: the Target, the random stream for
/// stochastic rounding, and where to add counts (telemetry; may be null).
struct QuantSide {
  std::optional<Target> target;  ///< none: pass values through unchanged
  std::optional<RandomStream> stream;
  QuantStats* stats = nullptr;
  std::vector<uint64_t>* log2_hist = nullptr;  ///< see telemetry.h: bins of floor(log2|x|) of the input
};
/// Forward: y = round(x) into `fwd`; backward: dx += round(dy) into `bwd`. Either side may be empty.
/// Every value of y (and the gradient passed on) is exactly representable in its Target's format.
/// Example: quantize_op(tape, x, {e5m2_rne, ...}, {e5m2_sr, stream, ...}).
Var quantize_op(Tape& tape, Var x, QuantSide fwd, QuantSide bwd);

/// Round a span in place into side.target (if any), recording stats/histogram. Used by the op above
/// and by the optimiser for weight gradients. Example: quantize_in_place(grad.span(), side).
void quantize_in_place(std::span<float> values, const QuantSide& side);

}  // namespace fpsim::sim
