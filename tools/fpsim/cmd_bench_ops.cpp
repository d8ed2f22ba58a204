// fpsim bench ops: nanoseconds per emulated operation for e5m2, e4m3fn, binary16, bfloat16 and binary32
// add, mul, div and fma in rne and sr, on operands drawn from two distributions (bench_timing.h: narrow
// N(0, 1/16), wide N(0, 1)·10^U(−3, 3)) and encoded into the format (rne). Two rows per case:
//   array:  apply_array over whole arrays (numerics/fast/fast_arrays.h), as a ratio to a native float
//           add loop over float arrays of the same length (vectorised by the compiler);
//   scalar: one call per element, as a ratio to a scalar (non-vectorised) native float add loop, by two
//           APIs: "call" = the free function add/mul/div/fma(a, fa, b, fb, t), "plan" = an ArithPlan made
//           before the loop (numerics/arith/arith_plan.h: the form for a user's own loop); plus binary32 →
//           format conversion, encode(float, t) and EncodePlan. sr calls take pre-drawn random words (the
//           draw is not timed).
// Each figure is this thread's CPU time: warm-up rounds, then --runs timed rounds; median and min–max. Each round
// times the native baseline and then the row back to back, and the ratio is taken within the round, so that a
// change of the machine's speed between rounds (shared hosts change it within seconds) moves both sides alike.
// The baselines' own figures are printed once per format. Checksums keep the compiler from dropping the work.
#include <fmt/core.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "numerics/arith/arith.h"
#include "numerics/arith/arith_plan.h"
#include "numerics/core/encode_plan.h"
#include "numerics/core/convert.h"
#include "numerics/fast/fast_arrays.h"
#include "tools/fpsim/bench_timing.h"
#include "tools/fpsim/command.h"

