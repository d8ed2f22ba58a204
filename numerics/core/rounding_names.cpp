// String names of the rounding vocabulary, parsed once at the edge.
#include <charconv>
#include <stdexcept>
#include <string>

#include "numerics/core/rounding.h"

namespace fpsim {

std::string to_string(Rounding r, int sr_bits) {
  switch (r) {
    case Rounding::NearestEven: return "rne";
    case Rounding::NearestAway: return "rna";
    case Rounding::TowardZero: return "rtz";
    case Rounding::Up: return "rup";
    case Rounding::Down: return "rdn";
    case Rounding::Odd: return "rodd";
    case Rounding::Stochastic: return sr_bits > 0 ? "sr:" + std::to_string(sr_bits) : "sr";
    case Rounding::Truncate: return "trunc";
  }
  return "?";
}

void parse_rounding(std::string_view text, Rounding& r, int& sr_bits) {
  sr_bits = 0;
  if (text == "rne") { r = Rounding::NearestEven; return; }
  if (text == "rna") { r = Rounding::NearestAway; return; }
  if (text == "rtz") { r = Rounding::TowardZero; return; }
  if (text == "rup") { r = Rounding::Up; return; }
  if (text == "rdn") { r = Rounding::Down; return; }
  if (text == "rodd") { r = Rounding::Odd; return; }
  if (text == "trunc") { r = Rounding::Truncate; return; }
  if (text == "sr") { r = Rounding::Stochastic; return; }
  if (text.substr(0, 3) == "sr:") {
    int k = 0;
    std::string_view digits = text.substr(3);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
    if (ec == std::errc() && p == digits.data() + digits.size() && k >= 1 && k <= 63) {
      r = Rounding::Stochastic;
      sr_bits = k;
      return;
    }
    throw std::invalid_argument("bad stochastic rounding \"" + std::string(text) + "\" (expected sr:K with K in 1..63)");
  }
  throw std::invalid_argument("unknown rounding \"" + std::string(text) +
                              "\" (expected one of rne, rna, rtz, rup, rdn, rodd, sr, sr:K, trunc)");
}

const char* to_string(Overflow o) {
  switch (o) {
    case Overflow::Ieee: return "ieee";
    case Overflow::Saturate: return "saturate";
    case Overflow::NonSaturating: return "nonsat";
  }
  return "?";
}

Overflow parse_overflow(std::string_view text) {
  if (text == "ieee") return Overflow::Ieee;
  if (text == "saturate" || text == "sat") return Overflow::Saturate;
  if (text == "nonsat") return Overflow::NonSaturating;
  throw std::invalid_argument("unknown overflow policy \"" + std::string(text) + "\" (expected one of ieee, saturate, nonsat)");
}

const char* to_string(Tininess t) { return t == Tininess::AfterRounding ? "after" : "before"; }

Tininess parse_tininess(std::string_view text) {
  if (text == "after") return Tininess::AfterRounding;
  if (text == "before") return Tininess::BeforeRounding;
  throw std::invalid_argument("unknown tininess \"" + std::string(text) + "\" (expected after or before)");
}

const char* to_string(NanPolicy n) {
  switch (n) {
    case NanPolicy::X86: return "x86";
    case NanPolicy::ArmDefault: return "arm";
    case NanPolicy::RiscV: return "riscv";
  }
  return "?";
}

NanPolicy parse_nan_policy(std::string_view text) {
  if (text == "x86") return NanPolicy::X86;
  if (text == "arm") return NanPolicy::ArmDefault;
  if (text == "riscv") return NanPolicy::RiscV;
  throw std::invalid_argument("unknown NaN policy \"" + std::string(text) + "\" (expected one of x86, arm, riscv)");
}

std::string flags_to_string(uint8_t flags) {
  static const char* names[] = {"inexact", "underflow", "overflow", "infinite", "invalid"};
  std::string out;
  for (int i = 0; i < 5; ++i)
    if (flags & (1 << i)) out += (out.empty() ? "" : "|") + std::string(names[i]);
  return out.empty() ? "-" : out;
}

}  // namespace fpsim
