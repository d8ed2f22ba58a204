// The IDX reader (tools/io/idx.cpp) on gzip files written here: a good pair, truncated data, a wrong
// magic number, a label count that differs, a label out of range, and a missing file.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/io/idx.h"

namespace {

namespace fs = std::filesystem;

void write_gzip(const fs::path& path, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  if (!bytes.empty()) REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == int(bytes.size()));
  gzclose(f);
}

void put_be32(std::vector<unsigned char>& out, uint32_t v) {
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<unsigned char>(v >> shift));
}

// An IDX image file of `count` images of rows × cols pixels (pixel k = k mod 256), its magic given.
std::vector<unsigned char> images(uint32_t count, uint32_t rows, uint32_t cols, uint32_t magic = 0x00000803) {
  std::vector<unsigned char> b;
  put_be32(b, magic);
  put_be32(b, count);
  put_be32(b, rows);
  put_be32(b, cols);
  for (uint32_t k = 0; k < count * rows * cols; ++k) b.push_back(static_cast<unsigned char>(k % 256));
  return b;
}

std::vector<unsigned char> labels(const std::vector<unsigned char>& values, uint32_t magic = 0x00000801) {
  std::vector<unsigned char> b;
  put_be32(b, magic);
  put_be32(b, static_cast<uint32_t>(values.size()));
  b.insert(b.end(), values.begin(), values.end());
  return b;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("fpsim_idx_test_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  void write(const std::vector<unsigned char>& image_bytes, const std::vector<unsigned char>& label_bytes) {
    write_gzip(path / "train-images-idx3-ubyte.gz", image_bytes);
    write_gzip(path / "train-labels-idx1-ubyte.gz", label_bytes);
  }
};

TEST_CASE("a good IDX pair loads as pixels / 255 and labels", "[io]") {
  TempDir dir;
  dir.write(images(3, 2, 5), labels({7, 0, 9}));
  const fpsim::sim::Dataset d = fpsim::io::load_idx_dataset(dir.path, "train");
  CHECK(d.count == 3);
  CHECK(d.height == 2);
  CHECK(d.width == 5);
  REQUIRE(d.images.size() == 30);
  CHECK(d.images[0] == 0.0f);
  CHECK(d.images[29] == 29.0f / 255.0f);
  CHECK(d.labels == std::vector<int32_t>{7, 0, 9});
}

TEST_CASE("malformed IDX files are rejected with the file named", "[io]") {
  TempDir dir;
  const std::string image_file = "train-images-idx3-ubyte.gz", label_file = "train-labels-idx1-ubyte.gz";
  auto error_of = [&] {
    try {
      fpsim::io::load_idx_dataset(dir.path, "train");
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::vector<unsigned char> truncated = images(3, 2, 5);
  truncated.pop_back();
  dir.write(truncated, labels({1, 2, 3}));
  CHECK_THAT(error_of(), Catch::Contains(image_file) && Catch::Contains("truncated"));

  dir.write(images(3, 2, 5), labels({1, 2}));
  CHECK_THAT(error_of(), Catch::Contains(label_file) && Catch::Contains("differs"));

  std::vector<unsigned char> short_labels = labels({1, 2, 3});
  short_labels.pop_back();  // the header still says 3 labels
  dir.write(images(3, 2, 5), short_labels);
  CHECK_THAT(error_of(), Catch::Contains(label_file) && Catch::Contains("truncated"));

  dir.write(images(3, 2, 5, 0x00000801), labels({1, 2, 3}));
  CHECK_THAT(error_of(), Catch::Contains(image_file) && Catch::Contains("magic number 0x00000801, expected 0x00000803"));

  dir.write(images(3, 2, 5), labels({1, 2, 3}, 0x00000803));
  CHECK_THAT(error_of(), Catch::Contains(label_file) && Catch::Contains("magic number 0x00000803, expected 0x00000801"));

  dir.write(images(3, 2, 5), labels({1, 10, 3}));
  CHECK_THAT(error_of(), Catch::Contains(label_file) && Catch::Contains("label outside 0..9"));

  dir.write({0x00, 0x00}, labels({1}));  // shorter than a header
  CHECK_THAT(error_of(), Catch::Contains(image_file) && Catch::Contains("not an IDX image file"));

  fs::remove(dir.path / label_file);
  CHECK_THAT(error_of(), Catch::Contains("dataset not found") && Catch::Contains(label_file));
}

}  // namespace
