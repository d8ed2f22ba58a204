#include "tools/sweep/state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include "tools/io/atomic_file.h"
#include "tools/io/strict_json.h"

namespace fpsim::io {

namespace fs = std::filesystem;
using nlohmann::json;

const char* to_string(RunState s) {
  switch (s) {
    case RunState::Missing: return "missing";
    case RunState::Incomplete: return "incomplete";
    case RunState::Running: return "running";
    case RunState::Completed: return "completed";
    case RunState::Diverged: return "diverged";
  }
  return "?";
}

fs::path run_dir(const fs::path& results, const std::string& sweep, const SweepRun& run) {
  return results / sweep / run.id;
}

std::optional<std::string> summary_status(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "summary.json", ec)) return std::nullopt;
  try {
    const json s = parse_json_strict(read_file(dir / "summary.json"), (dir / "summary.json").string());
    if (!s.is_object() || s.value("schema", json()) != 1 || !s.contains("status") || !s["status"].is_string())
      return std::nullopt;
    const std::string status = s["status"].get<std::string>();
    if (status != "completed" && status != "diverged") return std::nullopt;
    return status;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable or half-written by a non-atomic writer: not complete
  }
}

std::optional<RunLock> RunLock::try_acquire(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path path = dir / "lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  // flock locks belong to the open file description: a second open() in this process conflicts
  // too, and the kernel drops the lock when the last descriptor closes (including on SIGKILL).
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::nullopt;
    throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(err));
  }
  return RunLock(fd);
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);
}

RunState run_state(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return RunState::Missing;
  if (auto status = summary_status(dir)) return *status == "diverged" ? RunState::Diverged : RunState::Completed;
  if (fs::exists(dir / "lock", ec) && !RunLock::try_acquire(dir)) return RunState::Running;
  static const std::set<std::string> prepared = {"lock", "input_config.json", "run.json"};
  for (const auto& entry : fs::directory_iterator(dir))
    if (!prepared.count(entry.path().filename().string())) return RunState::Incomplete;
  return RunState::Missing;
}

void clear_partial_run(const fs::path& dir) {
  static const std::set<std::string> keep = {"lock", "input_config.json", "run.json"};
  std::vector<fs::path> doomed;
  for (const auto& entry : fs::directory_iterator(dir))
    if (!keep.count(entry.path().filename().string())) doomed.push_back(entry.path());
  for (const fs::path& p : doomed) fs::remove_all(p);
}

namespace {
void write_if_changed(const fs::path& path, const std::string& content) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    try {
      if (read_file(path) == content) return;
    } catch (const std::exception&) {
    }
  }
  write_file_atomic(path, content);
}
}  // namespace

void prepare_run_dir(const fs::path& dir, const SweepSpec& spec, const SweepRun& run) {
  fs::create_directories(dir);
  write_if_changed(dir / "input_config.json", run.config.dump(2) + "\n");
  const json meta = {{"schema", 1}, {"sweep", spec.name}, {"id", run.id}, {"index", run.index}, {"overrides", run.overrides}};
  write_if_changed(dir / "run.json", meta.dump(2) + "\n");
}

size_t adopt_legacy_run_dirs(const fs::path& results, const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  size_t moved = 0;
  for (const SweepRun& r : runs) {
    const fs::path legacy = results / spec.name / run_id(r.config), dir = run_dir(results, spec.name, r);
    std::error_code ec;
    if (legacy == dir || !fs::is_directory(legacy, ec) || fs::exists(dir, ec)) continue;
    fs::rename(legacy, dir);  // atomic: a concurrent sweep sees either name, never half a folder
    json meta = json::object();
    try {
      meta = json::parse(read_file(dir / "run.json"));
    } catch (const std::exception&) {
    }
    if (meta.is_object() && meta.contains("id")) {
      meta["id"] = r.id;
      write_file_atomic(dir / "run.json", meta.dump(2) + "\n");
    }
    ++moved;
  }
  return moved;
}

void write_sweep_index(const fs::path& results, const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  json axes = json::array();
  for (const SweepAxis& a : spec.axes) axes.push_back(a.pointer);
  for (const auto& group : spec.zips)
    for (const SweepAxis& a : group) axes.push_back(a.pointer);
  if (!spec.seeds.empty()) axes.push_back("/seed");
  json list = json::array();
  for (const SweepRun& r : runs) list.push_back({{"index", r.index}, {"id", r.id}, {"overrides", r.overrides}});
  const json index = {{"schema", 1},     {"name", spec.name},         {"description", spec.description},
                      {"axes", axes},    {"baseline", spec.baseline}, {"sweep_file", spec.file.string()},
                      {"report", spec.report}, {"runs", list}};
  write_if_changed(results / spec.name / "sweep.json", index.dump(2) + "\n");
}

SweepStatus sweep_status(const fs::path& results, const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  SweepStatus s;
  for (const SweepRun& r : runs) {
    const RunState state = run_state(run_dir(results, spec.name, r));
    switch (state) {
      case RunState::Missing: ++s.missing; break;
      case RunState::Incomplete: ++s.incomplete; break;
      case RunState::Running: ++s.running; break;
      case RunState::Completed: ++s.completed; break;
      case RunState::Diverged: ++s.diverged; break;
    }
    if (state != RunState::Completed && state != RunState::Diverged) s.unfinished.emplace_back(r.id, state);
  }
  return s;
}

}  // namespace fpsim::io
