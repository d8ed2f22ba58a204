#include "numerics/core/format.h"

#include <charconv>
#include <cmath>

namespace fpsim {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

FormatSpec make(const char* name, int e, int m, int bias, Specials sp, bool is_signed = true,
                bool sub = true, bool zero = true) {
  return FormatSpec{e, m, bias, is_signed, sub, zero, sp, name};
}

// One property of a spec string, stated at most once: a second statement with another value is a conflict
// ("e4m3,fn,fnuz" names specials twice), never "the last one wins".
template <class T>
void state(std::optional<T>& slot, T value, const char* property, std::string_view text, const char* (*show)(T)) {
  if (slot && *slot != value)
    throw FormatError("conflicting options in format \"" + std::string(text) + "\": " + property + " is both " +
                      show(*slot) + " and " + show(value));
  slot = value;
}
const char* yes_no(bool b) { return b ? "on" : "off"; }
const char* sign_name(bool b) { return b ? "signed" : "unsigned"; }

}  // namespace

const char* to_string(Specials s) {
  switch (s) {
    case Specials::Ieee: return "ieee";
    case Specials::Fn: return "fn";
    case Specials::Fnuz: return "fnuz";
    case Specials::Finite: return "finite";
    case Specials::P3109Extended: return "p3109e";
    case Specials::P3109Finite: return "p3109f";
  }
  return "?";
}

Specials parse_specials(std::string_view text) {
  std::string t = lower(text);
  if (t == "ieee") return Specials::Ieee;
  if (t == "fn") return Specials::Fn;
  if (t == "fnuz") return Specials::Fnuz;
  if (t == "finite") return Specials::Finite;
  if (t == "p3109e") return Specials::P3109Extended;
  if (t == "p3109f") return Specials::P3109Finite;
  throw FormatError("unknown specials \"" + std::string(text) +
                    "\" (expected one of ieee, fn, fnuz, finite, p3109e, p3109f)");
}

int default_bias(int exp_bits, Specials s) {
  return (1 << (exp_bits - 1)) - 1 + (s == Specials::Fnuz || is_p3109(s) ? 1 : 0);
}

const std::vector<Preset>& presets() {
  // Biases: IEEE-style 2^(e-1)-1; the fnuz types use 2^(e-1) (they gain the binade freed by −0).
  static const std::vector<Preset> list = {
      {"binary16", {"fp16", "f16", "half", "float16"}, make("binary16", 5, 10, 15, Specials::Ieee),
       "IEEE 754 half precision"},
      {"bfloat16", {"bf16"}, make("bfloat16", 8, 7, 127, Specials::Ieee), "Google Brain float"},
      {"tf32", {"tensorfloat32"}, make("tf32", 8, 10, 127, Specials::Ieee), "NVIDIA TensorFloat-32"},
      {"binary32", {"fp32", "f32", "float", "float32", "single"}, make("binary32", 8, 23, 127, Specials::Ieee),
       "IEEE 754 single precision"},
      {"binary64", {"fp64", "f64", "double", "float64"}, make("binary64", 11, 52, 1023, Specials::Ieee),
       "IEEE 754 double precision"},
      {"e5m2", {"fp8_e5m2", "float8_e5m2", "bf8"}, make("e5m2", 5, 2, 15, Specials::Ieee),
       "OCP FP8 E5M2 (IEEE-like, max 57344)"},
      {"e4m3fn", {"fp8_e4m3", "float8_e4m3fn", "hf8"}, make("e4m3fn", 4, 3, 7, Specials::Fn),
       "OCP FP8 E4M3 (no inf, NaN S.1111.111, max 448)"},
      {"e4m3fnuz", {"float8_e4m3fnuz"}, make("e4m3fnuz", 4, 3, 8, Specials::Fnuz),
       "FP8 E4M3 fnuz (bias 8, NaN = 0x80, max 240)"},
      {"e5m2fnuz", {"float8_e5m2fnuz"}, make("e5m2fnuz", 5, 2, 16, Specials::Fnuz),
       "FP8 E5M2 fnuz (bias 16, NaN = 0x80, max 57344)"},
      {"e4m3b11fnuz", {"float8_e4m3b11fnuz"}, make("e4m3b11fnuz", 4, 3, 11, Specials::Fnuz),
       "HFP8 forward format (bias 11, fnuz, max 30)"},
      {"e4m3", {"float8_e4m3"}, make("e4m3", 4, 3, 7, Specials::Ieee), "IEEE-like E4M3 (inf, max 240)"},
      {"e3m4", {"float8_e3m4"}, make("e3m4", 3, 4, 3, Specials::Ieee), "IEEE-like E3M4 (max 15.5)"},
      {"e2m3fn", {"fp6_e2m3", "float6_e2m3fn"}, make("e2m3fn", 2, 3, 1, Specials::Finite),
       "OCP MX FP6 E2M3 (no inf/NaN, max 7.5)"},
      {"e3m2fn", {"fp6_e3m2", "float6_e3m2fn"}, make("e3m2fn", 3, 2, 3, Specials::Finite),
       "OCP MX FP6 E3M2 (no inf/NaN, max 28)"},
      {"e2m1fn", {"fp4", "fp4_e2m1", "float4_e2m1fn"}, make("e2m1fn", 2, 1, 1, Specials::Finite),
       "OCP MX FP4 E2M1 (no inf/NaN, max 6)"},
      {"e8m0fnu", {"float8_e8m0fnu"}, make("e8m0fnu", 8, 0, 127, Specials::Fn, false, false, false),
       "OCP MX E8M0 scale (unsigned, no zero, 2^-127..2^127, NaN 0xff)"},
      // IEEE P3109 (draft, as gfloat implements it); every p3109_k{K}p{P}{s|u}{e|f} parses (format_p3109.cpp).
      {"p3109_k8p3se", {"binary8p3se"}, make("p3109_k8p3se", 5, 2, 16, Specials::P3109Extended),
       "IEEE P3109 8-bit, precision 3, signed extended (NaN 0x80, inf 0x7F, max 49152)"},
      {"p3109_k8p4se", {"binary8p4se"}, make("p3109_k8p4se", 4, 3, 8, Specials::P3109Extended),
       "IEEE P3109 8-bit, precision 4, signed extended (NaN 0x80, inf 0x7F, max 224)"},
      {"p3109_k8p4sf", {"binary8p4sf"}, make("p3109_k8p4sf", 4, 3, 8, Specials::P3109Finite),
       "IEEE P3109 8-bit, precision 4, signed finite (NaN 0x80, max 240)"},
      {"p3109_k8p4ue", {"binary8p4ue"}, make("p3109_k8p4ue", 5, 3, 16, Specials::P3109Extended, false),
       "IEEE P3109 8-bit, precision 4, unsigned extended (NaN 0xFF, inf 0xFE, max 53248)"},
  };
  return list;
}

