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

/// Whether native arithmetic rounds to nearest, found by arithmetic instead of a control-register read (the
/// read costs more than a whole scalar fast path on some cores). Only round to nearest answers both probes
/// this way; the empty asm keeps the compiler from folding them:
///   1 + 0.75·2^-52 gives 1 + 2^-52 in nearest and up, 1 in down and toward zero;
///   −1 − 0.75·2^-52 gives −1 − 2^-52 in nearest and down, −1 in up and toward zero.
/// It says nothing about FTZ/DAZ (probing those needs subnormal operands, which are slow on most cores):
/// callers that rely on it must not read or produce subnormals natively (ArithPlan's double path).
/// Example: after std::fesetround(FE_UPWARD), native_rounds_to_nearest() is false.
inline bool native_rounds_to_nearest() {
  double one = 1.0, three_quarter_ulp = 0x1.8p-53;
  asm("" : "+x"(one), "+x"(three_quarter_ulp));
  return one + three_quarter_ulp == 1.0 + 0x1p-52 && -one - three_quarter_ulp == -1.0 - 0x1p-52;
}

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
