// Batch norm and layer norm. Statistics and gradient sums in binary64, each in a fixed order; the
// OpenMP split is over channels (batch norm) or rows / features (layer norm), never inside a sum.
#include "sim/kernels/normalization.h"

#include <cmath>
#include <cstddef>

namespace fpsim::sim {
namespace {

// x[n][c][p] of a [batch, channels, spatial] tensor.
inline std::size_t at(const BatchNormShape& s, int n, int c, int p) {
  return (static_cast<std::size_t>(n) * s.channels + c) * s.spatial + p;
}

}  // namespace

void batch_norm_forward_train(float* y, float* save_mean, float* save_rstd, float* running_mean,
                              float* running_var, const float* x, const float* gamma, const float* beta,
                              const BatchNormShape& s, float momentum, float eps) {
  const double count = static_cast<double>(s.batch) * s.spatial;
#pragma omp parallel for schedule(static) if (s.channels >= 4)
  for (int c = 0; c < s.channels; ++c) {
    // 1. mean, 2. biased variance (two passes), 3. normalise, 4. running statistics
    double sum = 0.0;
    for (int n = 0; n < s.batch; ++n)
      for (int p = 0; p < s.spatial; ++p) sum += x[at(s, n, c, p)];
    const double mean = sum / count;
    double squares = 0.0;
    for (int n = 0; n < s.batch; ++n)
      for (int p = 0; p < s.spatial; ++p) {
        const double centered = x[at(s, n, c, p)] - mean;
        squares += centered * centered;
      }
    const double var = squares / count;
    const double rstd = 1.0 / std::sqrt(var + eps);
    save_mean[c] = static_cast<float>(mean);
    save_rstd[c] = static_cast<float>(rstd);
    const float scale = gamma[c] * static_cast<float>(rstd), shift = beta[c], m = static_cast<float>(mean);
    for (int n = 0; n < s.batch; ++n)
      for (int p = 0; p < s.spatial; ++p) y[at(s, n, c, p)] = (x[at(s, n, c, p)] - m) * scale + shift;
    const double unbiased = count > 1 ? var * count / (count - 1) : var;
    running_mean[c] = static_cast<float>((1.0 - momentum) * running_mean[c] + momentum * mean);
    running_var[c] = static_cast<float>((1.0 - momentum) * running_var[c] + momentum * unbiased);
  }
}

void batch_norm_forward_eval(float* y, const float* x, const float* gamma, const float* beta,
                             const float* running_mean, const float* running_var, const BatchNormShape& s,
                             float eps) {
#pragma omp parallel for schedule(static) if (s.channels >= 4)
  for (int c = 0; c < s.channels; ++c) {
    const float scale = static_cast<float>(gamma[c] / std::sqrt(static_cast<double>(running_var[c]) + eps));
    const float m = running_mean[c], shift = beta[c];
    for (int n = 0; n < s.batch; ++n)
      for (int p = 0; p < s.spatial; ++p) y[at(s, n, c, p)] = (x[at(s, n, c, p)] - m) * scale + shift;
  }
}

void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* save_mean, const float* save_rstd, const float* gamma,
                         const BatchNormShape& s) {
  const double count = static_cast<double>(s.batch) * s.spatial;
#pragma omp parallel for schedule(static) if (s.channels >= 4)
  for (int c = 0; c < s.channels; ++c) {
    // With x̂ = (x − mean)·rstd and y = γ·x̂ + β over the N = batch·spatial values of channel c:
    //   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·rstd·(dy − dβ/N − x̂·dγ/N)
    const double mean = save_mean[c], rstd = save_rstd[c];
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int n = 0; n < s.batch; ++n)
      for (int p = 0; p < s.spatial; ++p) {
        const std::size_t i = at(s, n, c, p);
        sum_dy += dy[i];
        sum_dy_xhat += dy[i] * ((x[i] - mean) * rstd);
      }
    if (dbeta != nullptr) dbeta[c] += static_cast<float>(sum_dy);
    if (dgamma != nullptr) dgamma[c] += static_cast<float>(sum_dy_xhat);
    if (dx == nullptr) continue;
    const double g = gamma[c] * rstd, mean_dy = sum_dy / count, mean_dy_xhat = sum_dy_xhat / count;
    for (int n = 0; n < s.batch; ++n)
      for (int p = 0; p < s.spatial; ++p) {
        const std::size_t i = at(s, n, c, p);
        const double xhat = (x[i] - mean) * rstd;
        dx[i] += static_cast<float>(g * (dy[i] - mean_dy - xhat * mean_dy_xhat));
      }
  }
}

void layer_norm_forward(float* y, float* save_mean, float* save_rstd, const float* x, const float* gamma,
                        const float* beta, int rows, int dim, float eps) {
#pragma omp parallel for schedule(static) if (rows >= 16)
  for (int r = 0; r < rows; ++r) {
    const float* in = x + static_cast<std::size_t>(r) * dim;
    float* out = y + static_cast<std::size_t>(r) * dim;
    double sum = 0.0;
    for (int d = 0; d < dim; ++d) sum += in[d];
    const double mean = sum / dim;
    double squares = 0.0;
    for (int d = 0; d < dim; ++d) squares += (in[d] - mean) * (in[d] - mean);
    const double rstd = 1.0 / std::sqrt(squares / dim + eps);
    save_mean[r] = static_cast<float>(mean);
    save_rstd[r] = static_cast<float>(rstd);
    const float m = static_cast<float>(mean), rs = static_cast<float>(rstd);
    for (int d = 0; d < dim; ++d) out[d] = (in[d] - m) * rs * gamma[d] + beta[d];
  }
}

void layer_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* save_mean, const float* save_rstd, const float* gamma, int rows, int dim) {
  if (dx != nullptr) {
    // Per row, with x̂ = (x − mean)·rstd and g = γ·dy: dx = rstd·(g − mean(g) − x̂·mean(g·x̂))
#pragma omp parallel for schedule(static) if (rows >= 16)
    for (int r = 0; r < rows; ++r) {
      const std::size_t o = static_cast<std::size_t>(r) * dim;
      const double mean = save_mean[r], rstd = save_rstd[r];
      double sum_g = 0.0, sum_g_xhat = 0.0;
      for (int d = 0; d < dim; ++d) {
        const double g = static_cast<double>(gamma[d]) * dy[o + d];
        sum_g += g;
        sum_g_xhat += g * ((x[o + d] - mean) * rstd);
      }
      const double mean_g = sum_g / dim, mean_g_xhat = sum_g_xhat / dim;
      for (int d = 0; d < dim; ++d) {
        const double xhat = (x[o + d] - mean) * rstd;
        dx[o + d] += static_cast<float>(rstd * (static_cast<double>(gamma[d]) * dy[o + d] - mean_g - xhat * mean_g_xhat));
      }
    }
  }
  if (dgamma == nullptr && dbeta == nullptr) return;
  // dγ[d] += Σ_rows dy·x̂, dβ[d] += Σ_rows dy: split over features, rows summed in order
#pragma omp parallel for schedule(static) if (dim >= 64)
  for (int d = 0; d < dim; ++d) {
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int r = 0; r < rows; ++r) {
      const std::size_t i = static_cast<std::size_t>(r) * dim + d;
      sum_dy += dy[i];
      sum_dy_xhat += dy[i] * ((x[i] - static_cast<double>(save_mean[r])) * save_rstd[r]);
    }
    if (dbeta != nullptr) dbeta[d] += static_cast<float>(sum_dy);
    if (dgamma != nullptr) dgamma[d] += static_cast<float>(sum_dy_xhat);
  }
}

}  // namespace fpsim::sim
