// Attention building blocks: batched GEMM (scores Q·Kᵀ and values P·V through sim/gemm/gemm.h),
// head split/merge of the fused QKV projection, and the causal softmax.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include "sim/ops/internal/exp_binary64.h"
#include "sim/ops/ops.h"
#include "sim/parallel.h"

namespace fpsim::sim {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

}  // namespace

// trans_b Yes: y[g] = a[g]·b[g]ᵀ, a[M,K], b[N,K];  da[g] += dy[g]·b[g];  db[g] += dy[g]ᵀ·a[g].
// trans_b No:  y[g] = a[g]·b[g],  a[M,K], b[K,N];  da[g] += dy[g]·b[g]ᵀ;  db[g] += a[g]ᵀ·dy[g].
// Groups run in parallel, each gemm on one thread: every output element is still one fixed-order chain.
Var batched_matmul(Tape& tape, Var a, Var b, Trans trans_b, std::span<const Accumulation> acc) {
  const Tensor& av = tape.value(a);
  const Tensor& bv = tape.value(b);
  const bool tb = trans_b == Trans::Yes;
  require(av.rank() == 3 && bv.rank() == 3 && av.dim(0) == bv.dim(0) && av.dim(2) == bv.dim(tb ? 2 : 1),
          "batched_matmul: shapes " + shape_string(av.shape) + " and " + shape_string(bv.shape) + " do not match");
  const int64_t groups = av.dim(0);
  require(acc.size() == 1 || int64_t(acc.size()) == groups, "batched_matmul: one accumulation or one per group");
  const int m = int(av.dim(1)), k = int(av.dim(2)), n = int(bv.dim(tb ? 1 : 2));
  const int64_t sa = int64_t(m) * k, sb = int64_t(n) * k, sy = int64_t(m) * n;
  auto accs = std::make_shared<std::vector<Accumulation>>(acc.begin(), acc.end());
  auto acc_of = [accs](int64_t g) -> const Accumulation& { return (*accs)[accs->size() == 1 ? 0 : size_t(g)]; };
  Tensor y = Tensor::uninitialized({groups, m, n});  // each group's GEMM writes its block (accumulate = false)
  parallel_for(groups, 2, [&](int64_t g) {
    gemm({Trans::No, trans_b, m, n, k, av.ptr() + g * sa, k, bv.ptr() + g * sb, tb ? k : n, y.ptr() + g * sy, n,
          false},
         acc_of(g));
  });
  const bool ng = tape.needs_grad(a) || tape.needs_grad(b);
  return tape.record(std::move(y), ng, [=](Tape& t, Var self) {
    const float* dy = t.grad(self).ptr();
    const float* ap = t.value(a).ptr();
    const float* bp = t.value(b).ptr();
    float* da = t.needs_grad(a) ? t.grad(a).ptr() : nullptr;
    float* db = t.needs_grad(b) ? t.grad(b).ptr() : nullptr;
    parallel_for(groups, 2, [&](int64_t g) {
      const float* dyg = dy + g * sy;
      if (da)
        gemm({Trans::No, tb ? Trans::No : Trans::Yes, m, k, n, dyg, n, bp + g * sb, tb ? k : n, da + g * sa, k, true},
             acc_of(g));
      if (db && tb)
        gemm({Trans::Yes, Trans::No, n, k, m, dyg, n, ap + g * sa, k, db + g * sb, k, true}, acc_of(g));
      if (db && !tb)
        gemm({Trans::Yes, Trans::No, k, n, m, ap + g * sa, k, dyg, n, db + g * sb, n, true}, acc_of(g));
    });
  });
}

// y[n·H + h, t, j] = qkv[n·T + t, part·D + h·E + j] with E = D/H: a gather, so the backward is the
// matching scatter-add (each dqkv element receives exactly one term).
Var split_heads(Tape& tape, Var qkv, int64_t batch, int heads, int part) {
  const Tensor& xv = tape.value(qkv);
  require(xv.rank() == 2 && batch > 0 && xv.dim(0) % batch == 0 && xv.dim(1) % (3 * heads) == 0 && part >= 0 &&
              part < 3,
          "split_heads: " + shape_string(xv.shape) + " is not [N·T, 3·D] with D divisible by the heads");
  const int64_t ctx = xv.dim(0) / batch, width = xv.dim(1), d = width / 3, e = d / heads;
  Tensor y = Tensor::uninitialized({batch * heads, ctx, e});  // the gather writes every element
  auto index = [=](int64_t g, int64_t t, int64_t j) {  // flat qkv index of y[g, t, j]
    return ((g / heads) * ctx + t) * width + part * d + (g % heads) * e + j;
  };
  parallel_for(batch * heads, 8, [&](int64_t g) {
    for (int64_t t = 0; t < ctx; ++t)
      for (int64_t j = 0; j < e; ++j) y.data[size_t((g * ctx + t) * e + j)] = xv.data[size_t(index(g, t, j))];
  });
  return tape.record(std::move(y), tape.needs_grad(qkv), [=](Tape& tp, Var self) {
    const Tensor& dy = tp.grad(self);
    Tensor& dx = tp.grad(qkv);
    parallel_for(batch * heads, 8, [&](int64_t g) {
      for (int64_t t = 0; t < ctx; ++t)
        for (int64_t j = 0; j < e; ++j) dx.data[size_t(index(g, t, j))] += dy.data[size_t((g * ctx + t) * e + j)];
    });
  });
}

