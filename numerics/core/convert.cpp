// Unpack, decode, encode and convert. Every finite value is rounded once, by round_pack.
#include "numerics/core/convert.h"

#include <cmath>
#include <limits>

#include "numerics/core/encode_plan.h"
#include "numerics/core/internal/keyed_cache.h"

namespace fpsim {
namespace {

const Format& binary32() {
  static const Format f = parse_format("binary32");
  return f;
}
const Format& binary64() {
  static const Format f = parse_format("binary64");
  return f;
}

// ml_dtypes 0.6 rounds binary32-subnormal inputs above 2^-127 up to 2^-126 when converting to
// e8m0fnu with round-to-nearest (its input-normalisation path); reproduced only under Compat::MlDtypes.
bool mldtypes_e8m0_subnormal_quirk(const Unpacked& u, const Format& from, const Target& t) {
  const Format& f = t.format;
  return t.compat == Compat::MlDtypes && t.rounding == Rounding::NearestEven && f.man_bits() == 0 &&
         !f.has_zero() && from == binary32() && u.cls == Class::Subnormal && !u.sign &&
         u.sig > (uint64_t{1} << 22) && f.emin() == -127;  // 2^-127 = 0x00400000 = 2^22 * 2^-149
}

Bits zero_or_min(const Format& f) { return f.has_zero() ? Bits{0} : f.min_positive_code(); }

// The key of encode(float)'s plans: a Target's three words.
struct TargetKeyHash {
  size_t operator()(const TargetKey& k) const { return hash_words({k.format, k.modes, k.sr_bits}); }
};

}  // namespace

const char* to_string(Class c) {
  switch (c) {
    case Class::Zero: return "zero";
    case Class::Subnormal: return "subnormal";
    case Class::Normal: return "normal";
    case Class::Infinite: return "inf";
    case Class::QuietNaN: return "qnan";
    case Class::SignalingNaN: return "snan";
  }
  return "?";
}

Unpacked unpack(Bits b, const Format& f, bool daz) {
  const int m = f.man_bits();
  const uint64_t code = b.v & f.code_mask();
  Unpacked u;
  u.sign = (code & f.sign_mask()) != 0;
  const uint64_t field = (code >> m) & f.exp_field_max();
  const uint64_t man = code & f.man_mask();
  const uint64_t left_aligned = m > 0 ? man << (64 - m) : 0;
  switch (f.specials()) {
    case Specials::Ieee:
      if (field == f.exp_field_max()) {
        if (man == 0) { u.cls = Class::Infinite; return u; }
        u.cls = (man >> (m - 1)) & 1 ? Class::QuietNaN : Class::SignalingNaN;
        u.payload = left_aligned;
        return u;
      }
      break;
    case Specials::Fn:
      if (field == f.exp_field_max() && man == f.man_mask()) {
        u.cls = Class::QuietNaN;
        u.payload = left_aligned;
        return u;
      }
      break;
    case Specials::Fnuz:
      if (code == f.sign_mask()) { u.cls = Class::QuietNaN; return u; }  // 1.000…0, read as a negative NaN
      break;
    case Specials::P3109Extended:
    case Specials::P3109Finite:
      if (code == f.default_nan().v) { u.cls = Class::QuietNaN; return u; }  // 0x80 signed, all ones unsigned
      if (f.has_inf() && (code & ~f.sign_mask()) == f.inf_code(false).v) { u.cls = Class::Infinite; return u; }
      break;
    case Specials::Finite: break;
  }
  if (f.has_zero() && field == 0) {
    if (man == 0 || daz) { u.cls = Class::Zero; return u; }
    u.cls = Class::Subnormal;
    u.exp = f.emin() - m;
    u.sig = man;
    return u;
  }
  u.cls = Class::Normal;
  u.sig = (uint64_t{1} << m) | man;
  u.exp = static_cast<int32_t>(field) - f.bias() - m;
  return u;
}

Class classify(Bits b, const Format& f) { return unpack(b, f).cls; }

double decode(Bits b, const Format& f) {
  const Unpacked u = unpack(b, f);
  double v = 0.0;
  switch (u.cls) {
    case Class::Zero: v = 0.0; break;
    case Class::Infinite: v = std::numeric_limits<double>::infinity(); break;
    case Class::QuietNaN:
    case Class::SignalingNaN: v = std::numeric_limits<double>::quiet_NaN(); break;
    default: v = std::ldexp(static_cast<double>(u.sig), u.exp); break;
  }
  return u.sign ? -v : v;
}

Bits propagate_nan(const Unpacked& nan, const Target& t) {
  const Format& f = t.format;
  const bool keep_sign = f.is_signed() && (t.nan == NanPolicy::X86 || t.compat == Compat::MlDtypes);
  const bool negative = keep_sign && nan.sign;
  switch (f.specials()) {
    case Specials::Ieee: {
      const int m = f.man_bits();
      const uint64_t quiet = uint64_t{1} << (m - 1);
      uint64_t man = quiet;
      if (t.nan == NanPolicy::X86 && t.compat != Compat::MlDtypes) man |= nan.payload >> (64 - m);
      return Bits{(negative ? f.sign_mask() : 0) | (f.exp_field_max() << m) | man};
    }
    case Specials::Fn: return f.default_nan(negative);
    case Specials::Fnuz: return f.default_nan(true);
    case Specials::P3109Extended:
    case Specials::P3109Finite: return f.default_nan();
    case Specials::Finite:
      // No NaN: a zero (ml_dtypes gives the zero of the opposite sign; its quiet_NaN() is −0).
      if (t.compat == Compat::MlDtypes && f.is_signed()) return Bits{nan.sign ? 0 : f.sign_mask()};
      return Bits{0};
  }
  return Bits{0};
}

Rounded round_unpacked(const Unpacked& u, const Target& t, uint64_t random_bits) {
  const Format& f = t.format;
  switch (u.cls) {
    case Class::QuietNaN:
    case Class::SignalingNaN: {
      uint8_t flags = u.cls == Class::SignalingNaN ? flag::invalid : 0;
      if (!f.has_nan()) flags |= flag::invalid;
      return {propagate_nan(u, t), flags};
    }
    case Class::Infinite:
      // P3109 saturation (gfloat's sat=True, the draft's SatFinite) clamps ±inf inputs to ±max as well.
      if (is_p3109(f.specials()) && t.overflow == Overflow::Saturate && (f.is_signed() || !u.sign))
        return {Bits{(u.sign ? f.sign_mask() : 0) | f.max_code().v}, static_cast<uint8_t>(flag::overflow | flag::inexact)};
      // An infinity the format cannot hold (no inf, or −inf in an unsigned format) is invalid: it becomes
      // the NaN, even when saturating (as ml_dtypes does); formats without NaN clamp to their extreme.
      if (f.has_inf() && (f.is_signed() || !u.sign)) return {f.inf_code(u.sign), 0};
      if (f.has_nan()) return {f.default_nan(u.sign), flag::invalid};
      if (u.sign && !f.is_signed()) return {zero_or_min(f), flag::invalid};
      return {Bits{(u.sign ? f.sign_mask() : 0) | f.max_code().v}, flag::invalid};
    case Class::Zero: return round_pack(Exact{u.sign, 0, 0, false}, t, random_bits);
    case Class::Subnormal:
    case Class::Normal: break;
  }
  return round_pack(Exact{u.sign, u.exp, u.sig, false}, t, random_bits);
}

Rounded convert(Bits b, const Format& from, const Target& to, uint64_t random_bits) {
  const Unpacked u = unpack(b, from, to.daz);
  if (mldtypes_e8m0_subnormal_quirk(u, from, to)) return {Bits{1}, flag::inexact};
  return round_unpacked(u, to, random_bits);
}

Rounded encode(double x, const Target& t, uint64_t random_bits) {
  return convert(Bits{bits_of(x)}, binary64(), t, random_bits);
}

// encode(float) runs the target's EncodePlan, built on the target's first use (internal/keyed_cache.h); the plan
// hands whatever its integer steps do not cover back to convert(). The check of the thread's last target is inline
// and word by word (same_target); anything else goes to a cold function, so the hot path saves no registers.
namespace {
constexpr size_t kMaxCachedEncodePlans = 4096;  // as the arithmetic plans' cap
using EncodePlans = KeyedCache<TargetKey, EncodePlan, TargetKeyHash, kMaxCachedEncodePlans>;

[[gnu::noinline, gnu::cold]] Rounded encode_first_call(float x, const Target& t, uint64_t random_bits) {
  const TargetKey key = target_key(t);
  if (const EncodePlan* plan = EncodePlans::get(key, [&] { return EncodePlan(t); })) return (*plan)(x, random_bits);
  return convert(Bits{bits_of(x)}, binary32(), t, random_bits);
}
}  // namespace

Rounded encode(float x, const Target& t, uint64_t random_bits) {
  const EncodePlans::Entry* e = EncodePlans::front();
  if (e && same_target(e->key.format, e->key.modes, e->key.sr_bits, t)) [[likely]]
    return e->value(x, random_bits);
  return encode_first_call(x, t, random_bits);
}

}  // namespace fpsim
