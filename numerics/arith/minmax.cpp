// minimum, maximum, minimumNumber, maximumNumber (IEEE 754-2019 9.6). Steps:
//   1. NaN operands: minimum/maximum return a NaN (nan_operand_result: the first NaN, quieted, per
//      t.nan); the *_number forms return the other operand when only one is NaN; a signalling NaN
//      operand raises invalid in every form;
//   2. two zeros: -0 is below +0;
//   3. otherwise order() picks the operand, which is converted into t (exact when t holds it).
#include "numerics/arith/arith.h"
#include "numerics/core/convert.h"
#include "numerics/core/nan_rules.h"

namespace fpsim {
namespace {

enum class Pick { Min, Max };

Rounded select(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t, Pick pick, bool number) {
  const Unpacked x = unpack(a, fa, t.daz), y = unpack(b, fb, t.daz);
  const uint8_t signalling = (x.cls == Class::SignalingNaN || y.cls == Class::SignalingNaN) ? flag::invalid : 0;
  auto take = [&](bool first) {
    Rounded r = convert(first ? a : b, first ? fa : fb, t);
    r.flags |= signalling;
    return r;
  };
  if (x.is_nan() || y.is_nan()) {
    if (number && !(x.is_nan() && y.is_nan())) return take(!x.is_nan());
    return nan_operand_result({&x, &y}, t);
  }
  if (x.cls == Class::Zero && y.cls == Class::Zero) return take(pick == Pick::Min ? x.sign || !y.sign : !x.sign || y.sign);
  const Ordering o = order(a, fa, b, fb, t.daz);
  return take(pick == Pick::Min ? o != Ordering::Greater : o != Ordering::Less);
}

}  // namespace

Rounded minimum(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t) {
  return select(a, fa, b, fb, t, Pick::Min, false);
}
Rounded maximum(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t) {
  return select(a, fa, b, fb, t, Pick::Max, false);
}
Rounded minimum_number(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t) {
  return select(a, fa, b, fb, t, Pick::Min, true);
}
Rounded maximum_number(Bits a, const Format& fa, Bits b, const Format& fb, const Target& t) {
  return select(a, fa, b, fb, t, Pick::Max, true);
}

}  // namespace fpsim
