// add_rounded (one rounded addition, the scalar reference of every accumulator) and the plan of the
// vector accumulator (accumulate_simd.cpp).
#include "numerics/fast/accumulate.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "numerics/core/bits.h"
#include "numerics/core/convert.h"
#include "numerics/fast/internal/accumulate_plan.h"
#include "numerics/fast/internal/fp_environment.h"
#include "numerics/fast/internal/fast_double.h"

namespace fpsim {

double add_rounded(double s, double x, const Target& t, uint64_t random_bits) {
  const double hi = s + x;
  // inf, NaN and binary64 overflow: the rounded binary64 sum is the answer, encoded into the Target
  if (!std::isfinite(hi)) return decode(encode(hi, t, random_bits).bits, t.format);
  return decode(round_sum(s, x, t, random_bits).bits, t.format);
}

bool RoundedAccumulator::applies(const Target& t) {
  const Format& f = t.format;
  return !t.daz && t.compat == Compat::None && f.is_signed() && f.has_negative_zero() && f.man_bits() >= 1 &&
         f.precision() <= 24 && f.emax() <= 127 && f.emin() - f.man_bits() >= -149;
}

namespace {

// The Targets of the narrow rne step (accumulate_simd.cpp, NarrowGroup): binary16 and bfloat16 exactly,
// round to nearest even, overflow to ±inf (Ieee and NonSaturating agree in rne); applies() has excluded
// DAZ and the compat quirks.
RoundedAccumulator::Plan::NarrowKind narrow_kind(const Target& t) {
  using Kind = RoundedAccumulator::Plan::NarrowKind;
  if (t.rounding != Rounding::NearestEven || t.overflow == Overflow::Saturate) return Kind::None;
  static const Format binary16 = parse_format("binary16"), bfloat16 = parse_format("bfloat16");
  return t.format == binary16 ? Kind::Binary16 : t.format == bfloat16 ? Kind::Bfloat16 : Kind::None;
}

// The Targets of the fma steps (accumulate_simd.cpp, FmaGroup): binary16 and bfloat16 exactly, in rne (as
// narrow_kind) or a directed mode with IEEE overflow (rtz and rdn of a large positive sum give max, rup inf).
RoundedAccumulator::Plan::NarrowKind fma_kind(const Target& t) {
  const bool directed = t.rounding == Rounding::TowardZero || t.rounding == Rounding::Up || t.rounding == Rounding::Down;
  if (directed && t.overflow == Overflow::Ieee) {
    Target nearest = t;
    nearest.rounding = Rounding::NearestEven;
    return narrow_kind(nearest);
  }
  return narrow_kind(t);
}

}  // namespace

RoundedAccumulator::RoundedAccumulator(const Target& t, simd::Isa isa) : plan_(std::make_unique<Plan>()) {
  if (!applies(t)) throw std::invalid_argument("RoundedAccumulator: the vector path does not take this Target");
  isa = isa;
  if (!simd::cpu_supports(isa))
    throw std::invalid_argument(std::string("RoundedAccumulator: kernel ") + simd::to_string(isa) + " is not available");
  const Format f32 = parse_format("binary32");
  if (!detail::make_lane_plan(ArithOp::Add, f32, f32, f32, t, plan_->lanes))
    throw std::invalid_argument("RoundedAccumulator: no lane plan for this Target");
  plan_->target = t;
  plan_->max_bits = bits_of(decode(t.format.max_code(), t.format));
  plan_->min_normal = std::ldexp(1.0, t.format.emin());
  plan_->isa = isa;
  const Format& f = t.format;
  plan_->float_lanes = f.man_bits() <= 21 && f.emin() >= -126 && f.emax() <= 127;
  if (plan_->float_lanes) {
    plan_->drop_float = 23 - f.man_bits();
    plan_->min_bits_float = uint32_t(f.emin() + 127) << 23;
    plan_->max_bits_float = bits_of(static_cast<float>(decode(f.max_code(), f)));
  }
  plan_->narrow = narrow_kind(t);
  if (plan_->narrow != Plan::NarrowKind::None)
    plan_->narrow_product_bits = std::min(f.precision(), 22 - f.precision());
  if (isa == simd::Isa::Avx512) plan_->fma_kind = fma_kind(t);
  width_ = detail::accumulate_width(isa);
}

RoundedAccumulator::~RoundedAccumulator() = default;

int RoundedAccumulator::rows_per_group(bool binary32_products) const {
  const bool float_lanes = binary32_products ? plan_->float_lanes && plan_->lanes.sr_bits <= plan_->drop_float
                                             : plan_->fma_kind != Plan::NarrowKind::None;
  return float_lanes ? 8 : 4;
}

void RoundedAccumulator::run(const AccumulateGroup& g) const {
  const IeeeDefaultFp fp;  // the kernels' fmas and TwoSums need round to nearest, and subnormals kept
  detail::accumulate_group(*plan_, g);
}

void RoundedAccumulator::run_matrix_unit(const AccumulateGroup& g, const MatrixUnitCut& cut, float* promoted) const {
  if (plan_->lanes.stochastic) throw std::invalid_argument("RoundedAccumulator: matrix_unit with a stochastic Target");
  const IeeeDefaultFp fp;
  detail::matrix_unit_tile(*plan_, g, cut, promoted);
}

}  // namespace fpsim
