// Batch normalisation (over dim 1) and layer normalisation (over the last dim). Statistics are
// accumulated in double in a fixed order, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "sim/ops/ops.h"
#include "sim/parallel.h"

namespace fpsim::sim {
namespace {

// The elements of one normalisation group, in summation order: `rows` runs of `len` consecutive
// elements, run i starting at base + i·stride. A batch-norm channel c of x[N,C,H,W] is
// {N, H·W, C·H·W, c·H·W}; a layer-norm row r of x[M,D] is {1, D, D, r·D}.
struct Group {
  int64_t rows, len, stride, base;
  int64_t count() const { return rows * len; }
  template <class F>
  void visit(F f) const {  // f(flat index, position j within the run)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < len; ++j) f(size_t(base + i * stride + j), j);
  }
};

// Mean and biased variance of x over a group, summed in double in the group's order: the statistics
// of one batch-norm channel and of one layer-norm row.
struct Moments {
  double mean, var, sum_sq;  ///< sum_sq = Σ (x - mean)², for the unbiased variance
};
Moments moments(const Group& g, const float* x) {
  double s = 0, s2 = 0;
  g.visit([&](size_t k, int64_t) { s += x[k]; });
  const double mean = s / double(g.count());
  g.visit([&](size_t k, int64_t) {
    const double d = x[k] - mean;
    s2 += d * d;
  });
  return {mean, s2 / double(g.count()), s2};
}

// The sums of the normalisation backward over a group: Σ dh and Σ dh·xhat, dh(k, j) the gradient
// with respect to xhat at flat index k (position j in its run).
struct GradSums {
  double dh = 0, dh_xhat = 0;
};
template <class Dh, class Xhat>
GradSums grad_sums(const Group& g, Dh dh, const Xhat* xhat) {
  GradSums s;
  g.visit([&](size_t k, int64_t j) {
    s.dh += dh(k, j);
    s.dh_xhat += dh(k, j) * xhat[k];
  });
  return s;
}

// Layer-norm rows are normalised kRowsAtOnce at a time: their sums run as independent chains side by side, in
// the same order per row as moments() and grad_sums() (so the same bits), and the core overlaps the chains'
// additions instead of waiting out each one's latency (a row of 128 is otherwise a 128-add dependent chain).
constexpr int64_t kRowsAtOnce = 4;

// moments() of rows r0 .. r0 + n - 1 (n <= kRowsAtOnce) of x[rows, d].
void row_moments(const float* x, int64_t d, int64_t r0, int64_t n, Moments* out) {
  const float* row[kRowsAtOnce];
  for (int64_t l = 0; l < kRowsAtOnce; ++l) row[l] = x + (r0 + std::min(l, n - 1)) * d;  // spare lanes repeat a row
  double s[kRowsAtOnce] = {}, s2[kRowsAtOnce] = {}, mean[kRowsAtOnce];
  for (int64_t j = 0; j < d; ++j)
    for (int64_t l = 0; l < kRowsAtOnce; ++l) s[l] += row[l][j];
  for (int64_t l = 0; l < kRowsAtOnce; ++l) mean[l] = s[l] / double(d);
  for (int64_t j = 0; j < d; ++j)
    for (int64_t l = 0; l < kRowsAtOnce; ++l) {
      const double dev = row[l][j] - mean[l];
      s2[l] += dev * dev;
    }
  for (int64_t l = 0; l < n; ++l) out[l] = {mean[l], s2[l] / double(d), s2[l]};
}

// grad_sums() of layer-norm rows r0 .. r0 + n - 1: dh(r, j) = γ_j·dy[r, j], xhat[rows, d].
void row_grad_sums(const float* gamma, const float* dy, const double* xhat, int64_t d, int64_t r0, int64_t n,
                   GradSums* out) {
  int64_t at[kRowsAtOnce];
  for (int64_t l = 0; l < kRowsAtOnce; ++l) at[l] = (r0 + std::min(l, n - 1)) * d;
  double sd[kRowsAtOnce] = {}, sdx[kRowsAtOnce] = {};
  for (int64_t j = 0; j < d; ++j)
    for (int64_t l = 0; l < kRowsAtOnce; ++l) {
      const double dh = double(gamma[j]) * dy[at[l] + j];
      sd[l] += dh;
      sdx[l] += dh * xhat[at[l] + j];
    }
  for (int64_t l = 0; l < n; ++l) out[l] = {sd[l], sdx[l]};
}

// m·dxhat - Σ dxhat - xhat·Σ dxhat·xhat: the bracket of dx = (1/(m·σ̂))·(...) shared by both norms.
double centred(double m, double dh, const GradSums& s, double xhat) { return m * dh - s.dh - xhat * s.dh_xhat; }

}  // namespace

// Training: xhat = (x - μ_B)/√(σ²_B + ε), y = γ·xhat + β over the m = N·H·W values of each channel.
// Backward (per channel): dγ += Σ dy·xhat, dβ += Σ dy,
//   dx += γ/(m·√(σ²+ε)) · (m·dy - Σ dy - xhat·Σ dy·xhat).
// Evaluation: μ, σ² are the running statistics and dx += γ·dy/√(σ²+ε).
Var batch_norm(Tape& tape, Var x, Var gamma, Var beta, BatchNormState& state, bool train) {
  const Tensor& xv = tape.value(x);
  const int64_t channels = xv.rank() >= 2 ? xv.dim(1) : 0;
  if (xv.rank() < 2 || tape.value(gamma).numel() != channels || tape.value(beta).numel() != channels)
    throw std::invalid_argument("batch_norm: gamma/beta do not match dim 1 of " + shape_string(xv.shape));
  const int64_t batch = xv.dim(0), inner = xv.numel() / (batch * channels), m = batch * inner;
  if (state.mean.empty()) state.mean.assign(size_t(channels), 0.0f), state.var.assign(size_t(channels), 1.0f);
  auto xhat = std::make_shared<UninitializedVector<float>>(size_t(xv.numel()));
  auto inv_std = std::make_shared<std::vector<double>>(size_t(channels));
  const float* g = tape.value(gamma).ptr();
  const float* b = tape.value(beta).ptr();
  Tensor y = Tensor::uninitialized(xv.shape);  // every element is written below
  // each channel touches m elements (three passes): parallel when all channels together pay for the region
  const int64_t min_channels = channels * m >= kParallelMinElements ? 2 : channels + 1;  // parallel.h
  parallel_for(channels, min_channels, [&](int64_t c) {
    double mean, var;
    const Group group{batch, inner, channels * inner, c * inner};
    if (train) {
      const Moments mo = moments(group, xv.ptr());
      mean = mo.mean;
      var = mo.var;
      const double unbiased = m > 1 ? mo.sum_sq / double(m - 1) : var;
      state.mean[size_t(c)] = float((1 - state.momentum) * state.mean[size_t(c)] + state.momentum * mean);
      state.var[size_t(c)] = float((1 - state.momentum) * state.var[size_t(c)] + state.momentum * unbiased);
    } else {
      mean = state.mean[size_t(c)];
      var = state.var[size_t(c)];
    }
    const double is = 1.0 / std::sqrt(var + state.eps);
    (*inv_std)[size_t(c)] = is;
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t j = 0; j < inner; ++j) {
        const size_t k = size_t((i * channels + c) * inner + j);
        const double h = (xv.data[k] - mean) * is;
        (*xhat)[k] = float(h);
        y.data[k] = float(g[c] * h + b[c]);
      }
  });
  const bool ng = tape.needs_grad(x) || tape.needs_grad(gamma) || tape.needs_grad(beta);
  return tape.record(std::move(y), ng, [=](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    const float* gv = t.value(gamma).ptr();
    float* dg = t.needs_grad(gamma) ? t.grad(gamma).ptr() : nullptr;
    float* db = t.needs_grad(beta) ? t.grad(beta).ptr() : nullptr;
    float* dx = t.needs_grad(x) ? t.grad(x).ptr() : nullptr;
    parallel_for(channels, min_channels, [&](int64_t c) {
      const Group group{batch, inner, channels * inner, c * inner};
      const GradSums sums = grad_sums(group, [&](size_t k, int64_t) { return double(dy.data[k]); }, xhat->data());
      const double sdy = sums.dh, sdyx = sums.dh_xhat;
      if (dg) dg[c] += float(sdyx);
      if (db) db[c] += float(sdy);
      if (!dx) return;
      const double is = (*inv_std)[size_t(c)];
      for (int64_t i = 0; i < batch; ++i)
        for (int64_t j = 0; j < inner; ++j) {
          const size_t k = size_t((i * channels + c) * inner + j);
          if (train)
            dx[k] += float(gv[c] * is / double(m) * centred(double(m), dy.data[k], sums, (*xhat)[k]));
          else
            dx[k] += float(gv[c] * is * dy.data[k]);
        }
    });
  });
}

