// Usage errors and silently accepted inputs: each is one line on stderr, exit status 2, nothing written.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "run_cli.h"

using fpsim::test::run_fpsim;
namespace fs = std::filesystem;

namespace {

// The exact message and status 2, nothing on stdout.
void require_error(const std::string& args, const std::string& message, const std::string& input = "") {
  INFO("fpsim " << args);
  const auto r = run_fpsim(args, input);
  CHECK(r.err == "error: " + message + "\n");
  CHECK(r.status == 2);
  CHECK(r.out.empty());
}

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("fpsim_cli_messages_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  return p.string();
}

// A run config that trains in a blink: synthetic data, two steps.
std::string tiny_config(const std::string& extra = "") {
  return R"({"schema": 1, "name": "tiny", "model": {"widths": [784, 16, 10]},
             "data": {"dataset": "synthetic", "train_size": 64, "test_size": 32, "batch_size": 32},
             "steps": 2)" + extra + "}";
}

}  // namespace

TEST_CASE("CLI parse errors are one line with exit status 2", "[cli][messages]") {
  require_error("trian x.json", "unknown subcommand \"trian\" (expected one of bench, eval, formats, quantize, random, report, "
                                "round, sweep, train, verify)");
  CHECK(run_fpsim("eval ad").err.rfind("error: unknown subcommand \"eval ad\" (expected one of add, ", 0) == 0);
  require_error("round --format e5m2 --bogus 1", "The following argument was not expected: --bogus");
  require_error("round --format e5m2", "values is required");
  require_error("sweep experiments/quick.json --jobs 0", "--jobs: Value 0 not in range 1 to 4096");
  require_error("round --format e5m2 -inf",
                "values is required (\"-inf\" was read as an option: put \"--\" before negative values, e.g. -- -inf)");
  require_error("round --format e5m2 1 -.5",
                "The following argument was not expected: -.5 (\"-.5\" was read as an option: put \"--\" before "
                "negative values, e.g. -- -.5)");
  CHECK(run_fpsim("round --format e5m2 -- -inf -.5").status == 0);
  CHECK(run_fpsim("--help").status == 0);
}

TEST_CASE("seeds outside 0..2^64-1 are errors, not wrapped or saturated", "[cli][messages]") {
  require_error("round --format e5m2 --rounding sr --seed -1 1",
                "--seed: \"-1\" is not an integer from 0 to 18446744073709551615");
  require_error("round --format e5m2 --rounding sr --seed 18446744073709551616 1",
                "--seed: \"18446744073709551616\" is not an integer from 0 to 18446744073709551615");
  CHECK(run_fpsim("round --format e5m2 --rounding sr --seed 18446744073709551615 1").status == 0);
}

TEST_CASE("quantize --block takes a positive size and one meaning of each format name", "[cli][messages]") {
  require_error("quantize --format e4m3fn --block 0", "--block: Value 0 not in range 1 to 1048576", "1\n");
  require_error("quantize --format e4m3fn --block -32", "--block: Value -32 not in range 1 to 1048576", "1\n");
  require_error("quantize --format e4m3 --block 32",
                "unknown MX element type \"e4m3\": format e4m3 is not an MX element type (expected one of "
                "mxfp8_e5m2 = e5m2, mxfp8_e4m3 = e4m3fn, mxfp6_e3m2 = e3m2fn, mxfp6_e2m3 = e2m3fn, "
                "mxfp4_e2m1 = e2m1fn, mxint8, mx_p3109_k8p3se, mx_p3109_k8p4se)",
                "1\n");
  // e4m3fn blocks: 480 clips to 448 (E4M3 fn max), 1.0 stays.
  const auto ok = run_fpsim("quantize --format e4m3fn --block 2 --output values", "448\n1\n");
  CHECK(ok.status == 0);
  CHECK(ok.out == "448\n1\n");
}

TEST_CASE("quantize reads text through the exact decimal path round uses", "[cli][quantize]") {
  // 1 + 2^-11 is the binary16 midpoint between 3C00 and 3C01; a hair above it must round up, which
  // binary64 (decimal -> double -> binary16) loses.
  const std::string above = "1.00048828125000000000000001";
  const auto q = run_fpsim("quantize --format binary16 --output codes", above + "\n");
  CHECK(q.out == "3C01\n");
  const auto r = run_fpsim("round --format binary16 " + above);
  CHECK(r.out.find("0x3C01") != std::string::npos);
  require_error("quantize --format binary16", "<stdin>:2: malformed number \"1.5.5\": two decimal points",
                "1\n1.5.5\n");
}