// y[n·T + t, h·E + j] = x[n·H + h, t, j]; backward dx[n·H + h, t, j] += dy[n·T + t, h·E + j].
Var merge_heads(Tape& tape, Var x, int64_t batch) {
  const Tensor& xv = tape.value(x);
  require(xv.rank() == 3 && batch > 0 && xv.dim(0) % batch == 0, "merge_heads: " + shape_string(xv.shape) +
                                                                       " is not [N·H, T, E]");
  const int64_t heads = xv.dim(0) / batch, ctx = xv.dim(1), e = xv.dim(2), width = heads * e;
  Tensor y = Tensor::uninitialized({batch * ctx, width});  // the scatter writes every element
  auto index = [=](int64_t g, int64_t t, int64_t j) { return ((g / heads) * ctx + t) * width + (g % heads) * e + j; };
  parallel_for(batch * heads, 8, [&](int64_t g) {
    for (int64_t t = 0; t < ctx; ++t)
      for (int64_t j = 0; j < e; ++j) y.data[size_t(index(g, t, j))] = xv.data[size_t((g * ctx + t) * e + j)];
  });
  return tape.record(std::move(y), tape.needs_grad(x), [=](Tape& tp, Var self) {
    const Tensor& dy = tp.grad(self);
    Tensor& dx = tp.grad(x);
    parallel_for(batch * heads, 8, [&](int64_t g) {
      for (int64_t t = 0; t < ctx; ++t)
        for (int64_t j = 0; j < e; ++j) dx.data[size_t((g * ctx + t) * e + j)] += dy.data[size_t(index(g, t, j))];
    });
  });
}

// Forward per row i (columns j ≤ i): p_ij = exp(c·s_ij - m_i)/Z_i, c = scale; p_ij = 0 for j > i (in binary64).
// Backward: ds_ij += c·p_ij·(dp_ij - Σ_{j'≤i} dp_ij'·p_ij') for j ≤ i (masked entries get no gradient).
Var causal_softmax(Tape& tape, Var s, double scale) {
  const Tensor& sv = tape.value(s);
  require(sv.rank() == 3 && sv.dim(1) == sv.dim(2), "causal_softmax: " + shape_string(sv.shape) + " is not [G, T, T]");
  const int64_t rows = sv.dim(0) * sv.dim(1), ctx = sv.dim(1);
  Tensor p(sv.shape);
  parallel_blocks(rows, 64, 2, [&](int64_t first, int64_t end) {
    std::vector<double> e(static_cast<size_t>(ctx));
    for (int64_t r = first; r < end; ++r) {
      const int64_t i = r % ctx;  // the row's query position: columns 0..i are visible
      const float* in = sv.ptr() + r * ctx;
      double mx = scale * in[0];
      for (int64_t j = 1; j <= i; ++j) mx = std::fmax(mx, scale * in[j]);
      for (int64_t j = 0; j <= i; ++j) e[size_t(j)] = scale * in[j] - mx;
      detail::exp_span(e.data(), e.data(), i + 1);  // vectorised exp of binary64 (exp_binary64.h)
      double z = 0;
      for (int64_t j = 0; j <= i; ++j) z += e[size_t(j)];  // in column order, as before
      float* out = p.ptr() + r * ctx;
      for (int64_t j = 0; j <= i; ++j) out[j] = float(e[size_t(j)] / z);
    }
  });
  return tape.record(std::move(p), tape.needs_grad(s), [=](Tape& t, Var self) {
    const Tensor& dp = t.grad(self);
    const Tensor& pv = t.value(self);
    Tensor& ds = t.grad(s);
    parallel_blocks(rows, 64, 2, [&](int64_t first, int64_t end) {
      for (int64_t r = first; r < end; ++r) {
        const int64_t i = r % ctx;
        const float* pr = pv.ptr() + r * ctx;
        const float* dpr = dp.ptr() + r * ctx;
        double dot = 0;
        for (int64_t j = 0; j <= i; ++j) dot += double(dpr[j]) * pr[j];
        float* dsr = ds.ptr() + r * ctx;
        for (int64_t j = 0; j <= i; ++j) dsr[j] += float(scale * pr[j] * (dpr[j] - dot));
      }
    });
  });
}

}  // namespace fpsim::sim