namespace fpsim::cli {
namespace {

struct Options {
  int runs = 5;
  size_t size = size_t{1} << 20;
  size_t scalar_size = size_t{1} << 16;
  std::vector<std::string> formats{"e5m2", "e4m3fn", "binary16", "bfloat16", "binary32"};
  std::vector<std::string> distributions{"narrow", "wide"};
};

constexpr int kWarmups = 2;

// Nanoseconds per element of fn() over n elements, on this thread's CPU clock.
template <class Fn>
Timing ns_per_element(int runs, size_t n, Fn&& fn) {
  return time_runs(runs, kWarmups, [] { return cpu_seconds(false); }, fn).scaled(1e9 / double(n));
}

// Operand arrays for one format: codes of samples rounded (rne) into it, three arrays for fma, plus
// the samples as binary32 for the conversion row.
struct Operands {
  std::vector<uint32_t> a, b, c;
  std::vector<float> floats;
};

Operands make_operands(const Format& f, Distribution d, size_t n, uint64_t seed) {
  Target t;
  t.format = f;
  Operands o;
  uint64_t s = seed;
  for (auto* v : {&o.a, &o.b, &o.c}) {
    const std::vector<double> x = samples(d, n, s++);
    v->resize(n);
    for (size_t i = 0; i < n; ++i) (*v)[i] = static_cast<uint32_t>(encode(x[i], t).bits.v);
  }
  for (double x : samples(d, n, s)) o.floats.push_back(static_cast<float>(x));
  return o;
}

// Native baselines, timed in the same rounds as each row (time_paired): an auto-vectorised float add over arrays
// (for the array rows) and a scalar one (for the per-call rows): the empty asm makes each sum a register the
// compiler must produce one at a time, so the loop stays one addss per element. Each runs over as many elements
// as the rows it is the unit of (n for the array rows, ns for the scalar rows), so both see the same level of the
// cache.
struct Baselines {
  std::vector<float> fa, fb, fc;
  size_t n = 0, ns = 0;
  Baselines(size_t n_, size_t ns_) : n(n_), ns(ns_) {
    const std::vector<double> x = samples(Distribution::Narrow, 2 * n, 99);
    fa.resize(n), fb.resize(n), fc.resize(n);
    for (size_t i = 0; i < n; ++i) fa[i] = static_cast<float>(x[i]), fb[i] = static_cast<float>(x[n + i]);
  }
  void vector_add() {
    for (size_t i = 0; i < n; ++i) fc[i] = fa[i] + fb[i];
  }
  void scalar_add() {
    for (size_t i = 0; i < ns; ++i) {
      float s = fa[i] + fb[i];
      asm volatile("" : "+x"(s));
      fc[i] = s;
    }
  }
  double checksum() const {
    double c = 0;
    for (float v : fc) c += v;
    return c;
  }
};

// Nanoseconds per element of fn() over n elements and its ratio to a baseline over its own elements, paired round
// by round, on this thread's CPU clock.
template <class Base, class Fn>
PairedTiming paired_ns(int runs, size_t n, Base&& baseline, Fn&& fn) {
  PairedTiming p = time_paired(runs, kWarmups, [] { return cpu_seconds(false); }, baseline, fn);
  p.call = p.call.scaled(1e9 / double(n));
  return p;
}

// The scalar API on one element, the operation fixed at compile time as in a user's loop (a switch on the
// operation per element would add its own dispatch to the row; measured on e4m3fn fma, about 1 ns per call).
template <ArithOp kOp>
Rounded scalar_call(const Operands& o, size_t i, const Format& f, const Target& t, uint64_t r) {
  const Bits a{o.a[i]}, b{o.b[i]};
  if constexpr (kOp == ArithOp::Add) return add(a, f, b, f, t, r);
  else if constexpr (kOp == ArithOp::Mul) return mul(a, f, b, f, t, r);
  else if constexpr (kOp == ArithOp::Div) return div(a, f, b, f, t, r);
  else return fma(a, f, b, f, Bits{o.c[i]}, f, t, r);
}

// The same element through a plan.
template <ArithOp kOp>
Rounded plan_call(const ArithPlan& plan, const Operands& o, size_t i, uint64_t r) {
  if constexpr (kOp == ArithOp::Fma) return plan(Bits{o.a[i]}, Bits{o.b[i]}, Bits{o.c[i]}, r);
  else return plan(Bits{o.a[i]}, Bits{o.b[i]}, r);
}

// fn(op, sr) with both as compile-time constants (std::integral_constant), for one of the timed operations.
template <class Fn>
auto with_op(ArithOp op, bool sr, Fn&& fn) {
  const auto with_sr = [&](auto k) {
    return sr ? fn(k, std::true_type{}) : fn(k, std::false_type{});
  };
  switch (op) {
    case ArithOp::Add: return with_sr(std::integral_constant<ArithOp, ArithOp::Add>{});
    case ArithOp::Mul: return with_sr(std::integral_constant<ArithOp, ArithOp::Mul>{});
    case ArithOp::Div: return with_sr(std::integral_constant<ArithOp, ArithOp::Div>{});
    default: return with_sr(std::integral_constant<ArithOp, ArithOp::Fma>{});
  }
}

// Times one scalar row against the scalar baseline: fn(i) per element into out (code | flags << 24); returns the
// checksum.
template <class Fn>
uint64_t scalar_row(int runs, Baselines& base, std::vector<uint32_t>& out, PairedTiming& timing, Fn&& fn) {
  const size_t ns = base.ns;
  timing = paired_ns(runs, ns, [&] { base.scalar_add(); }, [&] {
    for (size_t i = 0; i < ns; ++i) {
      const Rounded r = fn(i);
      out[i] = static_cast<uint32_t>(r.bits.v) | uint32_t{r.flags} << 24;
    }
  });
  uint64_t sum = 0;
  for (size_t i = 0; i < ns; ++i) sum += out[i];
  return sum;
}

std::string range(const Timing& t, double unit) {
  return fmt::format("{:.1f}-{:.1f}", t.min / unit, t.max / unit);
}

void print_row(const std::string& head, const char* kind, const char* path, const PairedTiming& t, uint64_t checksum) {
  fmt::print("{} {:<6} {:<12} {:>8.2f} {:>9.1f} {:>13} {:>18x}\n", head, kind, path, t.call.median, t.ratio.median,
             range(t.ratio, 1.0), checksum);
}

int run(const Options& o) {
  std::vector<Distribution> dists;
  for (const std::string& d : o.distributions) {
    if (d == "narrow") dists.push_back(Distribution::Narrow);
    else if (d == "wide") dists.push_back(Distribution::Wide);
    else throw std::invalid_argument("--distribution " + d + ": expected narrow or wide");
  }
  const size_t n = o.size, ns = std::min(o.scalar_size, o.size);
  fmt::print("# fpsim bench ops: {} elements per array row, {} per scalar row; this thread's CPU time, {} warm-up +"
             " {} timed rounds: median ns, median ratio [min-max of the ratio]\n", n, ns, kWarmups, o.runs);
  fmt::print("# array rows: ratio to a vectorised native float add over arrays; scalar rows: one call per element,"
             " ratio to a scalar native float add; cvt = encode(binary32 value). Each round times the baseline and"
             " then the row, and the ratio is taken within the round\n");
  double checksum = 0;
  for (Distribution dist : dists) {
    fmt::print("\ninputs: {} = {}\n", to_string(dist), describe(dist));
    for (const std::string& name : o.formats) {
      const Format f = parse_format(name);
      const Operands ops = make_operands(f, dist, n, 7);
      Baselines base(n, ns);
      const Timing vector_add = ns_per_element(o.runs, n, [&] { base.vector_add(); });
      const Timing scalar_add = ns_per_element(o.runs, ns, [&] { base.scalar_add(); });
      checksum += base.checksum();
      fmt::print("{}: native float add {:.3f} ns/op array [{}], {:.3f} ns/op scalar [{}]\n", f.to_string(),
                 vector_add.median, range(vector_add, 1.0), scalar_add.median, range(scalar_add, 1.0));
      fmt::print("{:<8} {:<10} {:<4} {:<4} {:<6} {:<12} {:>8} {:>9} {:>13} {:>18}\n", "inputs", "format", "op",
                 "mode", "row", "path", "ns/op", "x f32 add", "[range]", "checksum");
      const RandomStream stream(12345, 0, 0, 0);
      std::vector<uint64_t> words(ns);
      stream.fill(0, words);
      for (ArithOp op : {ArithOp::Add, ArithOp::Mul, ArithOp::Div, ArithOp::Fma})
        for (bool sr : {false, true}) {
          Target t;
          t.format = f;
          t.rounding = sr ? Rounding::Stochastic : Rounding::NearestEven;
          const std::string head = fmt::format("{:<8} {:<10} {:<4} {:<4}", to_string(dist), f.to_string(),
                                               to_string(op), sr ? "sr" : "rne");
          std::vector<uint32_t> out(n);
          uint8_t flags = 0;
          const PairedTiming array = paired_ns(o.runs, n, [&] { base.vector_add(); }, [&] {
            flags = apply_array(op, ops.a, f, ops.b, f, ops.c, f, out, t, &stream, 0);
          });
          uint64_t sum = flags;
          for (uint32_t e : out) sum += e;
          print_row(head, "array", array_path(op, f, f, f, t), array, sum);
          // rne calls pass random_bits = 0, sr calls the pre-drawn words.
          PairedTiming scalar;
          sum = with_op(op, sr, [&](auto k, auto sr_k) {
            return scalar_row(o.runs, base, out, scalar, [&](size_t i) {
              return scalar_call<decltype(k)::value>(ops, i, f, t, decltype(sr_k)::value ? words[i] : 0);
            });
          });
          print_row(head, "scalar", "call", scalar, sum);
          const ArithPlan plan(op, f, t);
          sum = with_op(op, sr, [&](auto k, auto sr_k) {
            return scalar_row(o.runs, base, out, scalar, [&](size_t i) {
              return plan_call<decltype(k)::value>(plan, ops, i, decltype(sr_k)::value ? words[i] : 0);
            });
          });
          print_row(head, "scalar", fmt::format("plan:{}", plan.path()).c_str(), scalar, sum);
        }
      if (f.total_bits() < 32) {
        Target t;
        t.format = f;
        std::vector<uint32_t> out(ns);
        const std::string head = fmt::format("{:<8} {:<10} {:<4} {:<4}", to_string(dist), f.to_string(), "cvt", "rne");
        PairedTiming cvt;
        uint64_t sum = scalar_row(o.runs, base, out, cvt, [&](size_t i) { return encode(ops.floats[i], t); });
        print_row(head, "scalar", "call", cvt, sum);
        const EncodePlan plan(t);
        sum = scalar_row(o.runs, base, out, cvt, [&](size_t i) { return plan(ops.floats[i]); });
        print_row(head, "scalar", fmt::format("plan:{}", plan.path()).c_str(), cvt, sum);
      }
    }
  }
  fmt::print("\nbaseline checksum {:.6g}\n", checksum);
  return 0;
}

Registration reg{{"bench ops", "ns per emulated add/mul/div/fma by format and rounding, as ratios to native float add",
                  [](CLI::App& app) {
                    auto opts = std::make_shared<Options>();
                    app.add_option("--runs", opts->runs, "Timed runs per measurement (the median is reported)")
                        ->check(CLI::PositiveNumber);
                    app.add_option("--size", opts->size, "Elements per operand array")->check(CLI::PositiveNumber);
                    app.add_option("--scalar-size", opts->scalar_size, "Elements timed per scalar-call row")
                        ->check(CLI::PositiveNumber);
                    app.add_option("--formats", opts->formats, "Formats to time");
                    app.add_option("--distribution", opts->distributions, "narrow and/or wide (default: both)");
                    return std::function<int()>([opts] { return run(*opts); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
