// conv2d through im2col + gemm, and max/average pooling.
#include <limits>
#include <memory>
#include <stdexcept>

#include "sim/ops/ops.h"
#include "sim/parallel.h"

namespace fpsim::sim {
namespace {

struct ConvGeometry {
  int64_t n, c, h, w, o, kh, kw, oh, ow, stride, pad;
  int64_t rows() const { return n * oh * ow; }   // im2col rows: one per output position
  int64_t cols() const { return c * kh * kw; }   // im2col columns: one per kernel tap
};

// cols[(b·OH + y)·OW + x, (ch·KH + i)·KW + j] = x[b, ch, y·s + i - pad, x·s + j - pad] (0 outside).
void im2col(const float* x, const ConvGeometry& g, float* cols) {
  parallel_for(g.n * g.oh, 4, [&](int64_t by) {
    const int64_t b = by / g.oh, oy = by % g.oh;
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      float* row = cols + (by * g.ow + ox) * g.cols();
      for (int64_t ch = 0; ch < g.c; ++ch)
        for (int64_t i = 0; i < g.kh; ++i)
          for (int64_t j = 0; j < g.kw; ++j) {
            const int64_t iy = oy * g.stride + i - g.pad, ix = ox * g.stride + j - g.pad;
            const bool inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
            *row++ = inside ? x[((b * g.c + ch) * g.h + iy) * g.w + ix] : 0.0f;
          }
    }
  });
}

// The adjoint of im2col: dx[b, ch, iy, ix] += Σ over the cols entries that read it. Parallel over
// images b (each writes only its own dx slice); inside, a fixed sequential order.
void col2im_add(const float* dcols, const ConvGeometry& g, float* dx) {
  parallel_for(g.n, 2, [&](int64_t b) {
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        const float* row = dcols + ((b * g.oh + oy) * g.ow + ox) * g.cols();
        for (int64_t ch = 0; ch < g.c; ++ch)
          for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j, ++row) {
              const int64_t iy = oy * g.stride + i - g.pad, ix = ox * g.stride + j - g.pad;
              if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) dx[((b * g.c + ch) * g.h + iy) * g.w + ix] += *row;
            }
      }
  });
}

}  // namespace

// y[N,O,OH,OW]: Y[rows, O] = cols[rows, CKK]·w[O, CKK]ᵀ, then transposed to NCHW.
// dW[O,CKK] += dYᵀ·cols;  dcols = dY·w, scattered back by col2im.
Var conv2d(Tape& tape, Var x, Var w, Conv2dShape shape, const LayerGemm& lg) {
  const Tensor& xv = tape.value(x);
  const Tensor& wv = tape.value(w);
  if (xv.rank() != 4 || wv.rank() != 4 || xv.dim(1) != wv.dim(1) || shape.stride < 1 || shape.padding < 0)
    throw std::invalid_argument("conv2d: input " + shape_string(xv.shape) + " and kernel " + shape_string(wv.shape) +
                                " do not match");
  ConvGeometry g{xv.dim(0), xv.dim(1), xv.dim(2), xv.dim(3), wv.dim(0), wv.dim(2), wv.dim(3), 0, 0,
                 shape.stride, shape.padding};
  g.oh = (g.h + 2 * g.pad - g.kh) / g.stride + 1;
  g.ow = (g.w + 2 * g.pad - g.kw) / g.stride + 1;
  if (g.oh < 1 || g.ow < 1) throw std::invalid_argument("conv2d: kernel larger than the padded input");
  auto cols = std::make_shared<UninitializedVector<float>>(size_t(g.rows() * g.cols()));
  im2col(xv.ptr(), g, cols->data());
  UninitializedVector<float> ymat(size_t(g.rows() * g.o));  // the GEMM writes it (accumulate = false)
  layer_gemm(GemmPass::Fprop,
             {Trans::No, Trans::Yes, int(g.rows()), int(g.o), int(g.cols()), cols->data(), int(g.cols()), wv.ptr(),
              int(g.cols()), ymat.data(), int(g.o), false},
             lg);
  Tensor y = Tensor::uninitialized({g.n, g.o, g.oh, g.ow});  // every element is copied from ymat
  const int64_t plane = g.oh * g.ow;
  parallel_for(g.n, 2, [&](int64_t b) {
    for (int64_t p = 0; p < plane; ++p)
      for (int64_t o = 0; o < g.o; ++o) y.data[size_t((b * g.o + o) * plane + p)] = ymat[size_t((b * plane + p) * g.o + o)];
  });
  const bool ng = tape.needs_grad(x) || tape.needs_grad(w);
  return tape.record(std::move(y), ng, [x, w, g, cols, lg](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    const int64_t plane = g.oh * g.ow;
    UninitializedVector<float> dymat(size_t(g.rows() * g.o));  // dy transposed: every element written
    parallel_for(g.n, 2, [&](int64_t b) {
      for (int64_t o = 0; o < g.o; ++o)
        for (int64_t p = 0; p < plane; ++p) dymat[size_t((b * plane + p) * g.o + o)] = dy.data[size_t((b * g.o + o) * plane + p)];
    });
    if (t.needs_grad(w))
      layer_gemm(GemmPass::Wgrad,
                 {Trans::Yes, Trans::No, int(g.o), int(g.cols()), int(g.rows()), dymat.data(), int(g.o), cols->data(),
                  int(g.cols()), t.grad(w).ptr(), int(g.cols()), true},
                 lg);
    if (t.needs_grad(x)) {
      UninitializedVector<float> dcols(size_t(g.rows() * g.cols()));  // the GEMM writes it (accumulate = false)
      layer_gemm(GemmPass::Dgrad,
                 {Trans::No, Trans::No, int(g.rows()), int(g.cols()), int(g.o), dymat.data(), int(g.o), t.value(w).ptr(),
                  int(g.cols()), dcols.data(), int(g.cols()), false},
                 lg);
      col2im_add(dcols.data(), g, t.grad(x).ptr());
    }
  });
}

