// Plans for the scalar calls: the part of internal/plan_cache.h that finds or builds a plan off the hot path.
#include "numerics/arith/internal/plan_cache.h"

namespace fpsim {

const ArithPlan* cached_arith_plan(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t) {
  using namespace plan_cache_detail;
  return Plans::get(make_key(op, fa, fb, fc, t), [&] {
    const Format formats[3] = {fa, fb, fc};
    return ArithPlan(op, std::span<const Format>(formats, size_t(arity(op))), t);
  });
}

}  // namespace fpsim
