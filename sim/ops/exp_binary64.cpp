// exp_span: exp_nonpositive four lanes at a time (one ymm in the AVX2 clone, two SSE2 registers in the default
// one), then the tail one by one: the same operations, so the same bits on any CPU.
#include "sim/ops/internal/exp_binary64.h"

namespace fpsim::sim::detail {

__attribute__((target_clones("avx2", "default"))) void exp_span(const double* in, double* out, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    Vec4 v;
    __builtin_memcpy(&v, in + i, sizeof v);
    const Vec4 e = exp_nonpositive(v);
    __builtin_memcpy(out + i, &e, sizeof e);
  }
  for (; i < n; ++i) out[i] = exp_nonpositive(in[i]);
}

}  // namespace fpsim::sim::detail
