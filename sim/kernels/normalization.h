#pragma once
// Batch norm and layer norm, forward/backward. Statistics are summed in binary64 in a fixed order
// (deterministic for any thread count), then stored as float.
//
// Batch norm shapes: x, y [batch, channels, spatial] (spatial = H·W for NCHW, 1 for [batch, features]);
// gamma, beta, running_mean, running_var, save_mean, save_rstd [channels].
// Layer norm shapes: x, y [rows, dim]; gamma, beta [dim]; save_mean, save_rstd [rows].
#include <cstdint>

namespace fpsim::sim {

struct BatchNormShape {
  int batch = 1, channels = 1, spatial = 1;
};

/// Train mode: normalises with the batch statistics over (batch, spatial), the biased variance
/// var_B; y = gamma·(x − mean)·rstd + beta, rstd = 1/√(var_B + eps). Saves mean and rstd for backward
/// and updates running_mean = (1−momentum)·running_mean + momentum·mean and running_var likewise
/// with the unbiased variance var_B·n/(n−1) (PyTorch's convention; momentum 0.1 there).
/// Example: batch_norm_forward_train(y, mean, rstd, rmean, rvar, x, g, b, {128, 6, 784}, 0.1f, 1e-5f).
void batch_norm_forward_train(float* y, float* save_mean, float* save_rstd, float* running_mean,
                              float* running_var, const float* x, const float* gamma, const float* beta,
                              const BatchNormShape& s, float momentum, float eps);

/// Eval mode: y = gamma·(x − running_mean)/√(running_var + eps) + beta.
/// Example: batch_norm_forward_eval(y, x, g, b, rmean, rvar, {10000, 6, 784}, 1e-5f).
void batch_norm_forward_eval(float* y, const float* x, const float* gamma, const float* beta,
                             const float* running_mean, const float* running_var, const BatchNormShape& s,
                             float eps);

/// Train-mode backward (through the batch statistics). Accumulates dx, dgamma, dbeta (each may be null).
/// Example: batch_norm_backward(dx, dg, db, dy, x, mean, rstd, g, {128, 6, 784}).
void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* save_mean, const float* save_rstd, const float* gamma,
                         const BatchNormShape& s);

/// y = gamma·(x − mean_row)·rstd_row + beta per row, biased variance, rstd = 1/√(var + eps); saves
/// mean and rstd per row. Example: layer_norm_forward(y, mean, rstd, x, g, b, 64, 256, 1e-5f).
void layer_norm_forward(float* y, float* save_mean, float* save_rstd, const float* x, const float* gamma,
                        const float* beta, int rows, int dim, float eps);

/// Accumulates dx, dgamma, dbeta (each may be null). Example: layer_norm_backward(dx, dg, db, dy, x, mean, rstd, g, 64, 256).
void layer_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                         const float* save_mean, const float* save_rstd, const float* gamma, int rows, int dim);

}  // namespace fpsim::sim
