#pragma once
// Max and average pooling over square windows, NCHW.
// Shapes: x [batch, channels, height, width], y [batch, channels, out_h, out_w] with
// out_h = (height + 2·padding − kernel) / stride + 1. Padding cells are ignored by max pooling and
// count as zeros for average pooling (divisor kernel², PyTorch's count_include_pad=true).
namespace fpsim::sim {

struct Pool2dShape {
  int batch = 1, channels = 1, height = 1, width = 1;
  int kernel = 2, stride = 2, padding = 0;
  int out_h() const { return (height + 2 * padding - kernel) / stride + 1; }
  int out_w() const { return (width + 2 * padding - kernel) / stride + 1; }
  /// Throws std::invalid_argument naming the field. Example: Pool2dShape{128, 6, 28, 28, 2, 2}.validate().
  void validate() const;
};

/// y = max over each window. Example: max_pool2d_forward(y, x, Pool2dShape{1, 1, 4, 4, 2, 2}).
void max_pool2d_forward(float* y, const float* x, const Pool2dShape& s);
/// Accumulates dx[argmax] += dy per window; the argmax is recomputed from x (first maximum in
/// row-major window order wins ties). Example: max_pool2d_backward(dx, dy, x, s).
void max_pool2d_backward(float* dx, const float* dy, const float* x, const Pool2dShape& s);

/// y = (Σ window) / kernel². Example: avg_pool2d_forward(y, x, Pool2dShape{1, 1, 4, 4, 2, 2}).
void avg_pool2d_forward(float* y, const float* x, const Pool2dShape& s);
/// Accumulates dx += dy / kernel² over each window's in-bounds cells. Example: avg_pool2d_backward(dx, dy, s).
void avg_pool2d_backward(float* dx, const float* dy, const Pool2dShape& s);

}  // namespace fpsim::sim
