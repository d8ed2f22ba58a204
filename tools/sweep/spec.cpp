#include "tools/sweep/spec.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "numerics/core/hash.h"
#include "tools/io/atomic_file.h"
#include "tools/io/config_error.h"
#include "tools/io/strict_json.h"
#include "tools/sweep/report_axes.h"

namespace fpsim::io {
namespace {

using nlohmann::json;

// Escape one object key as a JSON-pointer token ("/precision" -> "~1precision"), RFC 6901.
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string type_name(const json& v) { return v.type_name(); }

json parse_json_file(const std::filesystem::path& file, const std::string& what) {
  std::string text;
  try {
    text = read_file(file);
  } catch (const std::exception& e) {
    throw ConfigError(file.string(), "", "cannot read " + what + ": " + e.what());
  }
  return parse_json_strict(text, file.string());
}

// Check that `pointer` is a syntactically valid JSON pointer whose parent is an object (or an
// array holding the index) in `base`, so the override lands where the author meant it.
void check_override_path(const SweepSpec& spec, const std::string& pointer, const std::string& where) {
  const std::string file = spec.file.string();
  if (pointer.empty() || pointer[0] != '/')
    throw ConfigError(file, where, fmt::format("\"{}\" is not a JSON pointer (it must start with '/')", pointer));
  json::json_pointer ptr;
  try {
    ptr = json::json_pointer(pointer);
  } catch (const json::exception& e) {
    throw ConfigError(file, where, fmt::format("\"{}\" is not a valid JSON pointer: {}", pointer, e.what()));
  }
  const json::json_pointer parent = ptr.parent_pointer();
  if (!spec.base.contains(parent))
    throw ConfigError(file, where,
                      fmt::format("cannot override {}: its parent {} does not exist in the base config", pointer,
                                  parent.to_string().empty() ? "/" : parent.to_string()));
  const json& p = spec.base.at(parent);
  if (p.is_array()) {
    const std::string& last = ptr.back();
    const bool digits = !last.empty() && last.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoull(last) >= p.size())
      throw ConfigError(file, where, fmt::format("cannot override {}: {} is an array of {} elements", pointer,
                                                 parent.to_string(), p.size()));
  } else if (!p.is_object()) {
    throw ConfigError(file, where,
                      fmt::format("cannot override {}: its parent {} is a {} in the base config, not an object",
                                  pointer, parent.to_string(), type_name(p)));
  }
}

SweepAxis parse_axis(const SweepSpec& spec, const std::string& pointer, const json& values, const std::string& where) {
  check_override_path(spec, pointer, where);
  if (!values.is_array() || values.empty())
    throw ConfigError(spec.file.string(), where, "expected a non-empty array of values, got " +
                                                     (values.is_array() ? std::string("[]") : type_name(values)));
  SweepAxis axis{pointer, {}};
  std::set<std::string> seen;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!seen.insert(canonical_json(values[i])).second)
      throw ConfigError(spec.file.string(), where + "/" + std::to_string(i),
                        "duplicate value " + values[i].dump() + " (each run would be run twice)");
    axis.values.push_back(values[i]);
  }
  return axis;
}

}  // namespace

std::string canonical_json(const json& config) { return config.dump(); }

std::string run_id(const json& config) {
  // 1. FNV-1a 64 of the canonical text; 2. SplitMix64's finaliser: FNV's last bytes only reach the high
  //    bits through one multiply, two xor-shift-multiply rounds spread every input bit over all 64.
  const uint64_t h = splitmix64_finalize(fnv1a64(canonical_json(config)));
  // 3. Print the top 48 bits: 12 hex digits (collisions need ~16 million runs to become likely).
  return fmt::format("{:012x}", h >> 16);
}

namespace {

// Paths swept so far (axes, zip groups, seeds): each may be swept once.
class SweptPaths {
 public:
  explicit SweptPaths(std::string file) : file_(std::move(file)) {}
  void claim(const std::string& pointer, const std::string& where) {
    if (!paths_.insert(pointer).second)
      throw ConfigError(file_, where, pointer + " is swept twice (in axes or zip groups)");
  }
  bool contains(const std::string& pointer) const { return paths_.count(pointer) != 0; }
  std::vector<std::string> paths() const { return {paths_.begin(), paths_.end()}; }

