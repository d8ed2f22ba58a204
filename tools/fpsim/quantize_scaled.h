#pragma once
// `fpsim quantize --scaling MODE`: the scaled casts of numerics/quantize/scaled_cast.h (per-tensor, row-wise,
// block, MX and NVFP4 scaling of a row-major matrix) on the command line.
//
//   fpsim quantize --format e4m3fn --scaling block --tile 1x128 --cols 256 --input f32 x.f32
//   fpsim quantize --format e2m1fn --scaling nvfp4 --two-d --cols 64 --output scaled w.txt
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "numerics/core/rounding.h"
#include "numerics/quantize/quantize.h"

namespace fpsim::cli {

/// The --scaling options of `fpsim quantize`, registered on its app.
struct ScaledOptions {
  std::string mode;  ///< --scaling; empty: no scaled cast
  int k_axis = 1;
  std::string tile;  ///< --tile RxC (block)
  int margin = 0;
  bool power_of_two = false;
  bool two_d = false;
  std::optional<double> scale;  ///< --scale: the encode scale of tensor_delayed
  CLI::Option *tile_option = nullptr, *margin_option = nullptr, *power_of_two_option = nullptr,
              *two_d_option = nullptr, *scale_option = nullptr, *k_axis_option = nullptr;

  void add_to(CLI::App& app);
  bool active() const { return !mode.empty(); }
  /// Without --scaling: throws std::invalid_argument naming the first of these options that was given.
  void check_unused() const;
};

/// What the rest of `fpsim quantize` passes on: the element target, the MX scale rule (and whether it was
/// given), --cols, --seed and --output.
struct ScaledRun {
  Target target;
  std::string scale_rule = "floor";
  bool scale_rule_given = false;
  int cols = 0;
  uint64_t seed = 0;
  std::string output = "values";
};

/// Scaled cast of x (binary32 values, rows of run.cols) printed to stdout: `values` prints the dequantized
/// values, `scaled` the element values, then `tiles`, one `tile` line per tile and `tensor_factor` (see
/// README.md). Throws std::invalid_argument naming the option for a bad combination.
/// Example: with o.mode = "tensor" and run.target e4m3fn, x = {1, 2, -4, 0.5f} prints 1 2 -4 0.5 (q = 112 224 -448 56).
int run_scaled(const ScaledOptions& o, const ScaledRun& run, std::span<const float> x, QuantStats* stats);

}  // namespace fpsim::cli
