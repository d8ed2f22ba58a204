// `fpsim quantize --scaling MODE` (quantize_scaled.h): options, their checks, and the two outputs.
#include "tools/fpsim/quantize_scaled.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "numerics/core/format.h"
#include "numerics/quantize/block_scale.h"
#include "numerics/quantize/scaled_cast.h"

namespace fpsim::cli {
namespace {

bool given(const CLI::Option* o) { return o != nullptr && o->count() > 0; }

// "RxC" with positive integers, e.g. "1x128" -> {1, 128}.
std::pair<int, int> parse_tile(const std::string& text) {
  const std::string bad = "--tile " + text + ": expected ROWSxCOLS with positive integers, e.g. 1x128";
  const auto x = text.find('x');
  if (x == std::string::npos) throw std::invalid_argument(bad);
  int r = 0, c = 0;
  const char* b = text.data();
  const auto [re, rec] = std::from_chars(b, b + x, r);
  const auto [ce, cec] = std::from_chars(b + x + 1, b + text.size(), c);
  if (rec != std::errc() || re != b + x || cec != std::errc() || ce != b + text.size() || r < 1 || c < 1)
    throw std::invalid_argument(bad);
  return {r, c};
}

// The one-line errors of options that do not apply to the mode, then the spec.
ScalingSpec spec_of(const ScaledOptions& o, const ScaledRun& run) {
  ScalingSpec spec;
  try {
    spec.mode = parse_scale_mode(o.mode);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--scaling: ") + e.what());
  }
  const std::string mode = "--scaling " + o.mode;
  const bool enc_by_amax = spec.mode == ScaleMode::Tensor || spec.mode == ScaleMode::Row || spec.mode == ScaleMode::Block;
  if (given(o.tile_option) && spec.mode != ScaleMode::Block)
    throw std::invalid_argument("--tile applies to --scaling block only, not " + mode);
  if (given(o.two_d_option) && spec.mode != ScaleMode::Nvfp4)
    throw std::invalid_argument("--two-d applies to --scaling nvfp4 only, not " + mode);
  if (run.scale_rule_given && spec.mode != ScaleMode::Mx)
    throw std::invalid_argument("--scale-rule applies to --scaling mx only, not " + mode);
  if ((given(o.margin_option) || given(o.power_of_two_option)) && !enc_by_amax)
    throw std::invalid_argument(std::string(given(o.margin_option) ? "--margin" : "--power-of-two") +
                                " applies to --scaling tensor, row or block only, not " + mode);
  if (given(o.scale_option) != (spec.mode == ScaleMode::TensorDelayed))
    throw std::invalid_argument(given(o.scale_option) ? "--scale applies to --scaling tensor_delayed only, not " + mode
                                                      : std::string("--scaling tensor_delayed needs --scale S (the encode scale)"));
  if (o.scale && !(std::isfinite(*o.scale) && *o.scale > 0))
    throw std::invalid_argument("--scale " + fmt::format("{}", *o.scale) + ": expected a positive finite encode scale");
  if (o.k_axis != 0 && o.k_axis != 1)
    throw std::invalid_argument("--k-axis " + std::to_string(o.k_axis) + ": expected 1 (K along rows) or 0 (K down columns)");
  if (o.margin < 0 || o.margin > 1000) throw std::invalid_argument("--margin " + std::to_string(o.margin) + ": expected 0 to 1000");
  const Format& f = run.target.format;
  if (!f.fits_binary32())
    throw std::invalid_argument("--format " + f.to_string() + ": --scaling needs a format whose values are binary32 values");
  if (spec.mode == ScaleMode::Nvfp4 && !(f == parse_format("e2m1fn")))
    throw std::invalid_argument("--format " + f.to_string() + ": --scaling nvfp4 needs e2m1fn elements");
  if (spec.mode == ScaleMode::Mx) {
    bool mx = false;
    for (MxElement e : {MxElement::Fp8E4M3, MxElement::Fp8E5M2, MxElement::Fp6E3M2, MxElement::Fp6E2M3, MxElement::Fp4E2M1})
      mx = mx || mx_element_format(e) == f;
    if (!mx)
      throw std::invalid_argument("--format " + f.to_string() +
                                  ": --scaling mx needs an MX element format (e4m3fn e5m2 e3m2fn e2m3fn e2m1fn)");
    try {
      spec.rule = parse_mx_scale_rule(run.scale_rule);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--scale-rule: ") + e.what());
    }
  }
  if (spec.mode == ScaleMode::Block && given(o.tile_option)) std::tie(spec.block_rows, spec.block_cols) = parse_tile(o.tile);
  spec.margin = o.margin;
  spec.power_of_two = o.power_of_two;
  spec.two_d = o.two_d;
  return spec;
}

}  // namespace

void ScaledOptions::add_to(CLI::App& app) {
  app.add_option("--scaling", mode,
                 "Scaled cast of a row-major matrix (--cols per row): tensor | tensor_delayed | row | block | mx | nvfp4 "
                 "| none; --format is the element format");
  k_axis_option = app.add_option("--k-axis", k_axis, "--scaling: the GEMM's contraction axis, 1 = along rows, 0 = down columns")
                      ->capture_default_str();
  tile_option = app.add_option("--tile", tile, "--scaling block: tile ROWSxCOLS, rows across K x cols along K (default 1x128)");
  margin_option = app.add_option("--margin", margin, "--scaling tensor/row/block: encode scale divided by 2^N")
                      ->capture_default_str();
  power_of_two_option = app.add_flag("--power-of-two", power_of_two,
                                     "--scaling tensor/row/block: encode scale rounded down to a power of two");
  two_d_option = app.add_flag("--two-d", two_d, "--scaling nvfp4: 16x16 tiles (weights) instead of 1x16");
  scale_option = app.add_option_function<double>(
      "--scale", [this](double s) { scale = s; }, "--scaling tensor_delayed: the encode scale (x is multiplied by it)");
}

void ScaledOptions::check_unused() const {
  const std::pair<const CLI::Option*, const char*> needs[] = {
      {k_axis_option, "--scaling"}, {tile_option, "--scaling block"}, {margin_option, "--scaling tensor, row or block"},
      {power_of_two_option, "--scaling tensor, row or block"}, {two_d_option, "--scaling nvfp4"},
      {scale_option, "--scaling tensor_delayed"}};
  for (const auto& [opt, mode] : needs)
    if (given(opt)) throw std::invalid_argument(opt->get_name() + " needs " + mode);
}

int run_scaled(const ScaledOptions& o, const ScaledRun& run, std::span<const float> x, QuantStats* stats) {
  if (run.output != "values" && run.output != "scaled")
    throw std::invalid_argument("--output " + run.output + ": expected values or scaled with --scaling");
  const ScalingSpec spec = spec_of(o, run);
  const int cols = run.cols > 0 ? run.cols : static_cast<int>(x.size());
  if (cols == 0 || x.size() % static_cast<std::size_t>(cols) != 0)
    throw std::invalid_argument("--cols " + std::to_string(cols) + ": " + std::to_string(x.size()) +
                                " values do not make whole rows");
  const int rows = static_cast<int>(x.size() / static_cast<std::size_t>(cols));
  const RandomStream stream(run.seed);
  std::optional<float> delayed;
  if (o.scale) delayed = static_cast<float>(*o.scale);
  const ScaledMatrix a = scaled_cast(x, rows, cols, o.k_axis, run.target, spec, &stream, 0, stats, delayed);
  if (run.output == "values") {
    std::vector<float> y(a.q.size());
    dequantize_scaled(a, y);
    for (float v : y) fmt::print("{}\n", v);
    return 0;
  }
  for (float v : a.q) fmt::print("{}\n", v);
  const int other_tiles = (a.other() + a.tile_other - 1) / a.tile_other;
  fmt::print("tiles {}x{} of {}x{}\n", other_tiles, a.k_tiles(), a.tile_other, a.tile_k);
  for (std::size_t t = 0; t < a.factor.size(); ++t)
    fmt::print("tile {} factor {} amax {}\n", t, a.factor[t], a.tile_amax[t]);
  fmt::print("tensor_factor {} amax {}\n", a.tensor_factor, a.amax);
  return 0;
}

}  // namespace fpsim::cli
