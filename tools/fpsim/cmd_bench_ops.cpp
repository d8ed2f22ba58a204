// fpsim bench ops: nanoseconds per emulated operation for e5m2, e4m3fn, binary16, bfloat16 and binary32
// add, mul, div and fma in rne and sr, over large pre-generated random operand arrays (values drawn
// from N(0, 1) and encoded into the format), through apply_array (numerics/fast/fast_arrays.h), each the
// median of --runs runs of this thread's CPU time, with a checksum of the results. Native float add
// and mul over float arrays of the same length are timed the same way in the same run; every figure
// is also printed as a ratio to native float add. sr rows draw each element's random word from a
// Philox stream inside the timed loop, as training does.
#include <fmt/core.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "numerics/fast/fast_arrays.h"
#include "tools/fpsim/bench_util.h"
#include "tools/fpsim/command.h"

namespace fpsim::cli {
namespace {

struct Options {
  int runs = 5;
  size_t size = size_t{1} << 20;
  std::vector<std::string> formats{"e5m2", "e4m3fn", "binary16", "bfloat16", "binary32"};
};


// This thread's CPU time in nanoseconds: on a shared machine, time spent descheduled is not counted,
// for the emulated operations and the native baseline alike.
double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

// Median of `runs` CPU-time measurements of fn(), in nanoseconds per element.
template <class Fn>
double cpu_ns_per_element(int runs, size_t n, Fn&& fn) {
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const double start = thread_cpu_ns();
    fn();
    t.push_back((thread_cpu_ns() - start) / double(n));
  }
  return median(t);
}

// Operand arrays for one format: codes of N(0,1) samples (rne-encoded), three arrays for fma.
struct Operands {
  std::vector<uint32_t> a, b, c;
};

Operands make_operands(const Format& f, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Target t;
  t.format = f;
  Operands o;
  for (auto* v : {&o.a, &o.b, &o.c}) {
    v->resize(n);
    for (uint32_t& x : *v) x = static_cast<uint32_t>(encode(normal(rng), t).bits.v);
  }
  return o;
}

struct Row {
  std::string format, op, mode, path;
  double ns = 0;
  uint64_t checksum = 0;
};

// Time one (format, op, mode) over the arrays with apply_array (the path is printed: the op table, the
// vector lane kernel, or the scalar operation; see array_path);
// the checksum is the sum of the result codes plus the OR of the flags.
Row bench_row(const Format& f, ArithOp op, bool sr, const Operands& o, int runs) {
  Target t;
  t.format = f;
  t.rounding = sr ? Rounding::Stochastic : Rounding::NearestEven;
  const size_t n = o.a.size();
  Row row{f.to_string(), to_string(op), sr ? "sr" : "rne", array_path(op, f, f, f, t), 0, 0};
  const RandomStream stream(12345, 0, 0, 0);
  std::vector<uint32_t> out(n);
  uint8_t flags = 0;
  row.ns = cpu_ns_per_element(runs, n, [&] { flags = apply_array(op, o.a, f, o.b, f, o.c, f, out, t, &stream, 0); });
  for (uint32_t e : out) row.checksum += e;
  row.checksum += flags;
  return row;
}

int run(const Options& o) {
  const size_t n = o.size;
  // Native baselines over float arrays of the same length.
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> fa(n), fb(n), fc(n);
  for (size_t i = 0; i < n; ++i) fa[i] = normal(rng), fb[i] = normal(rng);
  const double native_add = cpu_ns_per_element(o.runs, n, [&] {
    for (size_t i = 0; i < n; ++i) fc[i] = fa[i] + fb[i];
  });
  double sum = 0;
  for (float x : fc) sum += x;
  const double native_mul = cpu_ns_per_element(o.runs, n, [&] {
    for (size_t i = 0; i < n; ++i) fc[i] = fa[i] * fb[i];
  });
  for (float x : fc) sum += x;
  fmt::print("# fpsim bench ops: {} elements per array, median of {} runs\n", n, o.runs);
  fmt::print("native float add: {:.3f} ns/op   native float mul: {:.3f} ns/op ({:.2f}x add)   checksum {:.6g}\n\n",
             native_add, native_mul, native_mul / native_add, sum);
  fmt::print("{:<10} {:<4} {:<4} {:<7} {:>9} {:>10} {:>18}\n", "format", "op", "mode", "path", "ns/op", "x f32 add",
             "checksum");
  for (const std::string& name : o.formats) {
    const Format f = parse_format(name);
    const Operands ops = make_operands(f, n, 7);
    for (ArithOp op : {ArithOp::Add, ArithOp::Mul, ArithOp::Div, ArithOp::Fma})
      for (bool sr : {false, true}) {
        const Row r = bench_row(f, op, sr, ops, o.runs);
        fmt::print("{:<10} {:<4} {:<4} {:<7} {:>9.2f} {:>10.2f} {:>18x}\n", r.format, r.op, r.mode, r.path, r.ns,
                   r.ns / native_add, r.checksum);
      }
  }
  return 0;
}

Registration reg{{"bench ops", "ns per emulated add/mul/div/fma by format and rounding, as ratios to native float add",
                  [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "Runs per measurement (the median is reported)")
                        ->check(CLI::PositiveNumber);
                    app.add_option("--size", opts->size, "Elements per operand array")->check(CLI::PositiveNumber);
                    app.add_option("--formats", opts->formats, "Formats to time");
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
