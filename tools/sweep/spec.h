#pragma once
// A sweep file describes a grid of `fpsim train` runs: a base config plus JSON-pointer overrides.
//
//   {"schema": 1, "name": "quick", "description": "…",
//    "base": {"file": "fmnist_mlp.json"},              // or an inline train config object
//    "axes": {"/precision": ["fp32", "fp8_paper"]},    // cartesian product over every axis
//    "zip": [{"/precision/grad/format": ["e5m2", "e4m3"],        // lists inside one group change
//             "/precision/loss_scale/init": [65536, 256]}],      // together (same length)
//    "seeds": [1, 2, 3],                                // written to /seed, innermost dimension
//    "baseline": {"/precision": "fp32"},                // optional: the report's reference row
//    "report": {"rows": "/precision", "cols": "/model/type"}}  // optional: table rows and columns
//
// load_sweep validates everything (naming the file and JSON pointer of each error) before any run
// exists; expand_sweep turns the grid into runs, each with a stable id hashed from its config.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace fpsim::io {

/// One overridden path and the values it takes, e.g. {"/precision", ["fp32", "fp8_paper"]}.
struct SweepAxis {
  std::string pointer;
  std::vector<nlohmann::json> values;
};

struct SweepSpec {
  std::filesystem::path file;      // the sweep file, as given (used in error messages)
  std::string name;                // folder name under the results directory
  std::string description;
  nlohmann::json base;             // the base train config (inline or loaded from "file")
  std::vector<SweepAxis> axes;     // cartesian dimensions, in pointer order
  std::vector<std::vector<SweepAxis>> zips;  // each group is one dimension
  std::vector<nlohmann::json> seeds;         // empty: the base config's own seed, one run per cell
  nlohmann::json baseline = nlohmann::json::object();  // pointer -> value of the reference recipe
  nlohmann::json report = nlohmann::json::object();    // {"rows": "/pointer", "cols": "/pointer"} for tables
};

struct SweepRun {
  size_t index = 0;             // position in expansion order (shards split on it)
  std::string id;               // run_id of the canonical resolved config (run_id(config) without a resolver)
  nlohmann::json overrides;     // {"/pointer": value, ...} for every swept path, seed included
  nlohmann::json config;        // base config with the overrides applied
};

/// Parse and validate a sweep file; throws ConfigError (file + JSON pointer) on the first problem.
/// Example: SweepSpec s = load_sweep("experiments/quick.json");
SweepSpec load_sweep(const std::filesystem::path& file);

/// Validate an already-parsed sweep document; `file` names it in errors and anchors "base.file".
/// Example: parse_sweep(json::parse(text), "sweep.json");
SweepSpec parse_sweep(const nlohmann::json& doc, const std::filesystem::path& file);

/// Maps a run's config to the canonical form its id hashes (io::canonical_run_config for `fpsim train`
/// configs: spelled-out defaults dropped, so they do not change the id).
using ConfigResolver = std::function<nlohmann::json(const nlohmann::json& config)>;

/// Every run of the sweep: axes (cartesian, last axis fastest) × zip groups × seeds (fastest).
/// Throws ConfigError when two runs resolve to the same config. Example: expand_sweep(s).size() == 8.
std::vector<SweepRun> expand_sweep(const SweepSpec& spec, const ConfigResolver& resolve = {});

/// Canonical text of a config: compact JSON with keys sorted (nlohmann objects are key-ordered).
/// Example: canonical_json({"b":1,"a":[2]}) == R"({"a":[2],"b":1})".
std::string canonical_json(const nlohmann::json& config);

/// Stable 12-hex-digit id of a config: FNV-1a 64 over canonical_json, then a splitmix64 finaliser so
/// every output bit depends on every input byte; the top 48 bits are printed.
/// Example: run_id(config) == "3f9a0c1b2d4e".
std::string run_id(const nlohmann::json& config);

/// "I/N" with 0 <= I < N; throws std::invalid_argument naming the text otherwise.
/// Example: parse_shard("1/4") == {1, 4}.
std::pair<size_t, size_t> parse_shard(const std::string& text);

/// The runs of shard I of N: those whose index % N == I (round-robin keeps shards balanced).
/// Example: shard_runs(runs, 0, 2) holds runs 0, 2, 4, ...
std::vector<SweepRun> shard_runs(const std::vector<SweepRun>& runs, size_t shard, size_t shards);

}  // namespace fpsim::io