TEST_CASE("quantize --stats counts infinities that become NaN", "[cli][quantize]") {
  const auto r = run_fpsim("quantize --format e4m3fn --stats", "inf\n-inf\nnan\n1\n");
  CHECK(r.status == 0);
  CHECK(r.err == "count 4 nonzero 1 underflow 0 subnormal 0 saturated 0 overflow 0 nan 3 amax 1\n");
  // Raw binary32 input takes the array kernels: the same count.
  const fs::path d = temp_dir("stats");
  const float values[] = {INFINITY, -INFINITY, 1.0f, 2.0f};
  std::ofstream(d / "x.f32", std::ios::binary).write(reinterpret_cast<const char*>(values), sizeof values);
  const auto f32 = run_fpsim("quantize --format e4m3fn --stats --input f32 " + (d / "x.f32").string());
  CHECK(f32.err == "count 4 nonzero 2 underflow 0 subnormal 0 saturated 0 overflow 0 nan 2 amax 2\n");
}

TEST_CASE("round: the error column is right at extreme exponents and any decimal gives a result", "[cli][round]") {
  const auto r = run_fpsim("round --format binary16 -- 1e-400 -1e-99999 1e-99999999999999999999 "
                           "1e99999999999999999999 0.1 65519.99999999999999999999999");
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  std::istringstream lines(r.out);
  std::string header, line;
  std::getline(lines, header);
  std::vector<std::string> errors;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    REQUIRE(w.size() >= 6);
    errors.push_back(w[w.size() - 2]);
  }
  REQUIRE(errors.size() == 6);
  CHECK(errors[0] == "-1e-400");   // 0 - 1e-400
  CHECK(errors[1] == "1e-99999");  // -0 - (-1e-99999)
  CHECK(errors[2] == "-");  // beyond MPFR's exponent range: no error figure, but no crash
  CHECK(errors[3] == "-");         // rounds to inf
  CHECK(errors[4] == "-2.441e-05");
  CHECK(errors[5] == "-16");       // below the overflow threshold 65520: 65504
  CHECK(run_fpsim("round --format binary16 1e").status == 2);
}

TEST_CASE("verify fails when it checked nothing", "[cli][verify]") {
  const fs::path d = temp_dir("verify");
  const std::string empty = write(d / "f16_add.rne.tafter.txt", "");
  const auto r = run_fpsim("verify " + empty);  // stdout has the per-file line (0 cases)
  CHECK(r.err == "error: nothing was checked (1 table(s), 0 skipped, 0 cases)\n");
  CHECK(r.status == 2);
}

TEST_CASE("a wrong IDX magic number is printed as found", "[cli][train]") {
  const fs::path d = temp_dir("idx");
  // Magic 0x00000804 where an image file has 0x00000803.
  const std::string images = (d / "train-images-idx3-ubyte.gz").string();
  const std::string labels = (d / "train-labels-idx1-ubyte.gz").string();
  REQUIRE(std::system(("printf '\\000\\000\\010\\004\\000\\000\\000\\000' | gzip > " + images +
                       " && printf '\\000\\000\\010\\001' | gzip > " + labels)
                          .c_str()) == 0);
  const std::string config = write(d / "c.json", R"({"schema": 1, "name": "idx", "steps": 1,
    "data": {"path": ")" + d.string() + R"("}})");
  const auto r = run_fpsim("train " + config + " --out " + (d / "out").string());
  CHECK(r.err == "error: " + (d / "train-images-idx3-ubyte.gz").string() +
                     ": not an IDX image file (magic number 0x00000804, expected 0x00000803)\n");
  CHECK(r.status == 2);
}

TEST_CASE("train locks its folder and never mixes two configs' files", "[cli][train]") {
  const fs::path d = temp_dir("train");
  const std::string a = write(d / "a.json", tiny_config());
  const std::string b = write(d / "b.json", tiny_config(R"(, "seed": 7)"));
  const std::string out = (d / "out").string();
  REQUIRE(run_fpsim("train " + a + " --out " + out + " --progress none").status == 0);
  const std::string summary = fpsim::test::slurp(d / "out" / "summary.json");
  require_error("train " + b + " --out " + out + " --progress none",
                out + " holds the results of a different config (" + out +
                    "/config.json); choose another --out or remove the folder");
  CHECK(fpsim::test::slurp(d / "out" / "summary.json") == summary);
  // The same config again (a spelled-out default changes nothing) reruns in place.
  const std::string a2 = write(d / "a2.json", tiny_config(R"(, "seed": 0, "optimizer": {"nesterov": false})"));
  CHECK(run_fpsim("train " + a2 + " --out " + out + " --progress none").status == 0);
  // A held lock is a refusal, not a second writer.
  const std::string cmd = "flock " + out + "/lock " + std::string(FPSIM_BIN) + " train " + a + " --out " + out +
                          " --progress none 2>" + (d / "err").string();
  CHECK(WEXITSTATUS(std::system(cmd.c_str())) == 2);
  CHECK(fpsim::test::slurp(d / "err") == "error: " + out + " is locked by another training (" + out +
                                             "/lock); wait for it or choose another --out\n");
}

