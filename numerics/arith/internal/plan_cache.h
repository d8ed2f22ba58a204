#pragma once
// The ArithPlan behind each scalar call (add, sub, mul, div, sqrt, fma on one value): built on a key's first
// use and kept for the process, so a user's loop of calls pays the plan's kernel plus one key compare, not a
// format check and table lookup per call. The key: the operand formats in play (Format::identity(), 0 beyond
// arity(op)), the target (target_key) and the operation in the free top byte of the target's modes word — six
// 64-bit words (core/internal/keyed_cache.h). The check of the thread's most recent key is inline here
// (recent_arith_plan: word by word, so it needs no registers beyond those a call leaves free); the rest is in
// plan_cache.cpp.
#include "numerics/arith/arith_plan.h"
#include "numerics/core/internal/keyed_cache.h"

namespace fpsim {

/// The cap on distinct cached plans (a plan holds up to three decode tables and its NaN results).
inline constexpr size_t kMaxCachedPlans = 4096;

namespace plan_cache_detail {
struct Key {
  uint64_t words[6];  // operand formats 0..2, then the target's format, modes (op in the top byte), sr_bits
  friend bool operator==(const Key& a, const Key& b) { return same_words(a.words, b.words); }
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    const uint64_t* w = k.words;
    return hash_words({w[0], w[1], w[2], w[3], w[4], w[5]});
  }
};
using Plans = KeyedCache<Key, ArithPlan, KeyHash, kMaxCachedPlans>;
inline Key make_key(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t) {
  const int n = arity(op);
  const TargetKey tk = target_key(t);
  return {{fa.identity(), n >= 2 ? fb.identity() : 0, n >= 3 ? fc.identity() : 0, tk.format,
           tk.modes | uint64_t(op) << 56, tk.sr_bits}};
}
}  // namespace plan_cache_detail

/// The plan for this call when it has the same key as the thread's previous one, else nullptr: a scalar call
/// checks this inline and leaves everything else to a cold function, so in a loop it makes no second call
/// before jumping to the plan's kernel.
inline const ArithPlan* recent_arith_plan(ArithOp op, const Format& fa, const Format& fb, const Format& fc,
                                          const Target& t) {
  using namespace plan_cache_detail;
  const Plans::Entry* e = Plans::front();
  if (!e) return nullptr;
  // make_key's words, each compared as soon as it is made (KeyedCache::front). The operand formats beyond
  // arity(op) are not compared: the entry's op byte (word 4) fixes its arity, and its unused words are 0.
  const uint64_t* k = e->key.words;
  const int n = arity(op);
  if (k[0] != fa.identity()) return nullptr;
  if (n >= 2 && k[1] != fb.identity()) return nullptr;
  if (n >= 3 && k[2] != fc.identity()) return nullptr;
  return same_target(k[3], k[4], k[5], t, uint64_t(op)) ? &e->value : nullptr;
}

/// The plan for op on operands in fa, fb, fc (those beyond arity(op) ignored) into t. Thread-safe; the plan
/// lives as long as the process. nullptr once the process holds kMaxCachedPlans distinct plans: the caller
/// then takes its own path (the results are the same, only slower).
/// Example: cached_arith_plan(ArithOp::Add, f16, f16, f16, Target{f16})->path() is "double".
const ArithPlan* cached_arith_plan(ArithOp op, const Format& fa, const Format& fb, const Format& fc, const Target& t);

}  // namespace fpsim
