// fpsim bench ops: nanoseconds per emulated operation for e5m2, e4m3fn, binary16, bfloat16 and binary32
// add, mul, div and fma in rne and sr, over large pre-generated random operand arrays (values drawn
// from N(0, 1) and encoded into the format; sr's random words pre-generated too), each the median of
// --runs runs, with a checksum of the results. Native float add and mul over arrays of the same
// length are timed in the same run; every figure is also printed as a ratio to native float add.
//
// Paths: formats of <= 8 bits in rne go through their 256x256 table (op_tables.h), read in the loop
// through OpTable::entries(); every other row calls the scalar operation (add, mul, div, fma), which
// dispatches to its fast path (tables, native double) or the exact integer path.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "numerics/arith.h"
#include "numerics/convert.h"
#include "numerics/op_tables.h"
#include "tools/fpsim/command.h"

namespace fpsim::cli {
namespace {

struct Options {
  int runs = 5;
  size_t size = size_t{1} << 20;
  std::vector<std::string> formats{"e5m2", "e4m3fn", "binary16", "bfloat16", "binary32"};
};

using Clock = std::chrono::steady_clock;

// Median of `runs` timings of fn(), in nanoseconds per element.
template <class Fn>
double median_ns(int runs, size_t n, Fn&& fn) {
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const auto start = Clock::now();
    fn();
    t.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count() / double(n));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Operand arrays for one format: codes of N(0,1) samples (rne-encoded), three arrays for fma.
struct Operands {
  std::vector<uint64_t> a, b, c;
};

Operands make_operands(const Format& f, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Target t;
  t.format = f;
  Operands o;
  for (auto* v : {&o.a, &o.b, &o.c}) {
    v->resize(n);
    for (uint64_t& x : *v) x = encode(normal(rng), t).bits.v;
  }
  return o;
}

struct Row {
  std::string format, op, mode, path;
  double ns = 0;
  uint64_t checksum = 0;
};

// Time one (format, op, mode) over the arrays; the checksum is the sum of result codes and flags.
Row bench_row(const Format& f, ArithOp op, bool sr, const Operands& o, const std::vector<uint64_t>& random_words,
              int runs) {
  Target t;
  t.format = f;
  t.rounding = sr ? Rounding::Stochastic : Rounding::NearestEven;
  const size_t n = o.a.size();
  Row row{f.to_string(), to_string(op), sr ? "sr" : "rne", "scalar", 0, 0};
  std::vector<uint16_t> out(n);
  uint64_t checksum = 0;
  if (const OpTable* table = op_table(op, f, f, t)) {
    // Table loop: narrow the codes once (outside the timing), as an array kernel holds them.
    row.path = "table";
    std::vector<uint8_t> a8(n), b8(n);
    for (size_t i = 0; i < n; ++i) a8[i] = uint8_t(o.a[i]), b8[i] = uint8_t(o.b[i]);
    const uint16_t* entries = table->entries();
    row.ns = median_ns(runs, n, [&] {
      for (size_t i = 0; i < n; ++i) out[i] = entries[(unsigned(a8[i]) << 8) | b8[i]];
    });
    for (uint16_t e : out) checksum += e;
  } else {
    std::vector<uint64_t> res(n);
    row.ns = median_ns(runs, n, [&] {
      for (size_t i = 0; i < n; ++i) {
        const uint64_t r = sr ? random_words[i] : 0;
        Rounded x;
        switch (op) {
          case ArithOp::Add: x = add({o.a[i]}, f, {o.b[i]}, f, t, r); break;
          case ArithOp::Mul: x = mul({o.a[i]}, f, {o.b[i]}, f, t, r); break;
          case ArithOp::Div: x = div({o.a[i]}, f, {o.b[i]}, f, t, r); break;
          default: x = fma({o.a[i]}, f, {o.b[i]}, f, {o.c[i]}, f, t, r); break;
        }
        res[i] = x.bits.v | (uint64_t{x.flags} << 56);
      }
    });
    for (uint64_t e : res) checksum += e;
  }
  row.checksum = checksum;
  return row;
}

int run(const Options& o) {
  const size_t n = o.size;
  // Native baselines over float arrays of the same length.
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> fa(n), fb(n), fc(n);
  for (size_t i = 0; i < n; ++i) fa[i] = normal(rng), fb[i] = normal(rng);
  const double native_add = median_ns(o.runs, n, [&] {
    for (size_t i = 0; i < n; ++i) fc[i] = fa[i] + fb[i];
  });
  double sum = 0;
  for (float x : fc) sum += x;
  const double native_mul = median_ns(o.runs, n, [&] {
    for (size_t i = 0; i < n; ++i) fc[i] = fa[i] * fb[i];
  });
  for (float x : fc) sum += x;
  fmt::print("# fpsim bench ops: {} elements per array, median of {} runs\n", n, o.runs);
  fmt::print("native float add: {:.3f} ns/op   native float mul: {:.3f} ns/op ({:.2f}x add)   checksum {:.6g}\n\n",
             native_add, native_mul, native_mul / native_add, sum);
  fmt::print("{:<10} {:<4} {:<4} {:<7} {:>9} {:>10} {:>18}\n", "format", "op", "mode", "path", "ns/op", "x f32 add",
             "checksum");
  std::vector<uint64_t> words(n);
  for (uint64_t& w : words) w = rng();
  for (const std::string& name : o.formats) {
    const Format f = parse_format(name);
    const Operands ops = make_operands(f, n, 7);
    for (ArithOp op : {ArithOp::Add, ArithOp::Mul, ArithOp::Div, ArithOp::Fma})
      for (bool sr : {false, true}) {
        const Row r = bench_row(f, op, sr, ops, words, o.runs);
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
