#pragma once
// One budget for the tables the library builds on first use and keeps for the process, one per target or per
// (operation, formats, target): rounding tables (fast/fast_rounding_table.cpp) and op tables (fast/op_tables.cpp).
// Their pointers must stay valid for every plan and thread that holds them, so they are never freed, and without a
// bound a process that touches many formats (a sweep over custom formats, a property test drawing thousands) grows
// until it runs out of memory: the default random-format test's 400 formats reserved 495 MB, and the [long] run's
// 20,000 were killed for memory. Each builder reserves its table's bytes here first; once the budget is spent it
// builds nothing more and its caller takes the path without the table (the same results, slower). Tables owned by
// cached plans (ArithPlan's fma rows, EncodePlan's) are bounded by the plan caches' caps instead.
#include <cstddef>

namespace fpsim {

/// Bytes all first-use tables together may hold: 1 GiB (a run touching a few dozen formats uses a few MiB).
inline constexpr size_t kTableBudgetBytes = size_t{1} << 30;

/// Reserve `bytes` for one new table: true when they fit in what is left of the budget (and are then counted), false
/// otherwise. Thread-safe. Example: reserve_table_bytes(131074) before building an op table.
bool reserve_table_bytes(size_t bytes);

/// Bytes reserved so far.
size_t reserved_table_bytes();

/// Set the budget (kTableBudgetBytes until then) and return the one it replaces: for tests of the paths taken once
/// it is spent. Example: limit_table_budget(reserved_table_bytes()) lets no further table be built.
size_t limit_table_budget(size_t bytes);

}  // namespace fpsim
