// Token embedding (a row gather from the table) and learned position embeddings.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "sim/ops/ops.h"
#include "sim/parallel.h"

namespace fpsim::sim {

// y[r, :] = table[id_r, :];  dtable[v, :] += Σ_{r: id_r = v} dy[r, :], summed in increasing r.
// The backward is parallel over columns of the table, so every sum keeps that order for any thread count.
Var embedding(Tape& tape, Var ids, Var table) {
  const Tensor& iv = tape.value(ids);
  const Tensor& tv = tape.value(table);
  if (iv.rank() != 2 || tv.rank() != 2)
    throw std::invalid_argument("embedding: ids " + shape_string(iv.shape) + " and table " + shape_string(tv.shape) +
                                " are not [N, T] and [V, D]");
  const int64_t rows = iv.numel(), vocab = tv.dim(0), d = tv.dim(1);
  auto tokens = std::make_shared<std::vector<int64_t>>(size_t(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const float id = iv.data[size_t(r)];
    if (!(id >= 0 && id < float(vocab)) || id != float(int64_t(id)))
      throw std::invalid_argument("embedding: token " + std::to_string(id) + " outside [0, " + std::to_string(vocab) +
                                  ")");
    (*tokens)[size_t(r)] = int64_t(id);
  }
  Tensor y = Tensor::uninitialized({rows, d});  // every row is copied from the table
  parallel_for(rows, 256, [&](int64_t r) {
    const float* src = tv.ptr() + (*tokens)[size_t(r)] * d;
    std::copy(src, src + d, y.ptr() + r * d);
  });
  return tape.record(std::move(y), tape.needs_grad(table), [=](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    float* dt = t.grad(table).ptr();
    parallel_blocks(d, 16, 2, [&](int64_t c0, int64_t c1) {
      for (int64_t r = 0; r < rows; ++r) {
        const float* g = dy.ptr() + r * d;
        float* out = dt + (*tokens)[size_t(r)] * d;
        for (int64_t c = c0; c < c1; ++c) out[c] += g[c];
      }
    });
  });
}

// y[n·T + t, :] = x[n·T + t, :] + pos[t, :];  dx += dy;  dpos[t, :] += Σ_n dy[n·T + t, :] (increasing n).
Var add_positions(Tape& tape, Var x, Var pos, int64_t context) {
  const Tensor& xv = tape.value(x);
  const Tensor& pv = tape.value(pos);
  if (xv.rank() != 2 || pv.rank() != 2 || pv.dim(1) != xv.dim(1) || context < 1 || pv.dim(0) < context ||
      xv.dim(0) % context != 0)
    throw std::invalid_argument("add_positions: x " + shape_string(xv.shape) + " and positions " +
                                shape_string(pv.shape) + " do not match context " + std::to_string(context));
  const int64_t rows = xv.dim(0), d = xv.dim(1);
  Tensor y = Tensor::uninitialized(xv.shape);
  parallel_for(rows, 256, [&](int64_t r) {
    const float* p = pv.ptr() + (r % context) * d;
    const float* in = xv.ptr() + r * d;
    float* out = y.ptr() + r * d;
    for (int64_t c = 0; c < d; ++c) out[c] = in[c] + p[c];
  });
  const bool ng = tape.needs_grad(x) || tape.needs_grad(pos);
  return tape.record(std::move(y), ng, [=](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    if (t.needs_grad(x)) add_into(t.grad(x).span(), dy.span());
    if (t.needs_grad(pos)) {
      float* dp = t.grad(pos).ptr();
      parallel_for(context, 8, [&](int64_t tpos) {
        for (int64_t r = tpos; r < rows; r += context) {
          const float* g = dy.ptr() + r * d;
          for (int64_t c = 0; c < d; ++c) dp[tpos * d + c] += g[c];
        }
      });
    }
  });
}

}  // namespace fpsim::sim
