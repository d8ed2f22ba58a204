#pragma once
// Test inputs for quantisation: edge patterns around every code of a format, binary32 specials,
// and seeded random patterns and values; plus the configurations the bit-identity tests sweep.
#include <cstdint>
#include <string>
#include <vector>

#include "numerics/quantize/quantize.h"

namespace fpsim::test {

/// Edge patterns of format f (codes, their binary32 neighbours, midpoints ± 1 ulp, specials) and
/// `random` seeded inputs (half random bit patterns, half values spread over f's exponent range).
std::vector<float> quantize_inputs(const Format& f, std::size_t random, uint64_t seed);

/// Every preset whose values are binary32 values or whose codes fit 16 bits (the quantize API's domain).
std::vector<std::string> quantize_formats();

/// rne rna rtz rup rdn rodd sr sr:1 sr:3 sr:8 sr:32 trunc.
std::vector<std::string> rounding_names();

/// The vector kernels available on this machine (portable always).
std::vector<simd::Isa> vector_kernels();

}  // namespace fpsim::test
