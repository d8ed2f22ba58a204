#include "compare.h"

#include <catch2/catch.hpp>
#include <cstdio>

namespace fpsim::test {

std::string hex(Bits b, const Format& f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", (f.total_bits() + 3) / 4, static_cast<unsigned long long>(b.v));
  return buf;
}

std::string describe(const Target& t) {
  std::string s = t.format.to_string() + " " + to_string(t.rounding, t.sr_bits) + " " + to_string(t.overflow) +
                  " " + to_string(t.tininess);
  if (t.daz) s += " daz";
  if (t.nan != NanPolicy::X86) s += std::string(" nan=") + to_string(t.nan);
  if (t.compat == Compat::MlDtypes) s += " compat=ml_dtypes";
  return s;
}

std::string describe(const Rounded& r, const Format& f) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "/%02x", r.flags);
  return hex(r.bits, f) + buf;
}

void MismatchLog::check(const Rounded& got, const Rounded& want, const Format& f, const std::string& what) {
  ++cases_;
  if (!(got == want)) record(got, want, f, what);
}

void MismatchLog::record(const Rounded& got, const Rounded& want, const Format& f, const std::string& what) {
  ++mismatches_;
  if (first_.size() < 12) first_.push_back(what + ": got " + describe(got, f) + ", expected " + describe(want, f));
}

std::string MismatchLog::report() const {
  std::string s;
  for (const std::string& line : first_) s += line + "\n";
  return s;
}

void require_no_mismatches(const MismatchLog& log, size_t min_cases) {
  INFO(log.mismatches() << " mismatches in " << log.cases() << " cases; first ones:\n" << log.report());
  CHECK(log.cases() >= min_cases);
  CHECK(log.mismatches() == 0);
}

}  // namespace fpsim::test
