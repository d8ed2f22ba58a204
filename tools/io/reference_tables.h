#pragma once
// Readers for the two families of external reference tables in ../shared/reference:
//   TestFloat vectors  <function>.<mode>.<tininess>.txt   e.g. f32_to_f16.rne.tafter.txt, f16_mulAdd.rup.tbefore.txt
//   ml_dtypes CSVs     <type>.decode.csv, <type>.from_f32.csv   e.g. float8_e4m3fn.from_f32.csv
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "numerics/core/rounding.h"

namespace fpsim::io {

/// What a TestFloat file name says: operation, operand and result formats, rounding, tininess.
struct TestFloatFile {
  std::string function;              ///< "f16_mulAdd"
  std::string operation;             ///< "fma" ("convert" for f32_to_f16)
  std::vector<Format> operand_formats;
  Format result_format;
  Rounding rounding = Rounding::NearestEven;
  Tininess tininess = Tininess::AfterRounding;
};

/// Infer from a file name; nullopt when the name is not of TestFloat's form.
/// Example: parse_testfloat_name("f64_to_f16.rdn.tbefore.txt")->operation == "convert".
std::optional<TestFloatFile> parse_testfloat_name(const std::string& filename);

/// One TestFloat line: operands, expected result, expected flags.
struct TestFloatCase {
  std::vector<Bits> operands;
  Bits result;
  uint8_t flags = 0;
  size_t line = 0;
};

/// Read every case; throws std::runtime_error naming file and line on a malformed line.
std::vector<TestFloatCase> read_testfloat(const std::filesystem::path& path, const std::vector<Format>& operand_formats,
                                          const Format& result_format);

/// ml_dtypes tables.
struct MlDtypesDecodeRow {
  Bits code;
  uint32_t f32 = 0;  ///< binary32 pattern of the decoded value
  size_t line = 0;
};
struct MlDtypesEncodeRow {
  uint32_t input = 0;  ///< binary32 input pattern
  std::string kind;
  Bits rne, rne_sat, rtz, rtz_sat;
  size_t line = 0;
};

/// "float8_e4m3fn.decode.csv" -> the format and "decode"/"from_f32"; nullopt for other names.
std::optional<std::pair<Format, std::string>> parse_mldtypes_name(const std::string& filename);

std::vector<MlDtypesDecodeRow> read_mldtypes_decode(const std::filesystem::path& path);
std::vector<MlDtypesEncodeRow> read_mldtypes_encode(const std::filesystem::path& path);

/// IEEE P3109 tables generated with gfloat (../shared/reference/p3109/README.md).
struct P3109DecodeRow {
  Bits code;
  uint64_t value = 0;  ///< binary64 pattern of the decoded value (NaN: 7FF8000000000000)
  size_t line = 0;
};
/// The round columns, in file order: rne, rna, rtz, rup, rdn, rodd, each without then with saturation.
inline constexpr Rounding p3109_modes[6] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero,
                                            Rounding::Up,          Rounding::Down,        Rounding::Odd};
struct P3109RoundRow {
  uint64_t input = 0;  ///< binary64 input pattern
  Bits codes[12];      ///< codes[2 * mode + saturating]
  size_t line = 0;
};

/// "p3109_k8p3se.decode.csv" -> the format and "decode"/"round"; nullopt for other names.
std::optional<std::pair<Format, std::string>> parse_p3109_name(const std::string& filename);
std::vector<P3109DecodeRow> read_p3109_decode(const std::filesystem::path& path);
std::vector<P3109RoundRow> read_p3109_round(const std::filesystem::path& path);

}  // namespace fpsim::io
