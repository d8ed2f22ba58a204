// Dense ops: matmul_nt (x·wᵀ through sim/gemm/gemm.h), bias broadcast, element-wise add.
#include <stdexcept>
#include <vector>

#include "sim/ops/ops.h"
#include "sim/parallel.h"

namespace fpsim::sim {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

}  // namespace

// y[M,N] = x[M,K]·w[N,K]ᵀ;  dx[M,K] += dy[M,N]·w[N,K];  dw[N,K] += dy[M,N]ᵀ·x[M,K].
Var matmul_nt(Tape& tape, Var x, Var w, const LayerGemm& g) {
  const Tensor& xv = tape.value(x);
  const Tensor& wv = tape.value(w);
  require(xv.rank() == 2 && wv.rank() == 2 && xv.dim(1) == wv.dim(1),
          "matmul_nt: shapes " + shape_string(xv.shape) + " and " + shape_string(wv.shape) + " do not match");
  const int m = int(xv.dim(0)), k = int(xv.dim(1)), n = int(wv.dim(0));
  Tensor y = Tensor::uninitialized({m, n});  // the GEMM writes every element (accumulate = false)
  layer_gemm(GemmPass::Fprop, {Trans::No, Trans::Yes, m, n, k, xv.ptr(), k, wv.ptr(), k, y.ptr(), n, false}, g);
  const bool ng = tape.needs_grad(x) || tape.needs_grad(w);
  return tape.record(std::move(y), ng, [x, w, m, n, k, g](Tape& t, Var self) {
    const float* dy = t.grad(self).ptr();
    if (t.needs_grad(x))
      layer_gemm(GemmPass::Dgrad, {Trans::No, Trans::No, m, k, n, dy, n, t.value(w).ptr(), k, t.grad(x).ptr(), k, true}, g);
    if (t.needs_grad(w))
      layer_gemm(GemmPass::Wgrad, {Trans::Yes, Trans::No, n, k, m, dy, n, t.value(x).ptr(), k, t.grad(w).ptr(), k, true}, g);
  });
}

// y[N,C,(HW)] = x + b[C];  dx += dy;  db[c] += sum over n and spatial positions of dy (in double,
// n-major order, then rounded once).
Var add_bias(Tape& tape, Var x, Var b) {
  const Tensor& xv = tape.value(x);
  const Tensor& bv = tape.value(b);
  require(xv.rank() >= 2 && bv.rank() == 1 && bv.dim(0) == xv.dim(1),
          "add_bias: bias " + shape_string(bv.shape) + " does not match dim 1 of " + shape_string(xv.shape));
  const int64_t batch = xv.dim(0), channels = xv.dim(1), inner = xv.numel() / (batch * channels);
  Tensor y = Tensor::uninitialized(xv.shape);
  // Parallel over samples only when there is enough work to pay for a parallel region (parallel.h).
  parallel_for(batch, xv.numel() >= kParallelMinElements ? 2 : batch + 1, [&](int64_t i) {
    if (inner == 1) {  // [N, C]: one contiguous row, vectorised
      const float* in = xv.ptr() + i * channels;
      float* row = y.ptr() + i * channels;
      for (int64_t c = 0; c < channels; ++c) row[c] = in[c] + bv.data[size_t(c)];
      return;
    }
    for (int64_t c = 0; c < channels; ++c) {
      const float* in = xv.ptr() + (i * channels + c) * inner;
      float* row = y.ptr() + (i * channels + c) * inner;
      const float bias = bv.data[size_t(c)];
      for (int64_t j = 0; j < inner; ++j) row[j] = in[j] + bias;
    }
  });
  const bool ng = tape.needs_grad(x) || tape.needs_grad(b);
  return tape.record(std::move(y), ng, [x, b, batch, channels, inner](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    if (t.needs_grad(x)) add_into(t.grad(x).span(), dy.span());
    if (t.needs_grad(b)) {
      float* db = t.grad(b).ptr();
      if (inner == 1) {
        // [N, C]: walk rows in order, adding each into C running sums — per channel the same
        // n-increasing order as the strided loop below, but reading memory contiguously.
        std::vector<double> s(size_t(channels), 0.0);
        for (int64_t i = 0; i < batch; ++i) {
          const float* row = dy.ptr() + i * channels;
          for (int64_t c = 0; c < channels; ++c) s[size_t(c)] += row[c];
        }
        for (int64_t c = 0; c < channels; ++c) db[c] += float(s[size_t(c)]);
        return;
      }
      // one channel's sum reads batch·inner elements: parallel when the whole gradient is worth it (parallel.h)
      parallel_for(channels, dy.numel() >= kParallelMinElements ? 2 : channels + 1, [&](int64_t c) {
        double s = 0;
        for (int64_t i = 0; i < batch; ++i) {
          const float* row = dy.ptr() + (i * channels + c) * inner;
          for (int64_t j = 0; j < inner; ++j) s += row[j];
        }
        db[c] += float(s);
      });
    }
  });
}

Var add(Tape& tape, Var a, Var b) {
  const Tensor& av = tape.value(a);
  const Tensor& bv = tape.value(b);
  require(av.shape == bv.shape, "add: shapes " + shape_string(av.shape) + " and " + shape_string(bv.shape) + " differ");
  Tensor y = Tensor::uninitialized(av.shape);
  const float *pa = av.ptr(), *pb = bv.ptr();
  float* py = y.ptr();
  parallel_elements(y.numel(), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) py[i] = pa[i] + pb[i];
  });
  const bool ng = tape.needs_grad(a) || tape.needs_grad(b);
  return tape.record(std::move(y), ng, [a, b](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    for (Var v : {a, b})
      if (t.needs_grad(v)) add_into(t.grad(v).span(), dy.span());
  });
}

}  // namespace fpsim::sim
