// Special-operand results shared by the arithmetic operations (see nan_rules.h for the conventions).
#include "numerics/core/nan_rules.h"

namespace fpsim {

Rounded nan_operand_result(std::initializer_list<const Unpacked*> operands, const Target& t) {
  const Unpacked* first = nullptr;
  uint8_t flags = 0;
  for (const Unpacked* u : operands) {
    if (!u->is_nan()) continue;
    if (!first) first = u;
    if (u->cls == Class::SignalingNaN) flags |= flag::invalid;
  }
  // propagate_nan quiets and carries the payload under X86, and gives the positive default NaN
  // under ArmDefault / RiscV; a finite format has no NaN, so the result is +0 (a zero per t.compat)
  // and invalid.
  if (!t.format.has_nan()) flags |= flag::invalid;
  return {propagate_nan(*first, t), flags};
}

Rounded invalid_result(const Target& t) {
  const Format& f = t.format;
  if (!f.has_nan()) return {Bits{0}, flag::invalid};
  // x86's default NaN has the sign set; ARM's default NaN and RISC-V's canonical NaN are positive.
  return {f.default_nan(t.nan == NanPolicy::X86 && f.is_signed()), flag::invalid};
}

Rounded infinite_result(bool negative, const Target& t, uint8_t extra_flags) {
  Unpacked inf;
  inf.cls = Class::Infinite;
  inf.sign = negative;
  Rounded r = round_unpacked(inf, t, 0);
  r.flags |= extra_flags;
  return r;
}

}  // namespace fpsim
