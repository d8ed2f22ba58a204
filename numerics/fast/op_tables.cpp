// Lazily built 256x256 result tables (see op_tables.h).
#include "numerics/fast/internal/op_tables.h"

#include <memory>
#include <mutex>

#include "numerics/core/internal/table_budget.h"

namespace fpsim {
namespace {

constexpr size_t kOpTableBytes = (65536 + 1) * sizeof(uint16_t);

// Everything a deterministic result depends on (sr_bits and sr_subnormal_nearest matter only to
// stochastic rounding, which has no tables).
struct Key {
  ArithOp op;
  Format fa, fb;
  Target t;
  bool matches(ArithOp o, const Format& a, const Format& b, const Target& x) const {
    return op == o && fa == a && fb == b && t.format == x.format && t.rounding == x.rounding &&
           t.overflow == x.overflow && t.tininess == x.tininess && t.daz == x.daz && t.nan == x.nan &&
           t.compat == x.compat;
  }
};

struct Entry {
  Key key;
  OpTable table;
};

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::vector<std::unique_ptr<Entry>>& registry() {
  static std::vector<std::unique_ptr<Entry>> r;
  return r;
}

}  // namespace

// One entry of padding past the 65,536: vector kernels gather 32 bits at entry i (i <= 65535).
OpTable::OpTable(ArithOp op, const Format& fa, const Format& fb, const Target& t) : entries_(65536 + 1, 0) {
  const int na = 1 << fa.total_bits(), nb = op == ArithOp::Sqrt ? 1 : 1 << fb.total_bits();
  const Format formats[2] = {fa, fb};
  // Codes beyond a narrower format's width read as the code masked to that width (unpack masks),
  // so they repeat the entries of the masked code.
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      if (a >= na || b >= nb) {
        if (op != ArithOp::Sqrt || b == 0) entries_[(a << 8) | b] = entries_[((a % na) << 8) | (b % nb)];
        continue;
      }
      const Bits operands[2] = {Bits{uint64_t(a)}, Bits{uint64_t(b)}};
      const Rounded r = exact::apply(op, operands, formats, t, 0);
      entries_[(a << 8) | b] = static_cast<uint16_t>(r.bits.v | (uint32_t{r.flags} << 8));
    }
}

bool op_table_applies(ArithOp op, const Format& fa, const Format& fb, const Target& t) {
  return op != ArithOp::Fma && t.rounding != Rounding::Stochastic && fa.total_bits() <= 8 &&
         fb.total_bits() <= 8 && t.format.total_bits() <= 8;
}

const OpTable* op_table(ArithOp op, const Format& fa, const Format& fb, const Target& t) {
  if (!op_table_applies(op, fa, fb, t)) return nullptr;
  std::lock_guard<std::mutex> lock(registry_mutex());
  for (const auto& e : registry())
    if (e->key.matches(op, fa, fb, t)) return &e->table;
  if (!reserve_table_bytes(kOpTableBytes)) return nullptr;
  registry().push_back(std::make_unique<Entry>(Entry{Key{op, fa, fb, t}, OpTable(op, fa, fb, t)}));
  return &registry().back()->table;
}

const OpTable* cached_op_table(ArithOp op, const Format& fa, const Format& fb, const Target& t) {
  if (!op_table_applies(op, fa, fb, t)) return nullptr;
  thread_local const Entry* last = nullptr;
  // The last key this thread was refused a table for (the budget spent), refused again without the lock and the
  // scans (see rounding_table()); a plain pointer, kept for the thread's life.
  thread_local Key* refused = nullptr;
  if (last && last->key.matches(op, fa, fb, t)) return &last->table;
  if (refused && refused->matches(op, fa, fb, t)) return nullptr;
  const OpTable* table = op_table(op, fa, fb, t);
  if (!table) {
    if (refused) *refused = Key{op, fa, fb, t};
    else refused = new Key{op, fa, fb, t};
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(registry_mutex());
  for (const auto& e : registry())
    if (&e->table == table) last = e.get();
  return table;
}

}  // namespace fpsim
