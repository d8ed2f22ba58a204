// Text data for the language model (windows keyed by seed and step, fixed evaluation windows) and
// global-norm gradient clipping.
#include <catch2/catch.hpp>
#include <string>

#include "sim/data/text.h"
#include "sim/optim/clip.h"

using namespace fpsim;
using namespace fpsim::sim;

namespace {

std::vector<uint8_t> corpus(size_t n) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t((i * 7 + i / 13) % 251);  // no period shorter than the corpus parts
  return b;
}

}  // namespace

TEST_CASE("text split keeps the last fraction for validation, with fixed evenly spread windows", "[sim][text]") {
  const std::vector<uint8_t> bytes = corpus(10000);
  const TextSplit s = split_text(bytes, 16, 0.1, 50);
  CHECK(s.train.bytes.size() == 9000);
  CHECK(std::equal(s.valid.bytes.begin(), s.valid.bytes.end(), bytes.begin() + 9000));
  CHECK(s.train.count == 8999 / 16);
  CHECK(s.valid.count == 50);
  Tensor x;
  std::vector<int32_t> y;
  text_eval_batch(s.valid, 49, 1, x, y);
  const size_t last = (49 * (1000 - 16)) / 50;  // window 49's offset in the validation part
  CHECK(x.data[0] == float(bytes[9000 + last]));
  CHECK(y[15] == bytes[9000 + last + 16]);
  CHECK_THROWS_AS(split_text(corpus(20), 16, 0.1, 5), std::invalid_argument);
}

TEST_CASE("training windows depend only on (seed, step); targets are the next bytes", "[sim][text]") {
  const TextSplit s = split_text(corpus(5000), 8, 0.2, 10);
  Tensor x1, x2, x3;
  std::vector<int32_t> y1, y2, y3;
  text_train_batch(s.train, 3, 17, 4, x1, y1);
  text_train_batch(s.train, 3, 18, 4, x3, y3);  // another step in between must not matter
  text_train_batch(s.train, 3, 17, 4, x2, y2);
  CHECK(x1.data == x2.data);
  CHECK(y1 == y2);
  CHECK(x1.data != x3.data);
  for (int64_t row = 0; row < 4; ++row)
    for (int64_t j = 0; j + 1 < 8; ++j) CHECK(y1[size_t(row * 8 + j)] == int32_t(x1.data[size_t(row * 8 + j + 1)]));
}

TEST_CASE("global gradient norm is taken over every parameter after dividing by the loss scale", "[sim][optim]") {
  std::vector<Parameter> params(2);
  params[0].grad = Tensor({2}, 0.0f);
  params[0].grad.data = {3.0f * 1024, 0.0f};
  params[1].grad = Tensor({1}, 4.0f * 1024);
  CHECK(global_grad_norm(params, 1024.0) == 5.0);
  CHECK(global_grad_norm(params, 512.0) == 10.0);
}
