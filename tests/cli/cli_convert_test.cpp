// The CLI's conversion paths agree with hand-worked cases and report mismatches honestly.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "run_cli.h"

using fpsim::test::run_fpsim;

TEST_CASE("eval convert prints RESULT FLAGS in fixed-width hex", "[cli]") {
  // binary16 1.0 -> e4m3fn 1.0 (0x38, exact); 65504 -> e4m3fn overflow: ieee policy, rne -> NaN 0x7F;
  // the smallest binary16 subnormal -> +0 with underflow|inexact.
  const auto r = run_fpsim("eval convert --from binary16 --format e4m3fn", "3C00\n7BFF\n0001\n");
  CHECK(r.status == 0);
  CHECK(r.out == "38 00\n7F 05\n00 03\n");
}

TEST_CASE("eval convert saturates on request", "[cli]") {
  const auto r = run_fpsim("eval convert --from binary16 --format e4m3fn --overflow saturate", "7BFF\n");
  CHECK(r.out == "7E 05\n");
}

TEST_CASE("eval convert into IEEE P3109 k8p3se: 0x80 NaN, 0x7F inf, no -0; saturation clamps infinities", "[cli]") {
  // 1.0 = field 16 (bias 16) -> 0.10000.00 = 0x40; 65504 > max 49152 overflows to +inf 0x7F in rne; -0 -> 0x00;
  // NaN -> 0x80; -inf -> 0xFF, or -max 0xFE (overflow|inexact) when saturating.
  const auto r = run_fpsim("eval convert --from binary16 --format p3109_k8p3se", "3C00\n7BFF\n8000\n7E00\nFC00\n");
  CHECK(r.status == 0);
  CHECK(r.out == "40 00\n7F 05\n00 00\n80 00\nFF 00\n");
  const auto s = run_fpsim("eval convert --from binary16 --format p3109_k8p3se --overflow saturate", "FC00\n");
  CHECK(s.out == "FE 05\n");
}

TEST_CASE("stochastic rounding in eval is reproducible from the seed and the line number", "[cli]") {
  std::string in;
  for (int i = 0; i < 64; ++i) in += "3C80\n";  // 1.125: halfway between e5m2 1.0 (3C) and 1.25 (3D)
  const auto a = run_fpsim("eval convert --from binary16 --format e5m2 --rounding sr --seed 7", in);
  const auto b = run_fpsim("eval convert --from binary16 --format e5m2 --rounding sr --seed 7", in);
  const auto c = run_fpsim("eval convert --from binary16 --format e5m2 --rounding sr --seed 8", in);
  CHECK(a.status == 0);
  CHECK(a.out == b.out);
  CHECK(a.out != c.out);
  // P(up) = 1/2 per line: both neighbours appear (all 64 equal has probability 2^-63).
  CHECK(a.out.find("3D 01") != std::string::npos);
  CHECK(a.out.find("3C 01") != std::string::npos);
}

TEST_CASE("verify reports a corrupted table line as a mismatch and exits 1", "[cli]") {
  const auto dir = std::filesystem::temp_directory_path() / "fpsim_verify_test";
  std::filesystem::create_directories(dir);
  const auto good = dir / "f32_to_f16.rne.tafter.txt", bad = dir / "f64_to_f32.rne.tafter.txt";
  std::ofstream(good) << "3F800000 3C00 00\n47800000 7C00 05\n";
  std::ofstream(bad) << "3FF0000000000000 3F800001 00\n";  // 1.0 -> should be 3F800000
  const auto ok = run_fpsim("verify " + good.string());
  CHECK(ok.status == 0);
  CHECK(ok.out.find("2 cases, 0 mismatches") != std::string::npos);
  const auto r = run_fpsim("verify " + good.string() + " " + bad.string());
  CHECK(r.status == 1);
  CHECK(r.out.find("expected 3F800001 00, got 3F800000 00") != std::string::npos);
  CHECK(r.out.find("verify: 2 files, 3 cases, 1 mismatches") != std::string::npos);
  std::filesystem::remove_all(dir);
}
