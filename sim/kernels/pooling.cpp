// Max and average pooling, NCHW; every (image, channel) plane is independent.
#include "sim/kernels/pooling.h"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace fpsim::sim {
namespace {

// Calls visit(iy, ix, inside) for every cell of output (oy, ox)'s window, in row-major window order.
template <class Visit>
void for_each_cell(const Pool2dShape& s, int oy, int ox, Visit visit) {
  for (int ky = 0; ky < s.kernel; ++ky)
    for (int kx = 0; kx < s.kernel; ++kx) {
      const int iy = oy * s.stride - s.padding + ky, ix = ox * s.stride - s.padding + kx;
      visit(iy, ix, iy >= 0 && ix >= 0 && iy < s.height && ix < s.width);
    }
}

// Index in the plane of the first maximum of output (oy, ox)'s window (−1 if the window is all padding).
std::ptrdiff_t argmax(const float* plane, const Pool2dShape& s, int oy, int ox) {
  std::ptrdiff_t best = -1;
  for_each_cell(s, oy, ox, [&](int iy, int ix, bool in) {
    if (!in) return;
    const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(iy) * s.width + ix;
    if (best < 0 || plane[at] > plane[best]) best = at;
  });
  return best;
}

}  // namespace

void Pool2dShape::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("pool2d: " + what); };
  if (batch <= 0 || channels <= 0 || height <= 0 || width <= 0)
    fail("sizes must be positive (batch " + std::to_string(batch) + ", channels " + std::to_string(channels) +
         ", " + std::to_string(height) + "x" + std::to_string(width) + ")");
  if (kernel <= 0 || stride <= 0) fail("kernel and stride must be positive");
  if (padding < 0 || 2 * padding > kernel) fail("padding " + std::to_string(padding) + " must be in [0, kernel/2]");
  if (kernel > height + 2 * padding || kernel > width + 2 * padding) fail("kernel does not fit the padded image");
}

void max_pool2d_forward(float* y, const float* x, const Pool2dShape& s) {
  s.validate();
  const int planes = s.batch * s.channels, oh = s.out_h(), ow = s.out_w();
#pragma omp parallel for schedule(static) if (planes >= 16)
  for (int q = 0; q < planes; ++q) {
    const float* plane = x + static_cast<std::size_t>(q) * s.height * s.width;
    float* out = y + static_cast<std::size_t>(q) * oh * ow;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) out[oy * ow + ox] = plane[argmax(plane, s, oy, ox)];
  }
}

void max_pool2d_backward(float* dx, const float* dy, const float* x, const Pool2dShape& s) {
  s.validate();
  const int planes = s.batch * s.channels, oh = s.out_h(), ow = s.out_w();
#pragma omp parallel for schedule(static) if (planes >= 16)
  for (int q = 0; q < planes; ++q) {  // overlapping windows add in output order within a plane
    const std::size_t in_offset = static_cast<std::size_t>(q) * s.height * s.width;
    const float* d = dy + static_cast<std::size_t>(q) * oh * ow;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) dx[in_offset + argmax(x + in_offset, s, oy, ox)] += d[oy * ow + ox];
  }
}

void avg_pool2d_forward(float* y, const float* x, const Pool2dShape& s) {
  s.validate();
  const int planes = s.batch * s.channels, oh = s.out_h(), ow = s.out_w();
  const float inv_area = 1.0f / static_cast<float>(s.kernel * s.kernel);
#pragma omp parallel for schedule(static) if (planes >= 16)
  for (int q = 0; q < planes; ++q) {
    const float* plane = x + static_cast<std::size_t>(q) * s.height * s.width;
    float* out = y + static_cast<std::size_t>(q) * oh * ow;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        float sum = 0.0f;
        for_each_cell(s, oy, ox, [&](int iy, int ix, bool in) {
          if (in) sum += plane[iy * s.width + ix];
        });
        out[oy * ow + ox] = sum * inv_area;
      }
  }
}

void avg_pool2d_backward(float* dx, const float* dy, const Pool2dShape& s) {
  s.validate();
  const int planes = s.batch * s.channels, oh = s.out_h(), ow = s.out_w();
  const float inv_area = 1.0f / static_cast<float>(s.kernel * s.kernel);
#pragma omp parallel for schedule(static) if (planes >= 16)
  for (int q = 0; q < planes; ++q) {
    float* plane = dx + static_cast<std::size_t>(q) * s.height * s.width;
    const float* d = dy + static_cast<std::size_t>(q) * oh * ow;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const float g = d[oy * ow + ox] * inv_area;
        for_each_cell(s, oy, ox, [&](int iy, int ix, bool in) {
          if (in) plane[iy * s.width + ix] += g;
        });
      }
  }
}

}  // namespace fpsim::sim
