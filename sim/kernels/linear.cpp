// Fully connected layer through the deterministic GEMM. Shapes in sim/kernels/linear.h.
#include "sim/kernels/linear.h"

#include <cstddef>

namespace fpsim::sim {

void linear_forward(float* y, const float* x, const float* w, const float* bias, int batch, int in, int out,
                    const Accumulation& acc) {
  // y [batch, out] = x [batch, in] · w [in, out]   (GEMM NN)
  gemm({Trans::No, Trans::No, batch, out, in, x, in, w, out, y, out, false}, acc);
  if (bias == nullptr) return;
  for (int b = 0; b < batch; ++b) {
    float* row = y + static_cast<std::size_t>(b) * out;
    for (int o = 0; o < out; ++o) row[o] += bias[o];
  }
}

void linear_backward(float* dx, float* dw, float* dbias, const float* dy, const float* x, const float* w,
                     int batch, int in, int out, const Accumulation& acc) {
  // dx [batch, in] += dy [batch, out] · wᵀ [out, in]   (GEMM NT)
  if (dx != nullptr) gemm({Trans::No, Trans::Yes, batch, in, out, dy, out, w, out, dx, in, true}, acc);
  // dw [in, out] += xᵀ [in, batch] · dy [batch, out]   (GEMM TN)
  if (dw != nullptr) gemm({Trans::Yes, Trans::No, in, out, batch, x, in, dy, out, dw, out, true}, acc);
  if (dbias != nullptr) {
    // dbias[o] += dy[0][o] + dy[1][o] + ... in row order (a fixed float chain per o)
    for (int b = 0; b < batch; ++b) {
      const float* row = dy + static_cast<std::size_t>(b) * out;
      for (int o = 0; o < out; ++o) dbias[o] += row[o];
    }
  }
}

}  // namespace fpsim::sim
