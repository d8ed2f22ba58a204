// fpsim.gemm: C = A·B with the emulated accumulators of sim/gemm/gemm.h.
//
//   c = fpsim.gemm(a, b)                                                      # binary32 fmaf chain
//   c = fpsim.gemm(a, b, accumulator=fpsim.Target("binary16"), chunk=64)     # rounded after every addition
#include <pybind11/stl.h>

#include <algorithm>
#include <optional>

#include "sim/gemm/gemm.h"
#include "tools/python/args.h"
#include "tools/python/bindings.h"

namespace fpsim::py {

void bind_gemm(pb::module_& m) {
  using namespace pybind11::literals;
  m.def(
      "gemm",
      [](const pb::array& a, const pb::array& b, const std::optional<TargetArg<"gemm: accumulator">>& accumulator,
         int chunk, uint64_t seed, const pb::object& stream) {
        if (!is_float32(a, "gemm: a") || !is_float32(b, "gemm: b"))
          throw pb::type_error("gemm: a and b must be float32 (the GEMM reads binary32 operands)");
        if (a.ndim() != 2 || b.ndim() != 2)
          throw pb::value_error("gemm: a and b must be 2-D, got " + std::to_string(a.ndim()) + "-D and " +
                                std::to_string(b.ndim()) + "-D");
        if (a.shape(1) != b.shape(0))
          throw pb::value_error("gemm: a is " + std::to_string(a.shape(0)) + "x" + std::to_string(a.shape(1)) +
                                " and b is " + std::to_string(b.shape(0)) + "x" + std::to_string(b.shape(1)) +
                                ": inner dimensions differ");
        if (chunk < 0) throw pb::value_error("gemm: chunk " + std::to_string(chunk) + " is negative");
        if (chunk > 0 && !accumulator)
          throw pb::value_error("gemm: chunk needs an emulated accumulator (accumulator=Target(...))");
        const auto A = CArray<float>::ensure(a), B = CArray<float>::ensure(b);
        const int M = static_cast<int>(A.shape(0)), K = static_cast<int>(A.shape(1)), N = static_cast<int>(B.shape(1));
        pb::array_t<float> C(std::vector<pb::ssize_t>{M, N});
        const RandomStream s = stream_or_seed(stream, seed);
        sim::Accumulation acc;
        if (accumulator) {
          acc.fp32 = false;
          acc.target = *accumulator;
          acc.chunk = chunk;
          acc.random = &s;
        }
        sim::GemmProblem p;
        p.m = M;
        p.n = N;
        p.k = K;
        p.a = A.data();
        p.lda = std::max(K, 1);
        p.b = B.data();
        p.ldb = std::max(N, 1);
        p.c = C.mutable_data();
        p.ldc = std::max(N, 1);
        {
          pb::gil_scoped_release nogil;
          sim::gemm(p, acc);
        }
        return C;
      },
      "a"_a, "b"_a, pb::kw_only(), "accumulator"_a = pb::none(), "chunk"_a = 0, "seed"_a = 0, "stream"_a = pb::none(),
      "C = A·B for float32 A (MxK) and B (KxN). accumulator=None: binary32 fused multiply-add chain in increasing k; "
      "accumulator=Target(...): every addition of an exact product rounded once into the target, optionally in "
      "chunks of `chunk` terms (Wang et al. 2018). Bits never depend on the thread count.\n"
      "Example: fpsim.gemm(a, b, accumulator=fpsim.Target('binary16'), chunk=32)");
}

}  // namespace fpsim::py