 private:
  std::string file_;
  std::set<std::string> paths_;
};

// Known keys, "schema": 1, a folder-safe "name" and an optional "description".
void parse_header(const json& doc, const std::string& f, SweepSpec& spec) {
  if (!doc.is_object()) throw ConfigError(f, "", "a sweep file must be a JSON object, got " + type_name(doc));
  static const std::set<std::string> known = {"schema", "name", "description", "base",
                                              "axes",   "zip",  "seeds",       "baseline", "report"};
  for (const auto& [key, value] : doc.items())
    if (!known.count(key))
      throw ConfigError(f, "/" + pointer_token(key),
                        "unknown key \"" + key +
                            "\" (expected schema, name, description, base, axes, zip, seeds, baseline, report)");

  if (!doc.contains("schema")) throw ConfigError(f, "/schema", "missing (expected \"schema\": 1)");
  if (doc["schema"] != 1)
    throw ConfigError(f, "/schema", "unsupported schema " + doc["schema"].dump() + " (expected 1)");

  if (!doc.contains("name") || !doc["name"].is_string() || doc["name"].get<std::string>().empty())
    throw ConfigError(f, "/name", "expected a non-empty string (the results folder name)");
  spec.name = doc["name"].get<std::string>();
  if (spec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
          std::string::npos ||
      spec.name[0] == '.')
    throw ConfigError(f, "/name",
                      "\"" + spec.name + "\" must use only letters, digits, '.', '_' and '-' (it names a folder)");

  if (doc.contains("description")) {
    if (!doc["description"].is_string()) throw ConfigError(f, "/description", "expected a string");
    spec.description = doc["description"].get<std::string>();
  }
}

// Base config: inline object, or {"file": "path"} relative to the sweep file.
void parse_base(const json& doc, const std::filesystem::path& file, SweepSpec& spec) {
  const std::string f = file.string();
  if (!doc.contains("base"))
    throw ConfigError(f, "/base", "missing (a train config object or {\"file\": \"config.json\"})");
  const json& base = doc["base"];
  if (!base.is_object()) throw ConfigError(f, "/base", "expected an object, got " + type_name(base));
  if (!base.contains("file")) {
    spec.base = base;
    return;
  }
  if (base.size() != 1 || !base["file"].is_string())
    throw ConfigError(f, "/base/file", "expected {\"file\": \"<path relative to the sweep file>\"} and nothing else");
  const std::filesystem::path base_file = file.parent_path() / base["file"].get<std::string>();
  if (!std::filesystem::is_regular_file(base_file))
    throw ConfigError(f, "/base/file", "base config " + base_file.string() + " does not exist");
  spec.base = parse_json_file(base_file, "base config");
  if (!spec.base.is_object())
    throw ConfigError(base_file.string(), "", "a train config must be a JSON object, got " + type_name(spec.base));
}

void parse_axes(const json& doc, const std::string& f, SweepSpec& spec, SweptPaths& swept) {
  if (!doc.contains("axes")) return;
  if (!doc["axes"].is_object()) throw ConfigError(f, "/axes", "expected an object {\"/json/pointer\": [values...]}");
  for (const auto& [pointer, values] : doc["axes"].items()) {
    const std::string where = "/axes/" + pointer_token(pointer);
    swept.claim(pointer, where);
    spec.axes.push_back(parse_axis(spec, pointer, values, where));
  }
}

// One zip group: lists that change together, all of one length.
std::vector<SweepAxis> parse_zip_group(const json& group, const std::string& gwhere, const SweepSpec& spec,
                                       SweptPaths& swept) {
  const std::string f = spec.file.string();
  if (!group.is_object() || group.empty())
    throw ConfigError(f, gwhere, "expected a non-empty object {\"/json/pointer\": [values...]}");
  std::vector<SweepAxis> axes;
  for (const auto& [pointer, values] : group.items()) {
    const std::string where = gwhere + "/" + pointer_token(pointer);
    swept.claim(pointer, where);
    if (!values.is_array() || values.empty()) throw ConfigError(f, where, "expected a non-empty array of values");
    SweepAxis axis{pointer, {}};
    check_override_path(spec, pointer, where);
    for (const json& v : values) axis.values.push_back(v);
    if (!axes.empty() && axis.values.size() != axes.front().values.size())
      throw ConfigError(f, where,
                        fmt::format("has {} values but {} has {}: lists in a zip group change together and "
                                    "must have the same length",
                                    axis.values.size(), axes.front().pointer, axes.front().values.size()));
    axes.push_back(std::move(axis));
  }
  return axes;
}

void parse_zips(const json& doc, const std::string& f, SweepSpec& spec, SweptPaths& swept) {
  if (!doc.contains("zip")) return;
  if (!doc["zip"].is_array())
    throw ConfigError(f, "/zip", "expected an array of groups {\"/p1\": [...], \"/p2\": [...]}");
  for (size_t g = 0; g < doc["zip"].size(); ++g)
    spec.zips.push_back(parse_zip_group(doc["zip"][g], "/zip/" + std::to_string(g), spec, swept));
}

void parse_seeds(const json& doc, const std::string& f, SweepSpec& spec, SweptPaths& swept) {
  if (!doc.contains("seeds")) return;
  const json& seeds = doc["seeds"];
  if (!seeds.is_array() || seeds.empty()) throw ConfigError(f, "/seeds", "expected a non-empty array of integers");
  std::set<int64_t> seen;
  for (size_t i = 0; i < seeds.size(); ++i) {
    if (!seeds[i].is_number_integer() || seeds[i].get<int64_t>() < 0)
      throw ConfigError(f, "/seeds/" + std::to_string(i), "expected a non-negative integer, got " + seeds[i].dump());
    if (!seen.insert(seeds[i].get<int64_t>()).second)
      throw ConfigError(f, "/seeds/" + std::to_string(i), "duplicate seed " + seeds[i].dump());
    spec.seeds.push_back(seeds[i]);
  }
  swept.claim("/seed", "/seeds");
}

// The baseline names values of swept paths only.
void parse_baseline(const json& doc, const std::string& f, SweepSpec& spec, const SweptPaths& swept) {
  if (!doc.contains("baseline")) return;
  if (!doc["baseline"].is_object()) throw ConfigError(f, "/baseline", "expected an object {\"/json/pointer\": value}");
  for (const auto& [pointer, value] : doc["baseline"].items()) {
    if (!swept.contains(pointer))
      throw ConfigError(f, "/baseline/" + pointer_token(pointer), pointer + " is not a swept path");
    // The baseline must name a value the sweep runs, or the report has no Δ column and says nothing.
    const auto in = [&](const SweepAxis& a) {
      return a.pointer == pointer && std::find(a.values.begin(), a.values.end(), value) != a.values.end();
    };
    bool found = pointer == "/seed" && std::find(spec.seeds.begin(), spec.seeds.end(), value) != spec.seeds.end();
    for (const SweepAxis& a : spec.axes) found = found || in(a);
    for (const auto& group : spec.zips)
      for (const SweepAxis& a : group) found = found || in(a);
    if (!found)
      throw ConfigError(f, "/baseline/" + pointer_token(pointer),
                        "baseline value " + value.dump() + " is not one of the values swept at " + pointer);
  }
  spec.baseline = doc["baseline"];
}

}  // namespace