Format::Format() : Format(presets()[3].spec) {}

Format::Format(const FormatSpec& in) : spec_(in) {
  FormatSpec& s = spec_;
  if (s.exp_bits < 1 || s.exp_bits > 11)
    throw FormatError("exp_bits = " + std::to_string(s.exp_bits) + " is out of range (expected 1..11)");
  if (s.man_bits < 0 || s.man_bits > 52)
    throw FormatError("man_bits = " + std::to_string(s.man_bits) + " is out of range (expected 0..52)");
  if (!s.bias) s.bias = default_bias(s.exp_bits, s.specials);
  const int bias = *s.bias;
  if (s.specials == Specials::Ieee && s.man_bits < 1)
    throw FormatError("specials = ieee needs man_bits >= 1 (inf and NaN share the all-ones exponent)");
  if (s.specials == Specials::Ieee && s.exp_bits < 2)
    throw FormatError("specials = ieee needs exp_bits >= 2 (the all-ones exponent is reserved)");
  if (s.specials == Specials::Fnuz && !s.is_signed)
    throw FormatError("specials = fnuz needs a sign bit (its NaN is the negative-zero code)");
  if (!s.has_zero && s.subnormals)
    throw FormatError("has_zero = false needs subnormals = false (exponent field 0 is then a normal binade)");

  // The largest finite code: below the inf/NaN codes of the top exponent field.
  const uint64_t top = exp_field_max();
  uint64_t field = top, man = man_mask();
  switch (s.specials) {
    case Specials::Ieee: field = top - 1; break;
    case Specials::Fn:
      if (s.man_bits == 0) field = top - 1; else man -= 1;  // S.1…1.1…1 is the NaN
      break;
    case Specials::Fnuz:
    case Specials::Finite: break;
    case Specials::P3109Extended:
    case Specials::P3109Finite: {
      // Count down from the all-ones magnitude: the NaN (unsigned only; signed its NaN is 0x80), then
      // +inf (extended). k4p2ue: 0b1111 NaN, 0b1110 inf, max 0b1101 = field 0b110, man 0b1.
      const uint64_t all = (top << s.man_bits) | man;
      const uint64_t reserved = (s.is_signed ? 0 : 1) + (s.specials == Specials::P3109Extended ? 1 : 0);
      if (all < reserved) throw FormatError("a P3109 format needs at least 2 bits");
      field = (all - reserved) >> s.man_bits;
      man = (all - reserved) & man_mask();
      break;
    }
  }
  const uint64_t first_normal_field = s.has_zero ? 1 : 0;
  if (field < first_normal_field)
    throw FormatError("exp_bits = " + std::to_string(s.exp_bits) + " with specials = " + fpsim::to_string(s.specials) +
                      " leaves no normal binade");
  emin_ = static_cast<int>(first_normal_field) - bias;
  emax_ = static_cast<int>(field) - bias;
  max_sig_ = (uint64_t{1} << s.man_bits) | man;
  max_code_ = Bits{(field << s.man_bits) | man};
  // Every value must be a binary64 value, so decode() is exact: max < 2^1024, min ulp >= 2^-1074.
  if (emax_ > 1023)
    throw FormatError("bias = " + std::to_string(bias) + " puts the largest value at 2^" + std::to_string(emax_) +
                      ", beyond binary64 (expected emax <= 1023)");
  if (emin_ - s.man_bits < -1074)
    throw FormatError("bias = " + std::to_string(bias) + " puts the smallest step at 2^" +
                      std::to_string(emin_ - s.man_bits) + ", below binary64's 2^-1074");
  // identity(): every validated field in its own bit range, so two specs share it only when all fields agree:
  //   bits 0-3 exp_bits (1..11), 4-9 man_bits (0..52), 10 is_signed, 11 subnormals, 12 has_zero,
  //   13-15 specials (6 values), 32-63 the bias as a 32-bit two's-complement integer.
  //   binary16 (5, 10, signed, subnormals, zero, ieee = 0, bias 15): 0x5 | 0xA0 | 0x400 | 0x800 | 0x1000 | 15 << 32
  //   = 0x0000000F'00001CA5.
  static_assert(static_cast<int>(Specials::P3109Finite) < 8, "specials must fit identity()'s 3 bits");
  identity_ = uint64_t(s.exp_bits) | uint64_t(s.man_bits) << 4 | uint64_t(s.is_signed) << 10 |
              uint64_t(s.subnormals) << 11 | uint64_t(s.has_zero) << 12 | uint64_t(s.specials) << 13 |
              uint64_t(static_cast<uint32_t>(bias)) << 32;
}

