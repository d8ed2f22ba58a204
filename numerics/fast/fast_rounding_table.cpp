// Rounding tables built from round_pack (see fast_rounding_table.h for why they are exact).
#include "numerics/fast/internal/fast_rounding_table.h"

#include "numerics/core/internal/table_budget.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace fpsim {
namespace {

bool same_deterministic_target(const Target& a, const Target& b) {
  return a.format == b.format && a.rounding == b.rounding && a.overflow == b.overflow && a.tininess == b.tininess &&
         a.daz == b.daz && a.nan == b.nan && a.compat == b.compat;
}

struct Entry {
  Target target;
  RoundingTable table;
};

}  // namespace

RoundingTable::RoundingTable(const Target& t)
    : p_(t.format.precision()), e_lo_(t.format.emin() - t.format.precision() - 1), e_hi_(t.format.emax() + 1) {
  fill(t);
}

RoundingTable::RoundingTable(const Target& t, int rows_lo, int rows_hi)
    : p_(t.format.precision()), e_lo_(widened_lo(t, rows_lo)), e_hi_(widened_hi(t, rows_hi)) {
  fill(t);
}

bool RoundingTable::widened_fits(const Target& t, int rows_lo, int rows_hi, size_t max_entries) {
  const int e_lo = widened_lo(t, rows_lo), e_hi = widened_hi(t, rows_hi);
  return entries_for(t.format.precision(), e_lo, e_hi) <= max_entries && direct_index(e_lo, e_hi);
}

// Rows beyond [emin − p − 1, emax + 1] need no special case: round_pack gives each of them what the clamps give.
void RoundingTable::fill(const Target& t) {
  const size_t n_e = size_t(e_hi_ - e_lo_ + 1);
  entries_.resize(entries_for(p_, e_lo_, e_hi_));
  if (direct_index()) {
    lo_pattern_ = uint64_t(e_lo_ + 1023) << 52;
    hi_pattern_ = uint64_t(e_hi_ + 1023) << 52;
    rest_mask_ = (uint64_t{1} << (52 - p_)) - 1;
    base_ = uint64_t(e_lo_ + 1023) << p_;
    sign_stride_ = uint64_t(n_e) << p_;
    drop_ = 52 - p_;
  }
  for (int sign = 0; sign < 2; ++sign)
    for (int E = e_lo_; E <= e_hi_; ++E)
      for (uint32_t low = 0; low < (uint32_t{1} << p_); ++low)
        for (int sticky = 0; sticky < 2; ++sticky) {
          const uint32_t top = (uint32_t{1} << p_) | low;
          // top has p+1 bits, so its last bit weighs 2^(E − p).
          const Rounded r = round_pack(Exact{sign != 0, E - p_, top, sticky != 0}, t, 0);
          const size_t index = ((((size_t(sign) * n_e) + size_t(E - e_lo_)) << p_) | low) << 1 | size_t(sticky);
          entries_[index] = static_cast<uint32_t>(r.bits.v) | (uint32_t{r.flags} << 24);
        }
}

void RoundingTable::fill_row(int E, bool sign, Rounded r) {
  if (E < e_lo_ || E > e_hi_) throw std::out_of_range("RoundingTable::fill_row: row outside the table");
  const size_t first = ((size_t(sign) * size_t(e_hi_ - e_lo_ + 1) + size_t(E - e_lo_)) << p_) << 1;
  std::fill_n(entries_.begin() + std::ptrdiff_t(first), size_t{2} << p_,
              static_cast<uint32_t>(r.bits.v) | (uint32_t{r.flags} << 24));
}

size_t RoundingTable::entries_for(const Target& t) {
  const int p = t.format.precision();
  return entries_for(p, t.format.emin() - p - 1, t.format.emax() + 1);
}

bool rounding_table_applies(const Target& t) {
  const Format& f = t.format;
  return t.rounding != Rounding::Stochastic && f.precision() <= 12 && f.total_bits() <= 24 &&
         f.emax() - f.emin() <= 1024 && RoundingTable::entries_for(t) <= kMaxRoundingTableEntries;
}

const RoundingTable* rounding_table(const Target& t) {
  if (!rounding_table_applies(t)) return nullptr;
  thread_local const Entry* last = nullptr;
  // The last target this thread was refused a table for (the budget spent): asked again, it is refused without the
  // lock and the scan, which a loop of scalar calls would otherwise repeat on every call, every thread queueing on the
  // one mutex. A plain pointer (kept for the thread's life), so that the thread_local needs no destructor.
  thread_local Target* refused = nullptr;
  if (last && same_deterministic_target(last->target, t)) return &last->table;
  if (refused && same_deterministic_target(*refused, t)) return nullptr;
  static std::mutex mutex;
  static std::vector<std::unique_ptr<Entry>> tables;  // never freed: pointers stay valid
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto& e : tables)
    if (same_deterministic_target(e->target, t)) return &(last = e.get())->table;
  if (!reserve_table_bytes(RoundingTable::entries_for(t) * sizeof(uint32_t))) {
    if (refused) *refused = t;
    else refused = new Target(t);
    return nullptr;
  }
  tables.push_back(std::make_unique<Entry>(Entry{t, RoundingTable(t)}));
  last = tables.back().get();
  return &last->table;
}

}  // namespace fpsim
