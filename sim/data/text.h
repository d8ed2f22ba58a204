#pragma once
// Byte-level language-model data: a corpus split into training and validation streams, training
// windows drawn by (seed, step) and fixed evaluation windows. A window of `context` bytes starting at
// offset o gives inputs bytes[o .. o+T) and next-byte targets bytes[o+1 .. o+T].
#include <cstdint>
#include <span>
#include <vector>

#include "sim/data/dataset.h"

namespace fpsim::sim {

struct TextSplit {
  Dataset train, valid;
};

/// Split `bytes` (the concatenated corpus) into training bytes and the last `valid_fraction` as
/// validation, with `eval_windows` fixed validation windows (fewer when the validation part is short).
/// Throws std::invalid_argument when either part is shorter than context + 1 bytes.
/// Example: split_text(corpus, 64, 0.1, 256).valid.count == 256 for a corpus of a few megabytes.
TextSplit split_text(std::span<const uint8_t> bytes, int context, double valid_fraction, int64_t eval_windows);

/// The training batch of update `step`: n windows whose offsets are stream (seed, step,
/// stream_id("text/window")) words 0..n-1 modulo the number of offsets, so a batch depends only on
/// (seed, step) — not on the thread count or on earlier steps. x [n, T] (byte values), y [n·T].
/// Example: text_train_batch(split.train, 1, 7, 32, x, y).
void text_train_batch(const Dataset& d, uint64_t seed, int64_t step, int64_t n, Tensor& x, std::vector<int32_t>& y);

/// Evaluation windows first..first+n-1 of d.count, spread evenly: window w starts at
/// ⌊w·(size - T)/count⌋. Example: text_eval_batch(split.valid, 0, 64, x, y).
void text_eval_batch(const Dataset& d, int64_t first, int64_t n, Tensor& x, std::vector<int32_t>& y);

}  // namespace fpsim::sim
