#include "sim/data/text.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "numerics/core/random.h"

namespace fpsim::sim {
namespace {

Dataset text_part(std::span<const uint8_t> bytes, int context) {
  Dataset d;
  d.bytes.assign(bytes.begin(), bytes.end());
  d.context = context;
  d.channels = 1, d.height = 1, d.width = context;
  d.classes = 256;
  return d;
}

// Inputs bytes[o .. o+T) into row `row` of x and targets bytes[o+1 .. o+T] into y.
void copy_window(const Dataset& d, uint64_t offset, int64_t row, Tensor& x, std::vector<int32_t>& y) {
  const int64_t t = d.context;
  for (int64_t j = 0; j < t; ++j) {
    x.data[size_t(row * t + j)] = float(d.bytes[size_t(offset) + size_t(j)]);
    y[size_t(row * t + j)] = d.bytes[size_t(offset) + size_t(j) + 1];
  }
}

void shape_batch(const Dataset& d, int64_t n, Tensor& x, std::vector<int32_t>& y) {
  if (x.shape != Shape{n, d.context}) x = Tensor({n, d.context});
  y.resize(size_t(n * d.context));
}

}  // namespace

TextSplit split_text(std::span<const uint8_t> bytes, int context, double valid_fraction, int64_t eval_windows) {
  if (context < 1 || !(valid_fraction > 0 && valid_fraction < 1) || eval_windows < 1)
    throw std::invalid_argument("text: needs context >= 1, a validation fraction in (0, 1) and eval windows >= 1");
  const size_t valid = size_t(double(bytes.size()) * valid_fraction);
  const size_t train = bytes.size() - valid;
  if (train < size_t(context) + 1 || valid < size_t(context) + 1)
    throw std::invalid_argument("text: " + std::to_string(bytes.size()) + " bytes are too few for a training and a "
                                "validation part of at least context + 1 = " + std::to_string(context + 1) + " bytes");
  TextSplit s{text_part(bytes.first(train), context), text_part(bytes.subspan(train), context)};
  s.train.count = int64_t(train - 1) / context;
  s.valid.count = std::min<int64_t>(eval_windows, int64_t(valid) - context);
  return s;
}

void text_train_batch(const Dataset& d, uint64_t seed, int64_t step, int64_t n, Tensor& x, std::vector<int32_t>& y) {
  shape_batch(d, n, x, y);
  const RandomStream rs(seed, uint64_t(step), stream_id("text/window"));
  const uint64_t offsets = d.bytes.size() - uint64_t(d.context);  // starts 0 .. size - T - 1
  for (int64_t i = 0; i < n; ++i) copy_window(d, rs.bits(uint64_t(i)) % offsets, i, x, y);
}

void text_eval_batch(const Dataset& d, int64_t first, int64_t n, Tensor& x, std::vector<int32_t>& y) {
  shape_batch(d, n, x, y);
  const uint64_t offsets = d.bytes.size() - uint64_t(d.context);
  for (int64_t i = 0; i < n; ++i) copy_window(d, uint64_t(first + i) * offsets / uint64_t(d.count), i, x, y);
}

}  // namespace fpsim::sim
