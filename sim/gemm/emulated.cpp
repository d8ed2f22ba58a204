// The vector path of the emulated accumulator: C's outputs in tiles of up to 4 (binary64 lanes) or 8
// (binary32 lanes) rows × one column group
// (numerics' RoundedAccumulator width: 8 columns on AVX2, 16 on AVX-512), each tile's sums advancing
// together through k with every addition rounded into the Target in-register (numerics/fast/accumulate.h).
//
// Per tile:
//   1. the column group of op(B) is packed once per group into a K × width panel (zero-padded; the
//      padding lanes' sums start at 2^emin, so 2^emin + 0 stays in the Target's normal range);
//   2. s = accumulate ? round(C) : 0 (the incoming C rounded with word t = S − 1, as gemm_reference; in the
//      deterministic modes all of C is rounded in place before the tiles, by the array path);
//   3. unchunked: s advances through k = 0 .. K−1; chunked: a partial sum from 0 advances through each
//      chunk, then is folded into s by one rounded addition (word t = K + c);
//   4. every mode runs in binary32 lanes when every product is exact in binary32 (FP8, binary16 or
//      bfloat16 operands: checked once per call over A and B, which also gives the products' significant
//      bits: rne into binary16/bfloat16 then takes one fma per step, accumulate_simd.cpp's NarrowGroup);
//      binary16/bfloat16 in rne, rtz, rup or rdn on AVX-512 take binary32 lanes from any finite products
//      (fmas with embedded rounding, FmaGroup);
//      stochastic rounding: the words of output (i, j) are stream.bits((i·N + j)·S + t) (gemm.h), filled
//      per tile row and block of kBlock consecutive t by the vector Philox in the kernel's order
//      (RandomStream::fill_interleaved).
// Tiles are independent and K is never split, so the bits do not depend on the thread count.
#include <algorithm>
#include <bit>
#include <limits>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "numerics/core/convert.h"
#include "numerics/fast/accumulate.h"
#include "sim/gemm/internal/emulated.h"

namespace fpsim::sim {
namespace {

constexpr int kRows = 8;      // rows per tile at most: independent vector chains hide the step latency
// terms per kernel call: bounds the random words buffer (8 rows × 256 × width words); longer runs waste less of the
// Philox groups cut at a block's ends (each output's run starts anywhere in a group of 32)
constexpr int kBlock = 256;

// The extent of an operand's values: the most significant bits any value uses, the smallest nonzero and
// the largest magnitude, and whether all are finite.
struct Extent {
  int bits = 0;
  double smallest = std::numeric_limits<double>::infinity(), largest = 0.0;
  bool finite = true;
  void add(float x) {
    const uint32_t u = std::bit_cast<uint32_t>(x) & 0x7fffffffu;
    if (u == 0) return;
    if (u >= 0x7f800000u) finite = false;
    // significand with its hidden bit (normal) or as stored (subnormal): bits from the leading to the last 1
    //   e.g. 1.5f = 0x3fc00000: significand 0xc00000, 24 − 22 trailing zeros = 2 bits
    const uint32_t significand = (u >> 23) != 0 ? (u & 0x7fffffu) | 0x800000u : u;
    bits = std::max(bits, 32 - std::countl_zero(significand) - std::countr_zero(significand));
    smallest = std::min(smallest, std::fabs(static_cast<double>(x)));
    largest = std::max(largest, std::fabs(static_cast<double>(x)));
  }
};

// Extent of `lines` stored lines of `count` values (stride ld), by vector reductions (omp simd: max,
// min, or): a normal value's bits are 24 − (trailing zeros of its significand), so the most for
// all normal values is 24 − ctz(0x800000 | OR of the fraction fields). With a subnormal value (rare)
// the values are added one by one (Extent::add).
//   e.g. 1.5f (fraction 0x400000) and 1.25f (0x200000): OR 0x600000, ctz(0xE00000) = 21: 3 bits (1.25 = 1.01b).
Extent extent_of(const float* x, std::size_t lines, std::size_t count, std::size_t ld) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  float largest = 0.0f, smallest = kInf;
  uint32_t fraction = 0, special = 0;  // special: a magnitude that is not below inf (inf or NaN)
  for (std::size_t i = 0; i < lines; ++i) {
    const float* line = x + i * ld;
#pragma omp simd reduction(max : largest) reduction(min : smallest) reduction(| : fraction, special)
    for (std::size_t kk = 0; kk < count; ++kk) {
      const float v = std::fabs(line[kk]);
      largest = std::max(largest, v);  // a NaN may be dropped here: `special` records it
      smallest = std::min(smallest, v != 0.0f ? v : kInf);
      fraction |= std::bit_cast<uint32_t>(v) & 0x7fffffu;
      special |= v < kInf ? 0u : 1u;
    }
  }
  Extent e;
  if (special != 0 || smallest < std::numeric_limits<float>::min()) {  // inf, NaN or a subnormal value
    for (std::size_t i = 0; i < lines; ++i)
      for (std::size_t kk = 0; kk < count; ++kk) e.add(x[i * ld + kk]);
    return e;
  }
  e.largest = largest;
  e.smallest = smallest;
  e.bits = largest != 0.0f ? 24 - std::countr_zero(0x800000u | fraction) : 0;
  return e;
}

}  // namespace

