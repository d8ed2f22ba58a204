#pragma once
// In-memory datasets (sim does no file I/O: tools/io/idx.h loads Fashion-MNIST, tools/io/text_corpus.h
// text): images with labels, or a byte stream cut into windows (sim/data/text.h); seeded synthetic
// sets for tests, seeded shuffling and batch gathering.
#include <cstdint>
#include <span>
#include <vector>

#include "sim/tensor.h"

namespace fpsim::sim {

struct Dataset {
  int64_t count = 0;
  int channels = 1, height = 28, width = 28;
  int classes = 10;
  std::vector<float> images;   ///< count × channels·height·width (pixels in [0, 1] unless standardised)
  std::vector<int32_t> labels; ///< count, each in [0, classes)
  /// Text: the byte stream and the window length; `count` is then the number of windows (training:
  /// ⌊(bytes - 1)/context⌋, one epoch ≈ one pass over the bytes; evaluation: the fixed windows).
  std::vector<uint8_t> bytes;
  int context = 0;

  int64_t sample_size() const { return int64_t(channels) * height * width; }
  bool is_text() const { return context > 0; }
};

/// A learnable synthetic set: each class has a random prototype image; sample s is a prototype
/// plus uniform noise of amplitude `noise`, clamped to [0, 1]. Everything derives from `seed`;
/// samples first..first+count-1 are returned, so a train and a test split of one seed share the
/// prototypes. Example: make_synthetic(7, 0, 512, 10, 0.5) has 512 samples of 1×28×28.
Dataset make_synthetic(uint64_t seed, int64_t first, int64_t count, int classes, double noise, int height = 28,
                       int width = 28);

/// The sample order of `epoch`: 0..count-1, shuffled (Fisher–Yates from the stream (seed, epoch,
/// stream_id("shuffle"))) when `shuffle`. Example: epoch_order(10, 1, 0, false) is 0..9.
std::vector<int64_t> epoch_order(int64_t count, uint64_t seed, int64_t epoch, bool shuffle);

/// Copy the samples `indices` into x [n, C·H·W] and their labels into y.
/// Example: gather_batch(data, order.subspan(0, 128), x, y).
void gather_batch(const Dataset& d, std::span<const int64_t> indices, Tensor& x, std::vector<int32_t>& y);

}  // namespace fpsim::sim
