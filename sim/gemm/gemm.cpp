// gemm() and gemm_reference(): argument checks, the scalar reference of the accumulation model
// (sim/gemm/gemm.h), and the emulated-accumulator path (any Target, optionally chunked).
#include "sim/gemm/gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/fast/accumulate.h"
#include "sim/gemm/internal/emulated.h"
#include "sim/gemm/internal/fp32.h"

namespace fpsim::sim {
namespace {

void check(const GemmProblem& p, const Accumulation& acc) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("gemm: " + what); };
  if (p.m < 0 || p.n < 0 || p.k < 0)
    fail("negative size m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) + " k=" + std::to_string(p.k));
  const int a_cols = p.trans_a == Trans::Yes ? p.m : p.k;  // stored A is (M×K) or (K×M)
  const int b_cols = p.trans_b == Trans::Yes ? p.k : p.n;
  if (p.lda < std::max(1, a_cols)) fail("lda=" + std::to_string(p.lda) + " < " + std::to_string(a_cols));
  if (p.ldb < std::max(1, b_cols)) fail("ldb=" + std::to_string(p.ldb) + " < " + std::to_string(b_cols));
  if (p.ldc < std::max(1, p.n)) fail("ldc=" + std::to_string(p.ldc) + " < " + std::to_string(p.n));
  if (p.m > 0 && p.n > 0 && p.c == nullptr) fail("C is null");
  if (p.m > 0 && p.n > 0 && p.k > 0 && (p.a == nullptr || p.b == nullptr)) fail("A or B is null");
  if (!acc.fp32) {
    if (acc.chunk < 0) fail("negative chunk " + std::to_string(acc.chunk));
    if (acc.target.rounding == Rounding::Stochastic && acc.random == nullptr)
      fail("stochastic accumulator without a random stream");
    const MatrixUnit& mu = acc.matrix_unit;
    if (mu.group < 0 || mu.group > 1024) fail("matrix_unit group " + std::to_string(mu.group) + " is not in 0..1024");
    if (mu.group > 0) {
      if (mu.frac_bits < 1 || mu.frac_bits > 40)
        fail("matrix_unit frac_bits " + std::to_string(mu.frac_bits) + " is not in 1..40");
      if (mu.promote_every < 0 || mu.promote_every % mu.group != 0)
        fail("matrix_unit promote_every " + std::to_string(mu.promote_every) + " is not a multiple of group");
      if (acc.target.rounding == Rounding::Stochastic) fail("matrix_unit with a stochastic accumulator");
      if (acc.chunk != 0) fail("matrix_unit with chunk");
    }
  }
}

float a_at(const GemmProblem& p, int i, int k) {
  return p.trans_a == Trans::Yes ? p.a[static_cast<std::size_t>(k) * p.lda + i]
                                 : p.a[static_cast<std::size_t>(i) * p.lda + k];
}
float b_at(const GemmProblem& p, int k, int j) {
  return p.trans_b == Trans::Yes ? p.b[static_cast<std::size_t>(j) * p.ldb + k]
                                 : p.b[static_cast<std::size_t>(k) * p.ldb + j];
}

// c_ij under an emulated accumulator (the model in sim/gemm/gemm.h, step by step).
float emulated_element(const GemmProblem& p, const Accumulation& acc, int i, int j) {
  const Target& t = acc.target;
  const bool stochastic = t.rounding == Rounding::Stochastic;
  const int chunks = acc.chunk > 0 ? (p.k + acc.chunk - 1) / acc.chunk : 0;
  const uint64_t stride = static_cast<uint64_t>(p.k) + chunks + 1;
  const uint64_t base = (static_cast<uint64_t>(i) * p.n + j) * stride;
  auto random = [&](uint64_t t_index) { return stochastic ? acc.random->bits(base + t_index) : uint64_t{0}; };
  float& c = p.c[static_cast<std::size_t>(i) * p.ldc + j];
  // the running sum s, a Target value held exactly in binary64
  double s = p.accumulate ? decode(encode(static_cast<double>(c), t, random(stride - 1)).bits, t.format) : 0.0;
  auto product = [&](int k) {  // exact: 24-bit × 24-bit significands fit binary64's 53
    return static_cast<double>(a_at(p, i, k)) * static_cast<double>(b_at(p, k, j));
  };
  if (acc.chunk <= 0) {
    for (int k = 0; k < p.k; ++k) s = add_rounded(s, product(k), t, random(k));
  } else {
    for (int chunk = 0; chunk < chunks; ++chunk) {
      const int k_end = std::min(p.k, (chunk + 1) * acc.chunk);
      double partial = 0.0;
      for (int k = chunk * acc.chunk; k < k_end; ++k) partial = add_rounded(partial, product(k), t, random(k));
      s = add_rounded(s, partial, t, random(static_cast<uint64_t>(p.k) + chunk));
    }
  }
  return static_cast<float>(s);
}

// c_ij under the matrix-unit model (sim/gemm/gemm.h), step by step from the definition.
float matrix_unit_element(const GemmProblem& p, const Accumulation& acc, int i, int j) {
  const Target& t = acc.target;
  const MatrixUnit& mu = acc.matrix_unit;
  auto round = [&](double v) { return decode(encode(v, t, 0).bits, t.format); };
  const float c = p.accumulate ? p.c[static_cast<std::size_t>(i) * p.ldc + j] : 0.0f;  // C may be unwritten otherwise
  const bool promote = mu.promote_every > 0;
  float f = promote && p.accumulate ? c : 0.0f;
  double s = !promote && p.accumulate ? round(static_cast<double>(c)) : 0.0;
  for (int k0 = 0; k0 < p.k; k0 += mu.group) {
    const int k1 = std::min(p.k, k0 + mu.group);
    std::vector<double> terms{s};
    for (int k = k0; k < k1; ++k) terms.push_back(static_cast<double>(a_at(p, i, k)) * static_cast<double>(b_at(p, k, j)));
    double largest = 0.0;
    for (double v : terms) largest = std::max(largest, std::fabs(v));
    // all zero, or an inf/NaN term (the total is then inf or NaN): unit 1
    const bool plain = largest == 0.0 || !std::isfinite(largest);
    const double unit = plain ? 1.0 : std::ldexp(1.0, std::ilogb(largest) - mu.frac_bits);
    double total = 0.0;  // exact: integers below 2^53 (check() bounds group and frac_bits)
    for (double v : terms) total += mu.truncate ? std::trunc(v / unit) : std::nearbyint(v / unit);
    s = round(0.0 + total * unit);
    if (promote && (k1 % mu.promote_every == 0 || k1 == p.k)) {
      f += static_cast<float>(s);
      s = 0.0;
    }
  }
  return promote ? f : static_cast<float>(s);
}

}  // namespace

