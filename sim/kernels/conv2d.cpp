// conv2d through im2col and one GEMM per pass over the whole batch.
//
// COL [Cin·KH·KW, batch·OH·OW]: row (c, kh, kw), column (n, oh, ow) holds
//   x[n][c][oh·stride − padding + kh][ow·stride − padding + kw]   (0 outside the image).
// forward:  Y' [Cout, batch·OH·OW] = W [Cout, Cin·KH·KW] · COL            (GEMM NN), then y[n][co] = Y'[co][n,·] + bias
// backward: dY' = dy laid out as [Cout, batch·OH·OW]
//           dW  += dY' · COLᵀ   (GEMM NT; K runs over (n, oh, ow) in increasing order)
//           dCOL = Wᵀ · dY'     (GEMM TN), scattered back into dx (col2im, per image in a fixed order)
#include "sim/kernels/conv2d.h"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace fpsim::sim {
namespace {

struct Dims {
  std::size_t batch, cin, h, w, cout, kh, kw, oh, ow, stride, pad;
  std::size_t rows() const { return cin * kh * kw; }    // COL rows
  std::size_t plane() const { return oh * ow; }          // outputs per image and channel
  std::size_t cols() const { return batch * plane(); }   // COL columns
};

Dims dims_of(const Conv2dShape& s) {
  s.validate();
  auto u = [](int v) { return static_cast<std::size_t>(v); };
  return {u(s.batch), u(s.in_channels), u(s.height), u(s.width), u(s.out_channels), u(s.kernel_h),
          u(s.kernel_w), u(s.out_h()), u(s.out_w()), u(s.stride), u(s.padding)};
}

// Visits (COL row, image row iy, image column ix) of image n; iy/ix may be out of bounds (padding).
template <class Visit>
void for_each_tap(const Dims& d, std::size_t n, Visit visit) {
  for (std::size_t c = 0; c < d.cin; ++c)
    for (std::size_t ky = 0; ky < d.kh; ++ky)
      for (std::size_t kx = 0; kx < d.kw; ++kx) {
        const std::size_t row = (c * d.kh + ky) * d.kw + kx;
        for (std::size_t oy = 0; oy < d.oh; ++oy) {
          const auto iy = static_cast<std::ptrdiff_t>(oy * d.stride + ky) - static_cast<std::ptrdiff_t>(d.pad);
          for (std::size_t ox = 0; ox < d.ow; ++ox) {
            const auto ix = static_cast<std::ptrdiff_t>(ox * d.stride + kx) - static_cast<std::ptrdiff_t>(d.pad);
            visit(c, row, n * d.plane() + oy * d.ow + ox, iy, ix);
          }
        }
      }
}

bool inside(const Dims& d, std::ptrdiff_t iy, std::ptrdiff_t ix) {
  return iy >= 0 && ix >= 0 && iy < static_cast<std::ptrdiff_t>(d.h) && ix < static_cast<std::ptrdiff_t>(d.w);
}

std::vector<float> im2col(const float* x, const Dims& d) {
  std::vector<float> col(d.rows() * d.cols());
  const auto batch = static_cast<std::ptrdiff_t>(d.batch);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t n = 0; n < batch; ++n) {
    const float* image = x + static_cast<std::size_t>(n) * d.cin * d.h * d.w;
    for_each_tap(d, static_cast<std::size_t>(n), [&](std::size_t c, std::size_t row, std::size_t column,
                                                     std::ptrdiff_t iy, std::ptrdiff_t ix) {
      col[row * d.cols() + column] = inside(d, iy, ix) ? image[(c * d.h + iy) * d.w + ix] : 0.0f;
    });
  }
  return col;
}

}  // namespace

