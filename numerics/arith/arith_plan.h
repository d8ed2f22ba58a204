#pragma once
// ArithPlan: one arithmetic operation on fixed operand formats and a fixed target, prepared once so that
// each call does only the arithmetic. It is the form of add/sub/mul/div/sqrt/fma for a loop over scalars; the
// free functions in arith.h run one too, cached per key (internal/plan_cache.h), at the cost of the key's
// compare. A plan checks formats and looks up tables when it is made and keeps the chosen path
// (ArithPlan::path()):
//   "table"    every result precomputed (operands and target of <= 8 bits, deterministic modes);
//   "double"   operands decoded into binary64 (their fields moved by integer steps, or a 256-entry table for
//              <= 8-bit formats), the exact result as s + err by native arithmetic and TwoSum, rounded by
//              integer steps (rne, normal results), the target's RoundingTable (precision <= 12), or round_pack;
//              division in rne too: the binary64 quotient and its exact residual by one fma;
//   "f16c"     binary16 multiply in rne on a CPU with F16C: the exact binary32 product rounded by vcvtps2ph
//              (arith_plan_f16c.cpp), with no branch on the result's range;
//   "binary32" binary32 add, sub and multiply in rne by the native binary32 operation, its flags from the exact
//              binary64 product or the TwoSum error (arith_plan_binary32.cpp);
//   "exact"    the exact integer path of fpsim::exact.
// Every path gives the bits and flags of fpsim::exact; a case a fast path cannot prove (a NaN or infinite
// operand, a zero or subnormal result, an rne result on a rounding boundary, a native rounding mode other
// than nearest) is handed to round_pack or the exact path. tests/numerics_arith/arith_plan_test.cpp
// checks every path against fpsim::exact, exhaustively for 8-bit formats.
#include <array>
#include <memory>
#include <span>
#include <vector>

#include "numerics/arith/arith.h"

// The binary16 multiply uses F16C's conversions (chosen only on a CPU that has them).
#if defined(__x86_64__) || defined(__i386__)
#define FPSIM_ARITH_PLAN_F16C [[gnu::target("f16c")]]
#else
#define FPSIM_ARITH_PLAN_F16C
#endif

namespace fpsim {

class RoundingTable;
class OpTable;

class ArithPlan {
 public:
  /// Every operand in format `operands`.
  /// Example: ArithPlan add16(ArithOp::Add, binary16, Target{binary16}); add16({0x3c00}, {0x3c00}).bits == 0x4000.
  ArithPlan(ArithOp op, const Format& operands, const Target& t);
  /// Operand i in formats[i]; formats.size() == arity(op), otherwise std::invalid_argument.
  ArithPlan(ArithOp op, std::span<const Format> formats, const Target& t);

  /// sqrt(a). Throws std::invalid_argument when the plan's operation takes another number of operands.
  Rounded operator()(Bits a, uint64_t random_bits = 0) const {
    return arity_ == 1 ? kernel_(*this, a, a, a, random_bits) : wrong_arity(1);
  }
  /// a op b for add, sub, mul, div.
  Rounded operator()(Bits a, Bits b, uint64_t random_bits = 0) const {
    return arity_ == 2 ? kernel_(*this, a, b, b, random_bits) : wrong_arity(2);
  }
  /// a * b + c for fma.
  Rounded operator()(Bits a, Bits b, Bits c, uint64_t random_bits = 0) const {
    return arity_ == 3 ? kernel_(*this, a, b, c, random_bits) : wrong_arity(3);
  }

  /// The kernel without the operators' arity check, operands beyond the operation's arity passed as the
  /// operators pass them (sqrt: a, a, a; add, sub, mul, div: a, b, b). For the scalar free functions, whose
  /// cached plan is found by a key that fixes the operation, so the check could never fail there.
  Rounded run(Bits a, Bits b, Bits c, uint64_t random_bits) const { return kernel_(*this, a, b, c, random_bits); }

  /// "table", "double", "f16c" (binary16 multiply by F16C), "binary32" (native binary32 add, sub, multiply) or
  /// "exact": the path chosen when the plan
  /// was made (see the file comment).
  const char* path() const;
  ArithOp op() const { return op_; }
  /// Whether an fma plan rounds with its own table covering every binade of x·y + z (no clamps; path() "double").
  bool fma_covering_rows() const { return fma_rows_.table != nullptr; }
  /// Whether such a plan also rounds NaN operands by its table, without a branch (a row beyond the finite sums holds
  /// the NaN results by sign; x86-64, operands without infinities). Example: true for e4m3fn fma into e4m3fn.
  bool fma_nan_row() const { return kernel_ == &ArithPlan::table_fma_nan_row_kernel; }
  const Target& target() const { return t_; }

  /// How a "double" plan reads one operand: its fields moved into binary64's (ieee formats of <= 8 exponent
  /// and <= 23 fraction bits), or a table of the 256 values of an <= 8-bit format (NaN or inf for specials).
  struct Decoder {
    const double* values = nullptr;  ///< 256 entries, or nullptr for the field move
    uint32_t sign_mask = 0, field_max = 0;
    int man_bits = 0, shift = 0;  ///< shift = 52 − man_bits
    int exponent_offset = 0;      ///< 1023 − bias
    double scale = 1;             ///< 2^(emin − man_bits), a subnormal code's step
  };
  /// How a "double" plan rounds the exact result s + err into the target: rne or sr/sr:K by integer steps on s's
  /// bits (normal results; sr only for exact sums and products), a RoundingTable, or round_pack.
  enum class Rounder : uint8_t { Nearest, Stochastic, Table, RoundPack };
  /// Rounder::Nearest's and Rounder::Stochastic's constants (arith_plan.cpp).
  struct NearestConstants {
    int drop = 0;  ///< 52 − man_bits
    uint64_t dropped_mask = 0, half = 0;  ///< 2^drop − 1, 2^(drop − 1)
    uint64_t normal_min = 0, rebias = 0, max_code = 0, sign_mask = 0;
    bool subnormals = false, tiny_before = false, negative_zero = false;
    uint64_t tiny_below = 0;  ///< binary64 pattern of 2^emin − 2^(emin − man_bits − 2)
  };

