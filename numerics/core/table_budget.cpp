// The first-use tables' shared budget (internal/table_budget.h).
#include "numerics/core/internal/table_budget.h"

#include <atomic>

namespace fpsim {
namespace {
std::atomic<size_t> reserved{0};
std::atomic<size_t> limit{kTableBudgetBytes};
}  // namespace

bool reserve_table_bytes(size_t bytes) {
  const size_t cap = limit.load(std::memory_order_relaxed);
  size_t before = reserved.load(std::memory_order_relaxed);
  do {
    if (before > cap || bytes > cap - before) return false;
  } while (!reserved.compare_exchange_weak(before, before + bytes, std::memory_order_relaxed));
  return true;
}

size_t limit_table_budget(size_t bytes) { return limit.exchange(bytes, std::memory_order_relaxed); }

size_t reserved_table_bytes() { return reserved.load(std::memory_order_relaxed); }

}  // namespace fpsim