OperandFacts operand_facts(const GemmProblem& p) {
  const bool trans_a = p.trans_a == Trans::Yes, trans_b = p.trans_b == Trans::Yes;
  const auto m = static_cast<std::size_t>(p.m), n = static_cast<std::size_t>(p.n), k = static_cast<std::size_t>(p.k);
  const Extent a = extent_of(p.a, trans_a ? k : m, trans_a ? m : k, static_cast<std::size_t>(p.lda));
  const Extent b = extent_of(p.b, trans_b ? n : k, trans_b ? k : n, static_cast<std::size_t>(p.ldb));
  const bool finite = a.finite && b.finite;
  const bool exact = finite && a.bits + b.bits <= 24 && a.smallest * b.smallest >= 0x1p-126 &&
                     a.largest * b.largest < 0x1p127;
  return {exact ? std::max(1, a.bits + b.bits) : 0, finite};
}

int binary32_product_bits(const GemmProblem& p) { return operand_facts(p).product_bits; }

void round_c_into_target(const GemmProblem& p, const Target& t) {
  const auto m = static_cast<std::size_t>(p.m), n = static_cast<std::size_t>(p.n);
  const auto ldc = static_cast<std::size_t>(p.ldc);
  if (ldc == n) {  // C is one contiguous block
    quantize(std::span<const float>(p.c, m * n), std::span<float>(p.c, m * n), t, nullptr);
    return;
  }
  for (std::size_t i = 0; i < m; ++i)
    quantize(std::span<const float>(p.c + i * ldc, n), std::span<float>(p.c + i * ldc, n), t, nullptr);
}

void pack_column_group(const GemmProblem& p, int j0, int cols, int width, float* panel) {
  const bool trans_b = p.trans_b == Trans::Yes;
  const std::size_t w = static_cast<std::size_t>(width);
  const std::size_t k = static_cast<std::size_t>(p.k), ldb = static_cast<std::size_t>(p.ldb);
  if (trans_b) {  // B's column j0 + j is stored as a row: read it in order
    for (int j = 0; j < cols; ++j)
      for (std::size_t kk = 0; kk < k; ++kk) panel[kk * w + j] = p.b[(j0 + j) * ldb + kk];
  } else {
    for (std::size_t kk = 0; kk < k; ++kk) std::copy_n(p.b + kk * ldb + j0, cols, panel + kk * w);
  }
  for (std::size_t kk = 0; kk < k; ++kk) std::fill(panel + kk * w + cols, panel + (kk + 1) * w, 0.0f);
}

void pack_column_groups(const GemmProblem& p, int width, float* panels) {
  const std::size_t w = static_cast<std::size_t>(width), k = static_cast<std::size_t>(p.k);
  const std::size_t n = static_cast<std::size_t>(p.n), ldb = static_cast<std::size_t>(p.ldb);
  const std::size_t groups = (n + w - 1) / w;
  for (std::size_t g = 0; g < groups; ++g) {
    float* panel = panels + g * k * w;
    const std::size_t j0 = g * w, cols = std::min(w, n - j0);
    if (cols < w)
      for (std::size_t kk = 0; kk < k; ++kk) std::fill(panel + kk * w + cols, panel + (kk + 1) * w, 0.0f);
    if (p.trans_b == Trans::Yes) {  // B's column j0 + j is stored as a row: read it in order
      for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t kk = 0; kk < k; ++kk) panel[kk * w + j] = p.b[(j0 + j) * ldb + kk];
    } else {
      for (std::size_t kk = 0; kk < k; ++kk)
        for (std::size_t j = 0; j < cols; ++j) panel[kk * w + j] = p.b[kk * ldb + j0 + j];
    }
  }
}