// Per row: xhat = (x - μ)/√(σ² + ε), y = γ·xhat + β;  dx = (1/(D·σ̂))·(D·dxhat - Σ dxhat - xhat·Σ dxhat·xhat)
// with dxhat = γ·dy;  dγ += Σ_rows dy·xhat, dβ += Σ_rows dy (summed in row order).
Var layer_norm(Tape& tape, Var x, Var gamma, Var beta, double eps) {
  const Tensor& xv = tape.value(x);
  if (xv.rank() != 2 || tape.value(gamma).numel() != xv.dim(1) || tape.value(beta).numel() != xv.dim(1))
    throw std::invalid_argument("layer_norm: gamma/beta do not match the last dim of " + shape_string(xv.shape));
  const int64_t rows = xv.dim(0), d = xv.dim(1);
  auto xhat = std::make_shared<UninitializedVector<double>>(size_t(xv.numel()));
  auto inv_std = std::make_shared<std::vector<double>>(size_t(rows));
  const float* g = tape.value(gamma).ptr();
  const float* b = tape.value(beta).ptr();
  Tensor y = Tensor::uninitialized(xv.shape);  // every element is written below
  // rows of d elements, columns of rows elements: parallel when rows·d pays for the region (parallel.h)
  const int64_t min_lines = rows * d >= kParallelMinElements ? 2 : std::max(rows, d) + 1;
  const int64_t quads = (rows + kRowsAtOnce - 1) / kRowsAtOnce;
  parallel_for(quads, min_lines, [&](int64_t q) {
    const int64_t r0 = q * kRowsAtOnce, n = std::min(kRowsAtOnce, rows - r0);
    Moments mo[kRowsAtOnce];
    row_moments(xv.ptr(), d, r0, n, mo);
    for (int64_t r = r0; r < r0 + n; ++r) {
      const float* xr = xv.ptr() + r * d;
      const double mean = mo[r - r0].mean;
      const double is = 1.0 / std::sqrt(mo[r - r0].var + eps);
      (*inv_std)[size_t(r)] = is;
      for (int64_t j = 0; j < d; ++j) {
        const double h = (xr[j] - mean) * is;
        (*xhat)[size_t(r * d + j)] = h;
        y.data[size_t(r * d + j)] = float(g[j] * h + b[j]);
      }
    }
  });
  const bool ng = tape.needs_grad(x) || tape.needs_grad(gamma) || tape.needs_grad(beta);
  return tape.record(std::move(y), ng, [=](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    const float* gv = t.value(gamma).ptr();
    if (t.needs_grad(x)) {
      float* dx = t.grad(x).ptr();
      parallel_for(quads, min_lines, [&](int64_t q) {
        const int64_t r0 = q * kRowsAtOnce, n = std::min(kRowsAtOnce, rows - r0);
        GradSums sums[kRowsAtOnce];
        row_grad_sums(gv, dy.ptr(), xhat->data(), d, r0, n, sums);
        for (int64_t r = r0; r < r0 + n; ++r) {
          const float* dyr = dy.ptr() + r * d;
          const double* xh = xhat->data() + r * d;
          const double is = (*inv_std)[size_t(r)];
          for (int64_t j = 0; j < d; ++j)
            dx[r * d + j] += float(is / double(d) * centred(double(d), double(gv[j]) * dyr[j], sums[r - r0], xh[j]));
        }
      });
    }
    float* dg = t.needs_grad(gamma) ? t.grad(gamma).ptr() : nullptr;
    float* db = t.needs_grad(beta) ? t.grad(beta).ptr() : nullptr;
    // Columns in blocks of kColumns, each block's rows read once, front to back: column j's two sums still add
    // its rows in order (one chain per column, so the same bits), but the chains of a block run side by side in
    // vector lanes instead of one column's 2048-long chain at a time, striding down the rows.
    constexpr int64_t kColumns = 8;
    const int64_t blocks = (d + kColumns - 1) / kColumns;
    parallel_for(blocks, rows * d >= kParallelMinElements ? 2 : blocks + 1, [&](int64_t blk) {
      const int64_t j0 = blk * kColumns, width = std::min(kColumns, d - j0);
      double sg[kColumns] = {}, sb[kColumns] = {};
      for (int64_t r = 0; r < rows; ++r) {
        const float* dyr = dy.ptr() + r * d + j0;
        const double* xhr = xhat->data() + r * d + j0;
        for (int64_t c = 0; c < width; ++c) {
          sg[c] += double(dyr[c]) * xhr[c];
          sb[c] += dyr[c];
        }
      }
      for (int64_t c = 0; c < width; ++c) {
        if (dg) dg[j0 + c] += float(sg[c]);
        if (db) db[j0 + c] += float(sb[c]);
      }
    });
  });
}

}  // namespace fpsim::sim
