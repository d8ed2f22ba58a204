// The default floating-point environment (see fp_environment.h). On x86-64 the SSE control register
// MXCSR holds everything at once: bit 6 DAZ, bits 13-14 the rounding control (00 = nearest), bit 15
// FTZ; the exception masks (bits 7-12) and status flags (bits 0-5) are left as they are.
//   e.g. MXCSR 0x9FC0 (crtfastmath: FTZ | DAZ | all masked) & ~0xE040 = 0x1F80, the power-on default.
#include "numerics/fast/internal/fp_environment.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#define FPSIM_MXCSR 1
#else
#include <cfenv>
#endif

namespace fpsim {
namespace {

#ifdef FPSIM_MXCSR
constexpr unsigned kNonDefault = 0x0040u | 0x6000u | 0x8000u;  // DAZ | rounding control | FTZ
#endif

}  // namespace

bool native_fp_is_default() {
#ifdef FPSIM_MXCSR
  return (_mm_getcsr() & kNonDefault) == 0;
#else
  return std::fegetround() == FE_TONEAREST;
#endif
}

IeeeDefaultFp::IeeeDefaultFp() {
#ifdef FPSIM_MXCSR
  saved_ = _mm_getcsr();
  if (saved_ & kNonDefault) {
    _mm_setcsr(saved_ & ~kNonDefault);
    changed_ = true;
  }
#else
  const int mode = std::fegetround();
  saved_ = static_cast<unsigned>(mode);
  if (mode != FE_TONEAREST) {
    std::fesetround(FE_TONEAREST);
    changed_ = true;
  }
#endif
}

IeeeDefaultFp::~IeeeDefaultFp() {
  if (!changed_) return;
#ifdef FPSIM_MXCSR
  _mm_setcsr(saved_);
#else
  std::fesetround(static_cast<int>(saved_));
#endif
}

}  // namespace fpsim