Bits Format::inf_code(bool negative) const {
  // P3109: the largest magnitude, or the one below the all-ones NaN when unsigned (k8p3se 0x7F/0xFF).
  if (spec_.specials == Specials::P3109Extended)
    return Bits{(negative ? sign_mask() : 0) | ((code_mask() & ~sign_mask()) - (spec_.is_signed ? 0 : 1))};
  return Bits{(negative ? sign_mask() : 0) | (exp_field_max() << spec_.man_bits)};
}

Bits Format::default_nan(bool negative) const {
  switch (spec_.specials) {
    case Specials::Ieee:  // quiet bit = top mantissa bit; f16: 0xFE00 with the sign
      return Bits{(negative ? sign_mask() : 0) | (exp_field_max() << spec_.man_bits) |
                  (uint64_t{1} << (spec_.man_bits - 1))};
    case Specials::Fn: return Bits{(negative ? sign_mask() : 0) | (exp_field_max() << spec_.man_bits) | man_mask()};
    case Specials::Fnuz: return Bits{sign_mask()};
    case Specials::P3109Extended:
    case Specials::P3109Finite: return Bits{spec_.is_signed ? sign_mask() : code_mask()};
    case Specials::Finite: break;
  }
  return Bits{0};
}

Bits Format::min_positive_code() const {
  if (spec_.subnormals) return Bits{1};
  return Bits{spec_.has_zero ? (uint64_t{1} << spec_.man_bits) : 0};
}

double Format::max_value() const { return std::ldexp(static_cast<double>(max_sig_), emax_ - spec_.man_bits); }
double Format::min_normal() const { return std::ldexp(1.0, emin_); }
double Format::min_subnormal() const {
  return spec_.subnormals ? std::ldexp(1.0, emin_ - spec_.man_bits) : min_normal();
}
double Format::epsilon() const { return std::ldexp(1.0, -spec_.man_bits); }

std::string Format::to_string() const {
  // A preset with unchanged parameters prints as its name.
  for (const Preset& p : presets())
    if (Format(p.spec) == *this) return p.name;
  if (std::string p3109 = p3109_name(*this); !p3109.empty()) return p3109;
  const FormatSpec& s = spec_;
  std::string out = "e";
  out += std::to_string(s.exp_bits);
  out += 'm';
  out += std::to_string(s.man_bits);
  if (*s.bias != default_bias(s.exp_bits, s.specials)) {
    out += ",bias=";
    out += std::to_string(*s.bias);
  }
  if (s.specials != Specials::Ieee) out += std::string(",") + fpsim::to_string(s.specials);
  if (!s.subnormals) out += ",nosub";
  if (!s.has_zero) out += ",nozero";
  if (!s.is_signed) out += ",unsigned";
  return out;
}