 private:
  using Kernel = Rounded (*)(const ArithPlan&, Bits, Bits, Bits, uint64_t);
  void choose_path();
  void prepare_rounder();
  Rounded wrong_arity(int given) const;
  Rounded exact_path(Bits a, Bits b, Bits c, uint64_t random_bits) const;
  [[gnu::always_inline]] bool decode(int i, Bits b, double& out) const;
  template <ArithOp kOp>
  [[gnu::always_inline]] Rounded combine(double u, double v, uint64_t random_bits) const;
  [[gnu::always_inline]] Rounded round_exact(double s, double err, double x, double y, uint64_t random_bits) const;
  template <ArithOp kOp>
  static Rounded double_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);
  template <int E, int M, ArithOp kOp>
  static Rounded ieee_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);
  Kernel ieee_kernel_for() const;
  static Rounded div_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);
  template <ArithOp kOp>
  static Rounded binary32_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);
  Kernel binary32_kernel_for() const;  // arith_plan_binary32.cpp
  FPSIM_ARITH_PLAN_F16C static Rounded f16c_mul_kernel(const ArithPlan& p, Bits a, Bits b, Bits c,
                                                       uint64_t random_bits);
  Kernel f16c_kernel_for() const;  // arith_plan_f16c.cpp
  template <ArithOp kOp>
  static Rounded table_decoded_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);
  template <bool kExactSum, bool kInRows>
  static Rounded table_fma_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);
  static Rounded table_fma_nan_row_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);
  bool nan_row_kernel_agrees() const;
  [[gnu::noinline]] Rounded exact_sum_fma_rare(Bits a, Bits b, Bits c, uint64_t random_bits) const;
  static Rounded table_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);
  static Rounded exact_kernel(const ArithPlan& p, Bits a, Bits b, Bits c, uint64_t random_bits);

  ArithOp op_;
  int arity_;
  Format formats_[3];
  Target t_;
  Kernel kernel_ = nullptr;
  const OpTable* op_table_ = nullptr;
  const RoundingTable* rounding_table_ = nullptr;
  /// A shared table whose moves copy the pointer, so that a moved-from plan keeps working as its other members do.
  struct SharedTable {
    std::shared_ptr<const RoundingTable> table;
    SharedTable() = default;
    SharedTable(const SharedTable&) = default;
    SharedTable& operator=(const SharedTable&) = default;
  };
  /// table_fma_kernel<·, true>: the target's table with rows for every binade a non-zero x·y + z can reach. For
  /// table_fma_nan_row_kernel its row hi + 1 holds NaN results instead of rounded ones: only that kernel reads it.
  SharedTable fma_rows_;
  Decoder decoders_[3];
  /// For table-decoded operands of formats without infinities: the result of every NaN-operand case. Such a
  /// result does not depend on the finite operands (no 0·inf or inf − inf can arise), only on which operands
  /// are NaN and their codes: id[i][code] is 0 for a finite code, k for the k-th NaN code of operand i, and
  /// results[id0 + stride1·id1 + stride2·id2] is the exact path's answer.
  struct NanResults {
    std::array<std::array<uint8_t, 256>, 3> id{};
    int stride1 = 1, stride2 = 1;
    std::vector<Rounded> results;
    /// Whether every NaN case's result is by_sign[sign of its first NaN operand's decoded value], as
    /// table_fma_nan_row_kernel needs: it depends on the operand formats' NaN codes and the target's NaN rule
    /// (e4m3fn operands into e4m3fn: 0x7F or 0xFF by the sign; into e4m3fnuz: 0x80 for both).
    bool sign_decides = false;
    Rounded by_sign[2];
    /// results' index for operand codes (already masked to their formats; 0 for an absent operand).
    size_t index(uint64_t a, uint64_t b, uint64_t c) const {
      return id[0][a] + size_t(stride1) * id[1][b] + size_t(stride2) * id[2][c];
    }
  };
  std::shared_ptr<const NanResults> nan_results_;
  void build_nan_results();
  Rounder rounder_ = Rounder::RoundPack;
  NearestConstants nearest_;
  Rounded zero_sums_[2];  ///< table_fma_kernel: the result of an exact zero sum, + and −
  uint64_t nan_row_pattern_ = 0;  ///< table_fma_nan_row_kernel: the pattern of 2^(hi + 1), its NaN row
  Rounded overflow_[2];  ///< Rounder::Nearest's and Stochastic's result beyond the overflow threshold, + and −
  uint32_t f16c_tiny_below_ = 0;  ///< f16c_mul_kernel: binary32 pattern below which a result is tiny
  const char* fast_path_ = nullptr;  ///< "f16c" or "binary32" when kernel_ is one of those kernels
};

}  // namespace fpsim

#undef FPSIM_ARITH_PLAN_F16C