SweepSpec parse_sweep(const json& doc, const std::filesystem::path& file) {
  SweepSpec spec;
  spec.file = file;
  const std::string f = file.string();
  parse_header(doc, f, spec);
  parse_base(doc, file, spec);
  SweptPaths swept(f);
  parse_axes(doc, f, spec, swept);
  parse_zips(doc, f, spec, swept);
  parse_seeds(doc, f, spec, swept);
  parse_baseline(doc, f, spec, swept);
  if (doc.contains("report")) {
    check_report_axes(doc["report"], swept.paths(), f);
    spec.report = doc["report"];
  }
  return spec;
}

SweepSpec load_sweep(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) throw ConfigError(file.string(), "", "sweep file does not exist");
  return parse_sweep(parse_json_file(file, "sweep file"), file);
}

std::vector<SweepRun> expand_sweep(const SweepSpec& spec, const ConfigResolver& resolve) {
  // Dimensions, outermost first: each axis, each zip group, then the seeds.
  std::vector<std::vector<SweepAxis>> dims;
  for (const SweepAxis& a : spec.axes) dims.push_back({a});
  for (const auto& group : spec.zips) dims.push_back(group);
  if (!spec.seeds.empty()) dims.push_back({SweepAxis{"/seed", spec.seeds}});

  size_t total = 1;
  for (const auto& d : dims) total *= d.front().values.size();

  std::vector<SweepRun> runs;
  std::map<std::string, size_t> by_id;
  std::vector<size_t> digit(dims.size(), 0);  // mixed-radix counter, last dimension fastest
  for (size_t index = 0; index < total; ++index) {
    SweepRun run;
    run.index = index;
    run.overrides = json::object();
    run.config = spec.base;
    for (size_t d = 0; d < dims.size(); ++d)
      for (const SweepAxis& a : dims[d]) {
        run.overrides[a.pointer] = a.values[digit[d]];
        run.config[json::json_pointer(a.pointer)] = a.values[digit[d]];
      }
    run.id = run_id(resolve ? resolve(run.config) : run.config);
    if (auto [it, fresh] = by_id.emplace(run.id, index); !fresh)
      throw ConfigError(spec.file.string(), "",
                        fmt::format("runs {} ({}) and {} ({}) resolve to the same config", it->second,
                                    runs[it->second].overrides.dump(), index, run.overrides.dump()));
    runs.push_back(std::move(run));
    for (size_t d = dims.size(); d-- > 0;) {
      if (++digit[d] < dims[d].front().values.size()) break;
      digit[d] = 0;
    }
  }
  return runs;
}

std::pair<size_t, size_t> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  auto number = [&](const std::string& s) -> size_t {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9)
      throw std::invalid_argument("--shard " + text + ": expected I/N with 0 <= I < N (e.g. 0/4)");
    return std::stoul(s);
  };
  if (slash == std::string::npos) number("");
  const size_t i = number(text.substr(0, slash)), n = number(text.substr(slash + 1));
  if (n == 0 || i >= n) throw std::invalid_argument("--shard " + text + ": expected I/N with 0 <= I < N (e.g. 0/4)");
  return {i, n};
}

std::vector<SweepRun> shard_runs(const std::vector<SweepRun>& runs, size_t shard, size_t shards) {
  std::vector<SweepRun> out;
  for (const SweepRun& r : runs)
    if (r.index % shards == shard) out.push_back(r);
  return out;
}

}  // namespace fpsim::io
