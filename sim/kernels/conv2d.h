#pragma once
// 2-D convolution (cross-correlation, as deep-learning frameworks define it), NCHW, through im2col
// and the deterministic GEMM. Shapes: x [batch, in_channels, height, width],
// w [out_channels, in_channels, kernel_h, kernel_w], bias [out_channels] (may be null),
// y [batch, out_channels, out_h, out_w] with out_h = (height + 2·padding − kernel_h) / stride + 1.
// Zero padding on all four sides.
#include "sim/gemm.h"

namespace fpsim::sim {

struct Conv2dShape {
  int batch = 1, in_channels = 1, height = 1, width = 1;
  int out_channels = 1, kernel_h = 1, kernel_w = 1;
  int stride = 1, padding = 0;
  int out_h() const { return (height + 2 * padding - kernel_h) / stride + 1; }
  int out_w() const { return (width + 2 * padding - kernel_w) / stride + 1; }
  /// Throws std::invalid_argument naming the field when a size is non-positive or the kernel does
  /// not fit. Example: Conv2dShape{128, 1, 28, 28, 6, 5, 5, 1, 2}.validate() passes (LeNet conv1).
  void validate() const;
};

/// y = conv(x, w) + bias; y overwritten. Per image: y_n[Cout, OH·OW] = W[Cout, Cin·KH·KW] · col_n (GEMM NN).
/// Example: conv2d_forward(y, x, w, b, Conv2dShape{128, 1, 28, 28, 6, 5, 5, 1, 2}).
void conv2d_forward(float* y, const float* x, const float* w, const float* bias, const Conv2dShape& s,
                    const Accumulation& acc = kFp32Accumulation);

/// Accumulates dx += ∂, dw += Σ_n dy_n · col_nᵀ (GEMM NT, images in increasing order), dbias += Σ dy.
/// dx via dcol_n = Wᵀ·dy_n (GEMM TN) scattered back (col2im). Any gradient pointer may be null.
/// Example: conv2d_backward(nullptr, dw, db, dy, x, w, s) skips the input gradient of the first conv.
void conv2d_backward(float* dx, float* dw, float* dbias, const float* dy, const float* x, const float* w,
                     const Conv2dShape& s, const Accumulation& acc = kFp32Accumulation);

}  // namespace fpsim::sim
