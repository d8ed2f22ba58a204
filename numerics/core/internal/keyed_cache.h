#pragma once
// KeyedCache: values built on a key's first use and kept for the process, for the scalar calls' plans
// (arith/plan_cache.cpp, core/convert.cpp). A thread remembers its last kMemo keys, most recent first, so a
// loop over one or a few keys pays a few word compares; a miss takes the registry's mutex and looks the key up
// in a hash map, building the value there on its first use. Values never move or die (threads may still call
// during static destruction), and at most kMax are built: past that get() returns nullptr and the caller takes
// its uncached path.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace fpsim {

template <class Key, class Value, class Hash, size_t kMax, int kMemo = 4>
class KeyedCache {
 public:
  struct Entry {
    Key key;
    Value value;
  };

  /// This thread's most recent entry, or nullptr: for a caller that compares the key a word at a time as it
  /// computes it, leaving at the first difference. Such a chain keeps two or three words live where the whole
  /// key needs six, so the inlined check fits in the registers a call leaves free and saves none of the
  /// caller's arguments (the cold path is then a plain tail call).
  static const Entry* front() { return memo()[0]; }

  /// The value for key, built by make() (returning a Value) on the key's first use: the rest of the memo,
  /// then the registry; the key moves to the memo's front.
  template <class Make>
  [[gnu::noinline]] static const Value* get(const Key& key, Make&& make) {
    std::array<const Entry*, kMemo>& m = memo();
    const Entry* e = nullptr;
    int at = kMemo - 1;
    for (int i = 0; i < kMemo && !e; ++i)
      if (m[size_t(i)] && m[size_t(i)]->key == key) e = m[size_t(i)], at = i;
    if (!e) e = find_or_build(key, make);
    if (!e) return nullptr;
    for (int j = at; j > 0; --j) m[size_t(j)] = m[size_t(j - 1)];
    m[0] = e;
    return &e->value;
  }

 private:
  struct Registry {
    std::mutex mutex;
    std::unordered_map<Key, std::unique_ptr<const Entry>, Hash> entries;
  };
  // The initial-exec TLS model: the library is position-independent (the Python module links it), and the
  // default model there reaches a thread_local through a call to __tls_get_addr. The call costs a few ns itself,
  // and because the inlined check in each scalar call then contains a call, the compiler saves every argument of
  // that scalar call in callee-saved registers first (six pushes and pops per call). Initial-exec is one
  // %fs-relative load. Its cost: a library with an initial-exec variable must place its whole TLS block (about
  // 100 bytes here) in the static TLS reserve glibc keeps for libraries loaded later (about 1.5 KB by default),
  // so the Python module loads as long as the process has not used that reserve up.
  static std::array<const Entry*, kMemo>& memo() {
    [[gnu::tls_model("initial-exec")]] thread_local std::array<const Entry*, kMemo> m{};
    return m;
  }
  static Registry& registry() {
    static Registry* r = new Registry;  // never destroyed (see the file comment)
    return *r;
  }
  template <class Make>
  static const Entry* find_or_build(const Key& key, Make& make) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    if (auto it = r.entries.find(key); it != r.entries.end()) return it->second.get();
    if (r.entries.size() >= kMax) return nullptr;
    auto entry = std::make_unique<const Entry>(Entry{key, make()});
    const Entry* e = entry.get();
    r.entries.emplace(key, std::move(entry));
    return e;
  }
};

/// Whether two arrays of words are equal, by one OR of XORs (no early exit: keys differ rarely, and a memcmp
/// call or a chain of branches costs more than the few words). The empty asm keeps each step in a general
/// register: vectorised, the compare would read the caller's just-stored key words as 16-byte loads, which
/// store forwarding cannot serve (a stall of more than ten cycles per call).
template <size_t N>
inline bool same_words(const uint64_t (&a)[N], const uint64_t (&b)[N]) {
  uint64_t diff = 0;
  for (size_t i = 0; i < N; ++i) {
    diff |= a[i] ^ b[i];
    asm("" : "+r"(diff));
  }
  return diff == 0;
}

/// Mixes 64-bit words into a hash (for KeyedCache keys made of words).
inline size_t hash_words(std::initializer_list<uint64_t> words) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (uint64_t w : words) h = (h ^ w) * 0x100000001B3ull + (h >> 29);
  return static_cast<size_t>(h);
}

}  // namespace fpsim