void Conv2dShape::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("conv2d: " + what); };
  auto positive = [&](int v, const char* name) {
    if (v <= 0) fail(std::string(name) + " = " + std::to_string(v) + " must be positive");
  };
  positive(batch, "batch");
  positive(in_channels, "in_channels");
  positive(height, "height");
  positive(width, "width");
  positive(out_channels, "out_channels");
  positive(kernel_h, "kernel_h");
  positive(kernel_w, "kernel_w");
  positive(stride, "stride");
  if (padding < 0) fail("padding = " + std::to_string(padding) + " must not be negative");
  if (kernel_h > height + 2 * padding || kernel_w > width + 2 * padding)
    fail("kernel " + std::to_string(kernel_h) + "x" + std::to_string(kernel_w) + " does not fit the padded " +
         std::to_string(height + 2 * padding) + "x" + std::to_string(width + 2 * padding) + " image");
}

void conv2d_forward(float* y, const float* x, const float* w, const float* bias, const Conv2dShape& s,
                    const Accumulation& acc) {
  const Dims d = dims_of(s);
  const std::vector<float> col = im2col(x, d);
  std::vector<float> out(d.cout * d.cols());
  const int rows = static_cast<int>(d.rows()), cols = static_cast<int>(d.cols());
  gemm({Trans::No, Trans::No, static_cast<int>(d.cout), cols, rows, w, rows, col.data(), cols, out.data(), cols,
        false},
       acc);
  // Y' [co][n, p] -> y [n][co][p], plus bias
  const auto batch = static_cast<std::ptrdiff_t>(d.batch);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t n = 0; n < batch; ++n)
    for (std::size_t co = 0; co < d.cout; ++co) {
      const float* src = out.data() + co * d.cols() + static_cast<std::size_t>(n) * d.plane();
      float* dst = y + (static_cast<std::size_t>(n) * d.cout + co) * d.plane();
      const float b = bias != nullptr ? bias[co] : 0.0f;
      for (std::size_t p = 0; p < d.plane(); ++p) dst[p] = bias != nullptr ? src[p] + b : src[p];
    }
}

void conv2d_backward(float* dx, float* dw, float* dbias, const float* dy, const float* x, const float* w,
                     const Conv2dShape& s, const Accumulation& acc) {
  const Dims d = dims_of(s);
  const int rows = static_cast<int>(d.rows()), cols = static_cast<int>(d.cols()), cout = static_cast<int>(d.cout);
  // dY' [co][n, p] = dy [n][co][p]
  std::vector<float> dy_t(d.cout * d.cols());
  for (std::size_t n = 0; n < d.batch; ++n)
    for (std::size_t co = 0; co < d.cout; ++co) {
      const float* src = dy + (n * d.cout + co) * d.plane();
      std::copy(src, src + d.plane(), dy_t.begin() + static_cast<std::ptrdiff_t>(co * d.cols() + n * d.plane()));
    }
  if (dbias != nullptr)  // dbias[co] += Σ over (n, p) in increasing order
    for (std::size_t co = 0; co < d.cout; ++co)
      for (std::size_t q = 0; q < d.cols(); ++q) dbias[co] += dy_t[co * d.cols() + q];
  if (dw != nullptr) {
    const std::vector<float> col = im2col(x, d);
    gemm({Trans::No, Trans::Yes, cout, rows, cols, dy_t.data(), cols, col.data(), cols, dw, rows, true}, acc);
  }
  if (dx != nullptr) {
    std::vector<float> dcol(d.rows() * d.cols());
    gemm({Trans::Yes, Trans::No, rows, cols, cout, w, rows, dy_t.data(), cols, dcol.data(), cols, false}, acc);
    const auto batch = static_cast<std::ptrdiff_t>(d.batch);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t n = 0; n < batch; ++n) {  // images are disjoint in dx; taps in a fixed order
      float* image = dx + static_cast<std::size_t>(n) * d.cin * d.h * d.w;
      for_each_tap(d, static_cast<std::size_t>(n), [&](std::size_t c, std::size_t row, std::size_t column,
                                                       std::ptrdiff_t iy, std::ptrdiff_t ix) {
        if (inside(d, iy, ix)) image[(c * d.h + iy) * d.w + ix] += dcol[row * d.cols() + column];
      });
    }
  }
}

}  // namespace fpsim::sim
