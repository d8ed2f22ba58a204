#pragma once
// Run configs of `fpsim train`: strict JSON parsing into sim::TrainConfig. Unknown keys, wrong
// types and impossible values throw ConfigError naming the file and the JSON pointer. The
// resolved config (every default filled in, presets expanded, keys in canonical sorted order) is
// what results/<name>/config.json records. The schema is documented in experiments/README.md.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/train.h"
#include "tools/io/config_error.h"

namespace fpsim::io {

struct DataSource {
  std::string dataset = "fashion_mnist";  ///< "fashion_mnist" | "synthetic" | "text"
  std::string path = "/usr/share/datasets/fashion-mnist";
  int64_t train_limit = 0, test_limit = 0;  ///< use only the first N samples (0 = all)
  /// Standardise pixels with the Fashion-MNIST training-set statistics: (x - 0.2860) / 0.3530.
  bool normalize = false;
  // synthetic
  int64_t train_size = 1024, test_size = 256;
  int classes = 10;
  double noise = 0.5;
  // text (a file, or a directory of files read in sorted order; see tools/io/text_corpus.h)
  double valid_fraction = 0.1;  ///< the last fraction of the bytes is the validation part
  int64_t eval_windows = 256;   ///< fixed validation windows of `context` bytes
  int context = 0;              ///< the transformer's context (window length), copied from the model
};

struct RunConfig {
  sim::TrainConfig train;
  DataSource data;
  int threads = 1;
  nlohmann::json resolved;  ///< canonical, without "threads" (it must not change the results)
};

/// Apply one `--set` override: "pointer=value" where pointer is a JSON pointer (/a/b) or a dotted
/// path (a.b), and value is JSON or, when it does not parse as JSON, a bare string. A precision
/// given by preset name is expanded before a path descends into it.
/// Example: apply_set(j, "/precision/weight/format=e4m3", "x.json") sets that field to "e4m3".
void apply_set(nlohmann::json& config, const std::string& assignment, const std::string& file);

/// Parse a config object (already overridden). Throws ConfigError(file, pointer, message).
/// Example: parse_run_config(json::parse(text), "experiments/fmnist_mlp_fp32.json").
RunConfig parse_run_config(const nlohmann::json& config, const std::string& file);

/// The canonical form of a config: the fewest fields that resolve to the same resolved config (spelled-out
/// defaults and a preset's own fields dropped). Run ids hash it, so {"nesterov": false} and {} give one id,
/// and a field added to the schema later (with a default) changes no id.
/// Example: canonical_run_config({"schema":1,"name":"a","seed":0}, "x.json") == {"schema":1,"name":"a"}.
nlohmann::json canonical_run_config(const nlohmann::json& config, const std::string& file);

/// Read `path`, apply the overrides in order, parse. Example: load_run_config("x.json", {"seed=3"}).
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& sets);

}  // namespace fpsim::io