namespace {

enum class PoolKind { Max, Average };

Var pool2d(Tape& tape, Var x, int k, int stride, PoolKind kind) {
  const Tensor& xv = tape.value(x);
  if (xv.rank() != 4 || k < 1 || stride < 1 || xv.dim(2) < k || xv.dim(3) < k)
    throw std::invalid_argument("pool2d: window " + std::to_string(k) + " does not fit input " + shape_string(xv.shape));
  const int64_t planes = xv.dim(0) * xv.dim(1), h = xv.dim(2), w = xv.dim(3);
  const int64_t oh = (h - k) / stride + 1, ow = (w - k) / stride + 1;
  Tensor y({xv.dim(0), xv.dim(1), oh, ow});
  // Max: the flat input index chosen for each output (first maximum in window order).
  auto argmax = std::make_shared<std::vector<int64_t>>(kind == PoolKind::Max ? size_t(y.numel()) : 0);
  parallel_for(planes, 2, [&](int64_t pl) {
    const float* in = xv.ptr() + pl * h * w;
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t out = (pl * oh + oy) * ow + ox;
        if (kind == PoolKind::Max) {
          int64_t best = (oy * stride) * w + ox * stride;
          for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
              const int64_t idx = (oy * stride + i) * w + ox * stride + j;
              if (in[idx] > in[best]) best = idx;
            }
          y.data[size_t(out)] = in[best];
          (*argmax)[size_t(out)] = pl * h * w + best;
        } else {
          double s = 0;
          for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) s += in[(oy * stride + i) * w + ox * stride + j];
          y.data[size_t(out)] = float(s / double(k * k));
        }
      }
  });
  return tape.record(std::move(y), tape.needs_grad(x), [=](Tape& t, Var self) {
    const Tensor& dy = t.grad(self);
    Tensor& dx = t.grad(x);
    parallel_for(planes, 2, [&](int64_t pl) {
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t out = (pl * oh + oy) * ow + ox;
          const float g = dy.data[size_t(out)];
          if (kind == PoolKind::Max) {
            dx.data[size_t((*argmax)[size_t(out)])] += g;
          } else {
            const float share = float(double(g) / double(k * k));
            for (int i = 0; i < k; ++i)
              for (int j = 0; j < k; ++j) dx.data[size_t(pl * h * w + (oy * stride + i) * w + ox * stride + j)] += share;
          }
        }
    });
  });
}

}  // namespace

Var max_pool2d(Tape& tape, Var x, int k, int stride) { return pool2d(tape, x, k, stride, PoolKind::Max); }
Var avg_pool2d(Tape& tape, Var x, int k, int stride) { return pool2d(tape, x, k, stride, PoolKind::Average); }

}  // namespace fpsim::sim
