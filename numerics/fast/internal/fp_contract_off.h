#pragma once
// Included after the other headers by a source file whose arithmetic needs every operation rounded on its own
// (TwoSum, exact products compared with native results): a·b + c must never be contracted into an fma. The
// top-level CMakeLists passes -ffp-contract=off already; the pragma keeps the functions this file defines after
// the include right under other flags too (-ffp-contract=fast, or a -march with FMA, in a consumer's own build).
// It does not reach inline functions and templates defined in headers included before it (e.g. two_sum in
// numerics/core/bits.h): those rely on the build flag, and have no multiply-add to contract.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
