#pragma once
// The native floating-point environment the fast paths rely on: round-to-nearest and, on x86-64, no
// flush-to-zero (MXCSR.FTZ) or denormals-are-zero (MXCSR.DAZ). A host process can change these
// (fesetround; fast-math builds link crtfastmath.o, which sets FTZ/DAZ; torch.set_flush_denormal), and
// then the exactness arguments of the fast paths (TwoSum, exact products, binary32 patterns of
// subnormal codes, float(k)·2^q for subnormal results) fail silently. Array entry points set the
// default for their duration; scalar fast paths check it and otherwise take the exact path.
namespace fpsim {

/// True when the calling thread rounds to nearest without FTZ/DAZ. Example: true in a fresh process.
bool native_fp_is_default();

/// For its lifetime the calling thread rounds to nearest without FTZ/DAZ; the previous environment
/// (status flags included) is restored on destruction. Costs one control-register read when the
/// environment is already the default. Example: { const IeeeDefaultFp fp; run_kernel(...); }
class IeeeDefaultFp {
 public:
  IeeeDefaultFp();
  ~IeeeDefaultFp();
  IeeeDefaultFp(const IeeeDefaultFp&) = delete;
  IeeeDefaultFp& operator=(const IeeeDefaultFp&) = delete;

 private:
  unsigned saved_ = 0;
  bool changed_ = false;
};

}  // namespace fpsim