void gemm_emulated_vector(const GemmProblem& p, const Accumulation& acc, simd::Isa isa) {
  const Target& t = acc.target;
  const RoundedAccumulator accumulator(t, isa);
  const int width = accumulator.width(), m = p.m, n = p.n, k = p.k;
  const bool stochastic = t.rounding == Rounding::Stochastic;
  const int chunks = acc.chunk > 0 ? (k + acc.chunk - 1) / acc.chunk : 0;
  const uint64_t stride = static_cast<uint64_t>(k) + chunks + 1;
  const OperandFacts facts = operand_facts(p);
  const int product_bits = facts.product_bits;
  const bool binary32_products = product_bits > 0;
  // binary64 lanes: 4 rows × 2 vectors; binary32 lanes: 8 rows × 1 vector (AVX2, AVX-512)
  const int tile_rows = accumulator.rows_per_group(binary32_products);
  const int row_blocks = (m + tile_rows - 1) / tile_rows, groups = (n + width - 1) / width;
  const float pad = std::ldexp(1.0f, t.format.emin());
  const bool trans_a = p.trans_a == Trans::Yes;
  const std::size_t w = static_cast<std::size_t>(width);
  if (p.accumulate && !stochastic) round_c_into_target(p, t);  // 2. for the deterministic modes
#pragma omp parallel
  {
    std::vector<float> panel(static_cast<std::size_t>(k) * w), sums(kRows * w), partial(kRows * w);
    std::vector<uint64_t> words(stochastic ? kRows * kBlock * w : 0), firsts(w);
    int packed = -1;
#pragma omp for schedule(dynamic)
    for (int tile = 0; tile < row_blocks * groups; ++tile) {
      const int group = tile / row_blocks, i0 = (tile % row_blocks) * tile_rows;
      const int rows = std::min(tile_rows, m - i0), j0 = group * width, cols = std::min(width, n - j0);
      if (group != packed) {  // 1.
        pack_column_group(p, j0, cols, width, panel.data());
        packed = group;
      }
      auto base = [&](int r, int j) { return (static_cast<uint64_t>(i0 + r) * n + j0 + j) * stride; };
      auto c_at = [&](int r, int j) -> float& { return p.c[static_cast<std::size_t>(i0 + r) * p.ldc + j0 + j]; };
      // 2. the starting sums
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < width; ++j) {
          float& s = sums[r * w + j];
          if (j >= cols) {
            s = pad;
          } else if (p.accumulate && stochastic) {
            const uint64_t word = acc.random->bits(base(r, j) + stride - 1);
            s = static_cast<float>(decode(encode(c_at(r, j), t, word).bits, t.format));
          } else if (p.accumulate) {
            s = c_at(r, j);  // rounded before the tiles (round_c_into_target)
          } else {
            s = 0.0f;
          }
        }
      // stochastic: words[(r·count + kk)·width + j] = bits(base(r, j) + first + kk)
      // (the padding columns' words are 0: their lanes' sums are never stored)
      auto fill_words = [&](uint64_t first, int count) {
        for (int r = 0; r < rows; ++r) {
          uint64_t* row = words.data() + static_cast<std::size_t>(r) * count * w;
          for (int j = 0; j < cols; ++j) firsts[j] = base(r, j) + first;
          acc.random->fill_interleaved(std::span<const uint64_t>(firsts.data(), cols), count, w, row);
          for (int kk = 0; kk < count && cols < width; ++kk) std::fill(row + kk * w + cols, row + (kk + 1) * w, 0);
        }
      };
      // 3. sums advance through terms k_begin .. k_end − 1
      auto advance = [&](float* s, int k_begin, int k_end) {
        for (int k0 = k_begin; k0 < k_end; k0 += kBlock) {
          const int count = std::min(kBlock, k_end - k0);
          AccumulateGroup g;
          g.rows = rows;
          g.k_count = count;
          g.a_step = trans_a ? static_cast<std::size_t>(p.lda) : 1;
          for (int r = 0; r < rows; ++r)
            g.a_rows[r] = trans_a ? p.a + static_cast<std::size_t>(k0) * p.lda + i0 + r
                                  : p.a + static_cast<std::size_t>(i0 + r) * p.lda + k0;
          g.b = panel.data() + static_cast<std::size_t>(k0) * w;
          g.sums = s;
          g.binary32_products = binary32_products;
          g.product_bits = product_bits;
          g.finite_operands = facts.finite;
          if (stochastic) {
            fill_words(static_cast<uint64_t>(k0), count);
            g.random = words.data();
          }
          accumulator.run(g);
        }
      };
      if (chunks == 0) {
        advance(sums.data(), 0, k);
      } else {
        for (int c = 0; c < chunks; ++c) {
          for (int r = 0; r < rows; ++r)
            for (int j = 0; j < width; ++j) partial[r * w + j] = j < cols ? 0.0f : pad;
          advance(partial.data(), c * acc.chunk, std::min(k, (c + 1) * acc.chunk));
          AccumulateGroup fold;  // s = round(s + partial), word t = K + c
          fold.rows = rows;
          fold.k_count = 1;
          for (int r = 0; r < rows; ++r) fold.rows_b[r] = partial.data() + r * w;
          fold.sums = sums.data();
          if (stochastic) {
            fill_words(static_cast<uint64_t>(k) + c, 1);
            fold.random = words.data();
          }
          accumulator.run(fold);
        }
      }
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < cols; ++j) c_at(r, j) = sums[r * w + j];
    }
  }
}

}  // namespace fpsim::sim
