#pragma once
// Reader for the gzip-compressed IDX files of MNIST / Fashion-MNIST (LeCun's format): a big-endian
// header — magic 0x00000803 (unsigned bytes, 3 dims) for images, 0x00000801 for labels — then the
// dimension sizes, then the bytes.
#include <filesystem>

#include "sim/data/dataset.h"

namespace fpsim::io {

/// Load `<dir>/<prefix>-images-idx3-ubyte.gz` and `<prefix>-labels-idx1-ubyte.gz` (prefix "train" or
/// "t10k") as pixels / 255 in [0, 1]. Throws std::runtime_error "dataset not found: <path>
/// (install dataset-fashion-mnist)" when a file is missing, or naming the file when it is malformed.
/// Example: load_idx_dataset("/usr/share/datasets/fashion-mnist", "train").count == 60000.
sim::Dataset load_idx_dataset(const std::filesystem::path& dir, const std::string& prefix);

}  // namespace fpsim::io