Format parse_format(std::string_view text) {
  static const char* expected =
      "expected a preset (binary16, bfloat16, tf32, binary32, binary64, e5m2, e4m3fn, e4m3fnuz, e5m2fnuz, "
      "e4m3b11fnuz, e4m3, e3m4, e2m3fn, e3m2fn, e2m1fn, e8m0fnu), p3109_kKpP{s|u}{e|f}, or eXmY[bN][fn|fnuz|fnu] "
      "with options ,bias=N ,nosub ,unsigned ,nozero ,ieee|fn|fnuz|finite|p3109e|p3109f";
  std::string all = lower(trim(text));
  if (all.empty()) throw FormatError("empty format (" + std::string(expected) + ")");
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t comma = all.find(',', start);
    parts.push_back(trim(std::string_view(all).substr(start, comma == std::string::npos ? std::string::npos
                                                                                        : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const std::string& head = parts[0];
  FormatSpec spec;
  // What the string states; a preset's properties are the base that options may change (binary16,bias=13).
  std::optional<int> bias;
  std::optional<Specials> specials;
  std::optional<bool> is_signed, subnormals, has_zero;
  bool found = false;
  for (const Preset& p : presets()) {
    bool match = head == p.name;
    for (const std::string& a : p.aliases) match = match || head == a;
    if (match) { spec = p.spec; found = true; break; }
  }
  // A preset's bias that is the default for its specials follows a specials option (e4m3,fnuz has bias 8).
  if (found && spec.bias == default_bias(spec.exp_bits, spec.specials)) spec.bias.reset();
  if (!found)
    if (std::optional<FormatSpec> p3109 = p3109_spec(head)) {
      spec = *p3109;
      spec.bias.reset();  // P3109 formats use their default bias (default_bias), which an option may override
      found = true;
    }
  if (!found) {
    // eXmY[bN][fn|fnuz|fnu]: always the generic format, whatever preset shares the digits (e8m0 is not e8m0fnu)
    size_t i = 0;
    auto number = [&](int& out) {
      size_t j = i;
      while (j < head.size() && head[j] >= '0' && head[j] <= '9') ++j;
      bool ok = parse_int(std::string_view(head).substr(i, j - i), out);
      i = j;
      return ok;
    };
    spec = FormatSpec{};
    bool ok = head.size() > 3 && head[i++] == 'e' && number(spec.exp_bits) && i < head.size() && head[i++] == 'm' &&
              number(spec.man_bits);
    if (ok && i < head.size() && head[i] == 'b') {
      ++i;
      int b = 0;
      ok = number(b);
      bias = b;
    }
    std::string suffix = ok ? head.substr(i) : std::string();
    if (!ok) throw FormatError("unknown format \"" + std::string(text) + "\" (" + expected + ")");
    if (suffix.empty()) spec.specials = Specials::Ieee;  // the default, which an option may change
    else if (suffix == "fn") specials = Specials::Fn;
    else if (suffix == "fnuz") specials = Specials::Fnuz;
    else if (suffix == "fnu") { specials = Specials::Fn; is_signed = false; }
    else throw FormatError("unknown format \"" + std::string(text) + "\": unknown suffix \"" + suffix + "\" (" + expected + ")");
  }
  for (size_t k = 1; k < parts.size(); ++k) {
    const std::string& opt = parts[k];
    if (opt.rfind("bias=", 0) == 0) {
      int b = 0;
      if (!parse_int(std::string_view(opt).substr(5), b))
        throw FormatError("bad bias \"" + opt.substr(5) + "\" in format \"" + std::string(text) + "\" (expected an integer)");
      if (bias && *bias != b)
        throw FormatError("conflicting options in format \"" + std::string(text) + "\": bias is both " +
                          std::to_string(*bias) + " and " + std::to_string(b));
      bias = b;
    } else if (opt == "nosub") state(subnormals, false, "subnormals", text, yes_no);
    else if (opt == "sub") state(subnormals, true, "subnormals", text, yes_no);
    else if (opt == "unsigned") state(is_signed, false, "sign", text, sign_name);
    else if (opt == "signed") state(is_signed, true, "sign", text, sign_name);
    else if (opt == "nozero") state(has_zero, false, "zero", text, yes_no);
    else if (opt == "ieee" || opt == "fn" || opt == "fnuz" || opt == "finite" || opt == "p3109e" ||
             opt == "p3109f") {
      state(specials, parse_specials(opt), "specials", text, fpsim::to_string);
    } else {
      throw FormatError("unknown option \"" + opt + "\" in format \"" + std::string(text) + "\" (" + expected + ")");
    }
    spec.name.clear();
  }
  if (bias) spec.bias = bias;
  if (specials) spec.specials = *specials;
  if (is_signed) spec.is_signed = *is_signed;
  if (has_zero) spec.has_zero = *has_zero;
  if (!spec.has_zero && !subnormals) subnormals = false;  // exponent field 0 is then a normal binade
  if (subnormals) spec.subnormals = *subnormals;
  return Format(spec);
}

}  // namespace fpsim
