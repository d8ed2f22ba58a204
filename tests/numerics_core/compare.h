#pragma once
// Counting core-versus-oracle (or core-versus-table) disagreements, keeping the first few in full.
#include <cstdint>
#include <string>
#include <vector>

#include "numerics/core/convert.h"

namespace fpsim::test {

/// The deterministic rounding modes the oracle supports, and the overflow policies.
inline constexpr Rounding kDeterministicModes[] = {Rounding::NearestEven, Rounding::NearestAway,
                                                   Rounding::TowardZero,  Rounding::Up,
                                                   Rounding::Down,        Rounding::Odd};
inline constexpr Overflow kOverflowPolicies[] = {Overflow::Ieee, Overflow::Saturate, Overflow::NonSaturating};

/// "0x3c01" with the format's width in hex digits.
std::string hex(Bits b, const Format& f);
/// "e5m2 rne ieee after" (plus "daz" / "nosub" details when set).
std::string describe(const Target& t);
/// "0x7b/05" (code and flags).
std::string describe(const Rounded& r, const Format& f);

class MismatchLog {
 public:
  /// Count one case; record it when got != want. `what` names the case (input and target).
  void check(const Rounded& got, const Rounded& want, const Format& f, const std::string& what);
  /// As check(), computing the description only on a mismatch.
  template <class Describe>
  void check_lazy(const Rounded& got, const Rounded& want, const Format& f, Describe&& what) {
    ++cases_;
    if (got == want) return;
    record(got, want, f, what());
  }
  size_t cases() const { return cases_; }
  size_t mismatches() const { return mismatches_; }
  /// The first mismatches, one per line ("" when none).
  std::string report() const;

 private:
  void record(const Rounded& got, const Rounded& want, const Format& f, const std::string& what);
  size_t cases_ = 0, mismatches_ = 0;
  std::vector<std::string> first_;
};

/// Fails the current Catch2 test with the log's report when it holds any mismatch; also requires that
/// at least `min_cases` cases ran (a check over nothing cannot pass).
void require_no_mismatches(const MismatchLog& log, size_t min_cases = 1);

}  // namespace fpsim::test