Accumulation for_role(Accumulation acc, GemmPass pass) {
  MatrixUnit& mu = acc.matrix_unit;
  const bool fast = pass == GemmPass::Fprop   ? mu.fast_accum_forward
                    : pass == GemmPass::Dgrad ? mu.fast_accum_input_grad
                                              : mu.fast_accum_weight_grad;
  if (fast) mu.promote_every = 0;
  return acc;
}

void gemm(const GemmProblem& p, const Accumulation& acc) {
  check(p, acc);
  if (acc.fp32) {
    gemm_fp32(p, simd::best_isa());
    return;
  }
  if (p.m == 0 || p.n == 0) return;
  const bool matrix_unit = acc.matrix_unit.group > 0;
  if (matrix_unit && RoundedAccumulator::applies(acc.target)) {
    gemm_matrix_unit(p, acc, simd::best_isa());
    return;
  }
  if (!matrix_unit && RoundedAccumulator::applies(acc.target)) {
    gemm_emulated_vector(p, acc, simd::best_isa());
    return;
  }
  // Emulated accumulation, scalar path (DAZ, fnuz, wide targets): one chain per output, outputs split
  // over threads by row.
#pragma omp parallel for schedule(static)
  for (int i = 0; i < p.m; ++i)
    for (int j = 0; j < p.n; ++j)
      p.c[static_cast<std::size_t>(i) * p.ldc + j] =
          matrix_unit ? matrix_unit_element(p, acc, i, j) : emulated_element(p, acc, i, j);
}

void gemm_reference(const GemmProblem& p, const Accumulation& acc) {
  check(p, acc);
  for (int i = 0; i < p.m; ++i) {
    for (int j = 0; j < p.n; ++j) {
      float& c = p.c[static_cast<std::size_t>(i) * p.ldc + j];
      if (!acc.fp32) {
        c = acc.matrix_unit.group > 0 ? matrix_unit_element(p, acc, i, j) : emulated_element(p, acc, i, j);
        continue;
      }
      float s = p.accumulate ? c : 0.0f;
      for (int k = 0; k < p.k; ++k) s = std::fmaf(a_at(p, i, k), b_at(p, k, j), s);
      c = s;
    }
  }
}

}  // namespace fpsim::sim
