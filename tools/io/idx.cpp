#include "tools/io/idx.h"

#include <fmt/core.h>

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace fpsim::io {
namespace {

std::vector<unsigned char> read_gzip(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error("dataset not found: " + path.string() + " (install dataset-fashion-mnist)");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error(path.string() + ": cannot open");
  std::vector<unsigned char> out;
  unsigned char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  const bool failed = n < 0;
  gzclose(f);
  if (failed) throw std::runtime_error(path.string() + ": gzip data is corrupt");
  return out;
}

uint32_t be32(const std::vector<unsigned char>& b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | uint32_t(b[at + 3]);
}

// The error shows the magic number found, and the one expected.
void check_magic(const std::vector<unsigned char>& b, size_t header, uint32_t want, const std::filesystem::path& path,
                 const char* kind) {
  if (b.size() >= 4 && be32(b, 0) != want)
    throw std::runtime_error(fmt::format("{}: not an IDX {} file (magic number 0x{:08X}, expected 0x{:08X})",
                                         path.string(), kind, be32(b, 0), want));
  if (b.size() < header)
    throw std::runtime_error(path.string() + ": not an IDX " + kind + " file (" + std::to_string(b.size()) +
                             " bytes, shorter than its " + std::to_string(header) + "-byte header)");
}

}  // namespace

sim::Dataset load_idx_dataset(const std::filesystem::path& dir, const std::string& prefix) {
  const auto image_path = dir / (prefix + "-images-idx3-ubyte.gz");
  const auto label_path = dir / (prefix + "-labels-idx1-ubyte.gz");
  const std::vector<unsigned char> images = read_gzip(image_path);
  const std::vector<unsigned char> labels = read_gzip(label_path);
  check_magic(images, 16, 0x00000803, image_path, "image");
  check_magic(labels, 8, 0x00000801, label_path, "label");
  sim::Dataset d;
  d.count = be32(images, 4);
  d.height = int(be32(images, 8));
  d.width = int(be32(images, 12));
  if (be32(labels, 4) != d.count) throw std::runtime_error(label_path.string() + ": label count differs from images");
  const size_t pixels = size_t(d.count) * size_t(d.height) * size_t(d.width);
  if (images.size() != 16 + pixels) throw std::runtime_error(image_path.string() + ": truncated");
  if (labels.size() != 8 + size_t(d.count)) throw std::runtime_error(label_path.string() + ": truncated");
  d.images.resize(pixels);
  for (size_t i = 0; i < pixels; ++i) d.images[i] = float(images[16 + i]) / 255.0f;
  d.labels.resize(size_t(d.count));
  for (size_t i = 0; i < size_t(d.count); ++i) {
    d.labels[i] = labels[8 + i];
    if (d.labels[i] >= d.classes) throw std::runtime_error(label_path.string() + ": label outside 0..9");
  }
  return d;
}

}  // namespace fpsim::io
