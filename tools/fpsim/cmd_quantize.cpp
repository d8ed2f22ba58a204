// fpsim quantize: round a list of numbers into a format (or into OCP MX blocks) and print values or codes.
//
//   fpsim quantize --format e4m3fn --rounding sr --seed 7 values.txt
//   fpsim quantize --format e5m2 --input f32 --output codes weights.bin
//   fpsim quantize --format e2m1fn --block 32 grads.txt        (MXFP4: one E8M0 scale per 32 values)
//   fpsim quantize --format e4m3fn --scaling row --cols 64 x.txt (scaled casts: quantize_scaled.h)
//
// Text input: one number per line (decimal, hex-float, inf, nan; blank lines and '#' comments
// skipped), each rounded once into the format from its exact value, as `fpsim round` does (MX blocks and
// --scaling casts, which read binary32 values, round it once into binary32). Raw input: native-endian binary32
// or binary64 values. Element i of the input uses random word stream.bits(i) of RandomStream(seed).
#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/quantize/block_scale.h"
#include "numerics/core/convert.h"
#include "numerics/quantize/quantize.h"
#include "tools/fpsim/command.h"
#include "tools/fpsim/quantize_scaled.h"
#include "tools/fpsim/target_options.h"
#include "tools/io/text.h"

namespace fpsim::cli {
namespace {

struct Options {
  TargetOptions target;
  std::string input_kind = "text";
  std::string output = "values";
  std::optional<int> block;  ///< --block: MX blocks of this many values
  int cols = 0;
  int axis = 1;
  std::string scale_rule = "floor";
  bool stats = false;
  ScaledOptions scaled;  ///< --scaling and its options (quantize_scaled.h)
  CLI::Option *scale_rule_option = nullptr, *axis_option = nullptr;
  std::string file = "-";
};

std::string read_all(const std::string& file) {
  if (file == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file + ": cannot open (" + std::strerror(errno) + ")");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string trim(std::string s) {
  const auto hash = s.find('#');
  if (hash != std::string::npos) s.erase(hash);
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// One number per line, kept as text so it is rounded once from its exact decimal value; a line that is
// not a number is an error naming the file and line.
std::vector<std::string> parse_text(const std::string& text, const std::string& name) {
  static const Target probe{parse_format("binary64")};
  std::vector<std::string> v;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const std::string s = trim(line);
    if (s.empty()) continue;
    try {
      (void)encode_decimal(s, probe);
    } catch (const std::exception& e) {
      throw std::invalid_argument(name + ":" + std::to_string(number) + ": " + e.what());
    }
    v.push_back(s);
  }
  return v;
}

// Text rounded once into t (codes or values), with the statistics of the array path.
void run_text(const std::vector<std::string>& lines, const Target& t, const RandomStream& stream, bool codes,
              QuantStats* stats) {
  const bool sr = t.rounding == Rounding::Stochastic;
  static const Target binary64{parse_format("binary64")};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Rounded q = encode_decimal(lines[i], t, sr ? stream.bits(i) : 0);
    if (codes) fmt::print("{}\n", io::hex_code(q.bits, t.format));
    else fmt::print("{}\n", decode(q.bits, t.format));
    // The input's class and magnitude for the statistics: its binary64 rounding.
    if (stats) stats->add(decode(encode_decimal(lines[i], binary64).bits, binary64.format), q.bits, t.format);
  }
}

template <class T>
std::vector<T> parse_raw(const std::string& bytes, const std::string& name) {
  if (bytes.size() % sizeof(T) != 0)
    throw std::invalid_argument(name + ": size " + std::to_string(bytes.size()) + " bytes is not a multiple of " +
                                std::to_string(sizeof(T)));
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

void print_stats(const QuantStats& s) {
  fmt::print(stderr,
             "count {} nonzero {} underflow {} subnormal {} saturated {} overflow {} nan {} amax {}\n", s.count,
             s.nonzero, s.underflow, s.subnormal, s.saturated, s.overflow, s.nan, s.amax);
}

// MX blocks: --format names the element type; values print X * P_i, codes print "scale element".
int run_blocks(const Options& o, const std::vector<double>& values) {
  MxOptions mx;
  mx.element = parse_mx_element(o.target.format);
  mx.block = *o.block;
  mx.axis = o.axis;
  mx.rule = parse_mx_scale_rule(o.scale_rule);
  parse_rounding(o.target.rounding, mx.rounding, mx.sr_bits);
  const std::vector<float> x(values.begin(), values.end());  // MX blocks read binary32 values
  const int cols = o.cols > 0 ? o.cols : static_cast<int>(x.size());
  if (cols == 0 || x.size() % static_cast<std::size_t>(cols) != 0)
    throw std::invalid_argument("--cols " + std::to_string(cols) + ": " + std::to_string(x.size()) +
                                " values do not make whole rows");
  const int rows = static_cast<int>(x.size() / cols);
  const RandomStream stream(o.target.seed);
  const MxTensor q = mx_quantize(x, rows, cols, mx, &stream);
  if (o.output == "codes") {
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const int block = mx.axis == 1 ? r * ((cols + mx.block - 1) / mx.block) + c / mx.block
                                       : (r / mx.block) * cols + c;
        fmt::print("{:02X} {:02X}\n", q.scales[block], q.elements[static_cast<std::size_t>(r) * cols + c]);
      }
  } else {
    std::vector<float> y(x.size());
    mx_dequantize(q, y);
    for (float v : y) fmt::print("{}\n", v);
  }
  return 0;
}

// Text, f32 or f64 input as binary32 values (text rounded once into binary32, f64 rounded to nearest).
std::vector<float> binary32_values(const std::vector<std::string>& text, const std::vector<float>& f32,
                                   const std::vector<double>& f64) {
  static const Target binary32{parse_format("binary32")};
  std::vector<float> x(f32);
  for (double v : f64) x.push_back(static_cast<float>(v));
  for (const std::string& s : text) x.push_back(static_cast<float>(decode(encode_decimal(s, binary32).bits, binary32.format)));
  return x;
}

int run(const Options& o) {
  if (o.scaled.active()) {
    if (o.block) throw std::invalid_argument("--block: MX blocks take no --scaling (use --scaling mx)");
    if (o.axis_option->count() > 0) throw std::invalid_argument("--axis: with --scaling, the axis is --k-axis");
  } else {
    o.scaled.check_unused();
  }
  if (o.output != "values" && o.output != "codes" && !(o.scaled.active() && o.output == "scaled"))
    throw std::invalid_argument("--output " + o.output + ": expected values or codes");
  const std::string name = o.file == "-" ? "<stdin>" : o.file;
  const std::string bytes = read_all(o.file);
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<std::string> text;
  if (o.input_kind == "text") text = parse_text(bytes, name);
  else if (o.input_kind == "f32") f32 = parse_raw<float>(bytes, name);
  else if (o.input_kind == "f64") f64 = parse_raw<double>(bytes, name);
  else throw std::invalid_argument("--input " + o.input_kind + ": expected text, f32 or f64");

  if (o.scaled.active()) {
    QuantStats stats;
    const ScaledRun run{.target = o.target.target(), .scale_rule = o.scale_rule,
                        .scale_rule_given = o.scale_rule_option->count() > 0, .cols = o.cols, .seed = o.target.seed,
                        .output = o.output};
    const int status = run_scaled(o.scaled, run, binary32_values(text, f32, f64), o.stats ? &stats : nullptr);
    if (o.stats) print_stats(stats);
    return status;
  }
  if (o.block) {
    if (!f32.empty()) f64.assign(f32.begin(), f32.end());
    static const Target binary32{parse_format("binary32")};
    for (const std::string& s : text) f64.push_back(decode(encode_decimal(s, binary32).bits, binary32.format));
    return run_blocks(o, f64);
  }
  const Target t = o.target.target();
  const RandomStream stream(o.target.seed);
  QuantStats stats;
  if (o.input_kind == "text") {
    run_text(text, t, stream, o.output == "codes", o.stats ? &stats : nullptr);
    if (o.stats) print_stats(stats);
    return 0;
  }
  const bool sr = t.rounding == Rounding::Stochastic;
  if (o.output == "codes") {
    const std::size_t n = f32.empty() ? f64.size() : f32.size();
    for (std::size_t i = 0; i < n; ++i) {
      const uint64_t r = sr ? stream.bits(i) : 0;
      const Bits code = f32.empty() ? encode(f64[i], t, r).bits : encode(f32[i], t, r).bits;
      fmt::print("{}\n", io::hex_code(code, t.format));
    }
    return 0;
  }
  const Format& f = t.format;
  const bool float_values = f.fits_binary32();
  if (!f32.empty() && float_values) {
    std::vector<float> y(f32.size());
    quantize(f32, y, t, &stream, 0, o.stats ? &stats : nullptr);
    for (float v : y) fmt::print("{}\n", v);
  } else {
    if (!f32.empty()) f64.assign(f32.begin(), f32.end());
    std::vector<double> y(f64.size());
    quantize(std::span<const double>(f64), y, t, &stream, 0, o.stats ? &stats : nullptr);
    for (double v : y) fmt::print("{}\n", v);
  }
  if (o.stats) print_stats(stats);
  return 0;
}

Registration reg{{"quantize", "Round numbers (text or raw binary32/binary64) into a format, MX blocks or a scaled cast",
                  [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    opts->target.add_to(app, true);
                    app.add_option("--input", opts->input_kind, "text | f32 | f64 (raw native-endian values)")
                        ->capture_default_str();
                    app.add_option("--output", opts->output, "values | codes | scaled (--scaling: element values, tile factors)")->capture_default_str();
                    app.add_option_function<int>(
                           "--block", [opts](int b) { opts->block = b; },
                           "OCP MX block size (e.g. 32); --format is then the element type "
                           "(e5m2, e4m3fn, e3m2fn, e2m3fn, e2m1fn, mxint8, p3109_k8p3se, p3109_k8p4se)")
                        ->check(CLI::Range(1, 1 << 20));
                    app.add_option("--cols", opts->cols,
                                   "MX and --scaling: values per row of the row-major tensor (default: one row)");
                    opts->axis_option = app.add_option("--axis", opts->axis, "MX: 1 = blocks along rows, 0 = along columns")
                                            ->capture_default_str();
                    opts->scale_rule_option =
                        app.add_option("--scale-rule", opts->scale_rule,
                                       "MX (--block, --scaling mx): floor (OCP spec, may clip) | ceil | rceil (no clipping) | even")
                            ->capture_default_str();
                    opts->scaled.add_to(app);
                    app.add_flag("--stats", opts->stats, "print quantisation statistics to stderr (values output)");
                    app.add_option("file", opts->file, "input file, or - for stdin")->capture_default_str();
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