TEST_CASE("sweep files: unmatched baseline, duplicate keys and spelled-out defaults are errors", "[cli][sweep]") {
  const fs::path d = temp_dir("sweep");
  const std::string base = tiny_config();
  const std::string baseline = write(d / "b.json", R"({"schema": 1, "name": "s", "base": )" + base +
                                                       R"(, "axes": {"/seed": [1, 2]}, "baseline": {"/seed": 3}})");
  require_error("sweep --dry-run " + baseline, baseline + ":/baseline/~1seed: baseline value 3 is not one of the "
                                                          "values swept at /seed");
  const std::string dup = write(d / "d.json", R"({"schema": 1, "name": "s", "name": "t", "base": )" + base + "}");
  require_error("sweep --dry-run " + dup, dup + ":/name: duplicate key \"name\" (a key may appear once in an object)");
  const std::string spelled = write(d / "n.json", R"({"schema": 1, "name": "s", "base": )" + base +
                                                      R"(, "axes": {"/optimizer": [{}, {"nesterov": false}]}})");
  require_error("sweep --dry-run " + spelled,
                spelled + ":/: runs 0 ({\"/optimizer\":{}}) and 1 ({\"/optimizer\":{\"nesterov\":false}}) resolve "
                          "to the same config");
}

TEST_CASE("quantize --scaling options that do not fit the mode name the option", "[cli][messages][scaling]") {
  const std::string x = "1\n2\n-4\n0.5\n";
  require_error("quantize --format e4m3fn --scaling row --tile 1x2", "--tile applies to --scaling block only, not --scaling row", x);
  require_error("quantize --format e4m3fn --tile 1x2", "--tile needs --scaling block", x);
  require_error("quantize --format e4m3fn --scaling block --tile 1y2",
                "--tile 1y2: expected ROWSxCOLS with positive integers, e.g. 1x128", x);
  require_error("quantize --format e4m3fn --scaling block --tile 0x2",
                "--tile 0x2: expected ROWSxCOLS with positive integers, e.g. 1x128", x);
  require_error("quantize --format e4m3fn --scaling nvfp4", "--format e4m3fn: --scaling nvfp4 needs e2m1fn elements", x);
  require_error("quantize --format binary16 --scaling mx",
                "--format binary16: --scaling mx needs an MX element format (e4m3fn e5m2 e3m2fn e2m3fn e2m1fn)", x);
  require_error("quantize --format e4m3fn --scaling block --cols 3",
                "--cols 3: 4 values do not make whole rows", x);
  require_error("quantize --format e4m3fn --scaling row --scale-rule ceil",
                "--scale-rule applies to --scaling mx only, not --scaling row", x);
  require_error("quantize --format e4m3fn --scaling mx --scale-rule up",
                "--scale-rule: unknown MX scale rule \"up\" (expected one of floor, ceil, rceil, even)", x);
  require_error("quantize --format e4m3fn --scaling mx --margin 1",
                "--margin applies to --scaling tensor, row or block only, not --scaling mx", x);
  require_error("quantize --format e4m3fn --scaling row --two-d", "--two-d applies to --scaling nvfp4 only, not --scaling row", x);
  require_error("quantize --format e4m3fn --scaling tensor_delayed",
                "--scaling tensor_delayed needs --scale S (the encode scale)", x);
  require_error("quantize --format e4m3fn --scaling tensor --scale 2",
                "--scale applies to --scaling tensor_delayed only, not --scaling tensor", x);
  require_error("quantize --format e4m3fn --scaling tensor_delayed --scale 0", "--scale 0: expected a positive finite encode scale", x);
  require_error("quantize --format e4m3fn --scaling row --k-axis 2",
                "--k-axis 2: expected 1 (K along rows) or 0 (K down columns)", x);
  require_error("quantize --format e4m3fn --scaling rows",
                "--scaling: unknown scaling \"rows\" (expected one of none, tensor, tensor_delayed, row, block, mx, nvfp4)", x);
  require_error("quantize --format e4m3fn --scaling row --output codes", "--output codes: expected values or scaled with --scaling", x);
  require_error("quantize --format e4m3fn --output scaled", "--output scaled: expected values or codes", x);
  require_error("quantize --format e4m3fn --block 32 --scaling mx", "--block: MX blocks take no --scaling (use --scaling mx)", x);
  require_error("quantize --format e4m3fn --scaling mx --axis 0", "--axis: with --scaling, the axis is --k-axis", x);
  require_error("quantize --format binary64 --scaling row",
                "--format binary64: --scaling needs a format whose values are binary32 values", x);
}
