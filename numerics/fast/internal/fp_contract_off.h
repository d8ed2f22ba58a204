#pragma once
// Included after the other headers by a source file whose arithmetic needs every operation rounded on its own
// (TwoSum, exact products compared with native results): a·b + c must never be contracted into an fma. The
// top-level CMakeLists passes -ffp-contract=off already; this keeps such a file right under other flags too
// (-ffp-contract=fast, or a -march with FMA, in a consumer's own build).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
