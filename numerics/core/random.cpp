#include "numerics/core/random.h"

#include <Random123/philox.h>

#include <algorithm>

#include "numerics/core/hash.h"
#include "numerics/core/internal/philox_lanes.h"
#include "numerics/simd/isa.h"

namespace fpsim {

// SplitMix64 steps spread seeds and identifiers over all key / counter bits, so nearby seeds (1, 2, 3…)
// give unrelated keys.
RandomStream::RandomStream(uint64_t seed, uint64_t id0, uint64_t id1, uint64_t id2) {
  const uint64_t k = splitmix64(seed ^ splitmix64(id2));
  const uint64_t c = splitmix64(splitmix64(id0) ^ (splitmix64(id1) + 0x632BE59BD9B4E019ull));
  key_[0] = static_cast<uint32_t>(k);
  key_[1] = static_cast<uint32_t>(k >> 32);
  ctr_hi_[0] = static_cast<uint32_t>(c);
  ctr_hi_[1] = static_cast<uint32_t>(c >> 32);
}

void RandomStream::block(uint64_t counter, uint32_t out[4]) const {
  r123::Philox4x32 rng;
  r123::Philox4x32::ctr_type ctr = {{static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32),
                                     ctr_hi_[0], ctr_hi_[1]}};
  r123::Philox4x32::key_type key = {{key_[0], key_[1]}};
  const r123::Philox4x32::ctr_type r = rng(ctr, key);
  for (int i = 0; i < 4; ++i) out[i] = r[i];
}

uint64_t RandomStream::bits(uint64_t index) const {
  uint32_t w[4];
  block(counter_of(index), w);
  const int h = 2 * half_of(index);
  return uint64_t{w[h]} | (uint64_t{w[h + 1]} << 32);
}

void RandomStream::fill(uint64_t first, std::span<uint64_t> out) const {
  // Whole groups of 32 elements straight into `out`; a partial group at either end (or an unaligned
  // start) through a one-group buffer.
  detail::PhiloxKey key;
  philox_state(key.key, key.ctr_hi);
  const simd::Isa isa = simd::best_isa();
  const uint64_t end = first + out.size();
  uint64_t index = first;
  uint64_t group_words[32];
  auto partial = [&](uint64_t stop) {  // index .. stop - 1, all in index's group
    const uint64_t group = index >> 5;
    detail::philox_group_words(isa, key, group, 1, group_words);
    std::copy(group_words + (index - (group << 5)), group_words + (stop - (group << 5)), out.begin() + (index - first));
    index = stop;
  };
  if (index % 32 != 0) partial(std::min(end, (index | 31) + 1));
  if (const uint64_t groups = (end - index) / 32; groups > 0 && index < end) {
    detail::philox_group_words(isa, key, index >> 5, groups, out.data() + (index - first));
    index += 32 * groups;
  }
  if (index < end) partial(end);
}

void RandomStream::fill_interleaved(std::span<const uint64_t> firsts, std::size_t count, std::size_t ld,
                                    uint64_t* out) const {
  detail::PhiloxKey key;
  philox_state(key.key, key.ctr_hi);
  detail::philox_interleaved_words(simd::best_isa(), key, firsts.data(), firsts.size(), count, ld, out);
}

uint64_t stream_id(std::string_view name) { return fnv1a64(name); }

}  // namespace fpsim
