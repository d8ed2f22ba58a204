// The sweep runner against fake_trainer: every run completes exactly once, reruns skip complete
// runs and restart partial ones, a SIGKILL at any moment loses and duplicates nothing, concurrent
// sweeps and shards never train a run twice, diverged runs are results, failures are reported.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "tools/io/atomic_file.h"
#include "tools/sweep/runner.h"
#include "tools/sweep/state.h"

using nlohmann::json;
using namespace fpsim::io;
namespace fs = std::filesystem;

namespace {

// A fresh results folder and trainer log per test case.
struct Sandbox {
  fs::path root, results, log;
  explicit Sandbox(const std::string& name) {
    root = fs::temp_directory_path() / ("fpsim_sweep_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(root);
    results = root / "results";
    log = root / "trainer.log";
    fs::create_directories(results);
    ::setenv("FAKE_TRAINER_LOG", log.c_str(), 1);
  }
  ~Sandbox() {
    ::unsetenv("FAKE_TRAINER_LOG");
    fs::remove_all(root);
  }
  SweepOptions options(size_t jobs = 2) const {
    SweepOptions o;
    o.results = results;
    o.jobs = jobs;
    o.cores = 2;
    o.trainer = {FPSIM_FAKE_TRAINER};
    o.progress = false;
    o.log = nullptr;
    o.retry_busy_s = 0.02;
    return o;
  }
  // Run ids in the order the trainer started them.
  std::vector<std::string> starts() const {
    std::vector<std::string> ids;
    std::ifstream in(log);
    for (std::string word, id; in >> word >> id;) ids.push_back(id);
    return ids;
  }
};

SweepSpec fake_sweep(int step_ms, json extra_axis = nullptr) {
  json doc = {{"schema", 1},
              {"name", "fake"},
              {"base", {{"schema", 1}, {"name", "fake"}, {"seed", 0}, {"lr", 0.1}, {"steps", 10},
                        {"fake", {{"step_ms", step_ms}}}}},
              {"axes", {{"/lr", {0.1, 0.2, 0.3, 0.4}}}},
              {"seeds", {1, 2}}};
  if (!extra_axis.is_null()) doc["axes"].update(extra_axis);
  return parse_sweep(doc, "fake.json");
}

// Run the sweep in a forked process of its own process group (so the test can SIGKILL the sweep
// and its trainers together); returns the pid.
pid_t fork_sweep(const SweepSpec& spec, const std::vector<SweepRun>& runs, const SweepOptions& o) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    int code = 3;
    try {
      code = run_sweep(spec, runs, o).failed.empty() ? 0 : 1;
    } catch (...) {
    }
    ::_exit(code);
  }
  ::setpgid(pid, pid);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// Every run folder holds exactly one complete result of its own config, and nothing else exists.
void check_exactly_one_result_per_run(const Sandbox& box, const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  std::set<std::string> expected;
  for (const SweepRun& r : runs) {
    expected.insert(r.id);
    const fs::path dir = run_dir(box.results, spec.name, r);
    INFO("run " << r.id);
    CHECK(summary_status(dir) == std::optional<std::string>("completed"));
    CHECK(json::parse(read_file(dir / "config.json")) == r.config);
    const json summary = json::parse(read_file(dir / "summary.json"));
    CHECK(summary["steps"] == 10);
    std::istringstream metrics(read_file(dir / "metrics.jsonl"));
    std::vector<int> steps;
    for (std::string line; std::getline(metrics, line);) steps.push_back(json::parse(line)["step"].get<int>());
    CHECK(steps == std::vector<int>{5, 10});
    for (const auto& entry : fs::directory_iterator(dir))
      CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
  std::set<std::string> found;
  for (const auto& entry : fs::directory_iterator(box.results / spec.name))
    if (entry.is_directory()) found.insert(entry.path().filename().string());
  CHECK(found == expected);
}

}  // namespace

TEST_CASE("a sweep trains every run once and a rerun skips complete runs", "[sweep]") {
  Sandbox box("rerun");
  const SweepSpec spec = fake_sweep(0);
  const auto runs = expand_sweep(spec);
  const SweepOutcome first = run_sweep(spec, runs, box.options());
  CHECK(first.completed == 8);
  CHECK(first.failed.empty());
  check_exactly_one_result_per_run(box, spec, runs);
  CHECK(box.starts().size() == 8);
  const SweepOutcome second = run_sweep(spec, runs, box.options());
  CHECK(second.skipped == 8);
  CHECK(second.completed == 0);
  CHECK(box.starts().size() == 8);
  CHECK(sweep_status(box.results, spec, runs).completed == 8);
  const json index = json::parse(read_file(box.results / "fake" / "sweep.json"));
  CHECK(index["axes"] == json({"/lr", "/seed"}));
  CHECK(index["runs"].size() == 8);
}

TEST_CASE("incomplete runs are cleared and restarted, complete ones kept", "[sweep]") {
  Sandbox box("partial");
  const SweepSpec spec = fake_sweep(0);
  const auto runs = expand_sweep(spec);
  // Run 0: a half-written run; run 1: a summary of the wrong schema; run 2: a complete run.
  const fs::path d0 = run_dir(box.results, "fake", runs[0]), d1 = run_dir(box.results, "fake", runs[1]),
                 d2 = run_dir(box.results, "fake", runs[2]);
  write_file_atomic(d0 / "metrics.jsonl", "{\"step\": 999}\n");
  write_file_atomic(d0 / "summary.json.tmp.123", "{\"sch");
  write_file_atomic(d1 / "summary.json", "{\"schema\": 2, \"status\": \"completed\"}");
  write_file_atomic(d2 / "summary.json", "{\"schema\": 1, \"status\": \"completed\", \"steps\": 10}");
  SweepStatus before = sweep_status(box.results, spec, runs);
  CHECK(before.incomplete == 2);
  CHECK(before.completed == 1);
  CHECK(before.missing == 5);
  const SweepOutcome out = run_sweep(spec, runs, box.options());
  CHECK(out.completed == 7);
  CHECK(out.skipped == 1);
  CHECK(!fs::exists(d0 / "summary.json.tmp.123"));
  CHECK(json::parse(read_file(d1 / "summary.json"))["schema"] == 1);
  CHECK(!fs::exists(d2 / "metrics.jsonl"));  // the complete run was not retrained
  const auto started = box.starts();
  CHECK(std::count(started.begin(), started.end(), runs[2].id) == 0);
}

TEST_CASE("a diverged run is a result and a failing trainer is reported, then retried", "[sweep]") {
  Sandbox box("diverge");
  const SweepSpec spec =
      fake_sweep(0, {{"/fake", {json{{"step_ms", 0}}, json{{"diverge_at", 3}}, json{{"fail", "bad value"}}}}});
  const auto runs = expand_sweep(spec);
  REQUIRE(runs.size() == 24);
  const SweepOutcome out = run_sweep(spec, runs, box.options());
  CHECK(out.completed == 8);
  CHECK(out.diverged == 8);
  REQUIRE(out.failed.size() == 8);
  CHECK_THAT(out.failed[0], Catch::Matchers::Contains("exit status 2") && Catch::Matchers::Contains("bad value"));
  const SweepStatus s = sweep_status(box.results, spec, runs);
  CHECK(s.diverged == 8);
  CHECK(s.completed == 8);
  CHECK(s.incomplete == 8);  // train.log of the failed runs
  for (const SweepRun& r : runs)
    if (r.config["fake"].contains("diverge_at"))
      CHECK(json::parse(read_file(run_dir(box.results, "fake", r) / "summary.json"))["diverged_step"] == 3);
  // A rerun retries only the failed runs.
  const SweepOutcome again = run_sweep(spec, runs, box.options());
  CHECK(again.skipped == 16);
  CHECK(again.failed.size() == 8);
}

TEST_CASE("a sweep killed with SIGKILL at random moments and rerun has exactly one result per run", "[sweep]") {
  Sandbox box("kill");
  const SweepSpec spec = fake_sweep(8);  // 10 steps of 8 ms: ~90 ms per run, ~360 ms per sweep at 2 jobs
  const auto runs = expand_sweep(spec);
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> delay_ms(0, 120);
  size_t kills_mid_sweep = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    // Snapshot what is complete before this attempt: it must never be retrained or altered.
    std::map<std::string, std::string> complete;
    for (const SweepRun& r : runs) {
      const fs::path dir = run_dir(box.results, "fake", r);
      if (summary_status(dir)) complete[r.id] = read_file(dir / "summary.json");
    }
    const size_t starts_before = box.starts().size();
    const pid_t pid = fork_sweep(spec, runs, box.options());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(-pid, SIGKILL);
    if (wait_exit(pid) == -SIGKILL) ++kills_mid_sweep;
    const auto started = box.starts();
    for (size_t i = starts_before; i < started.size(); ++i) CHECK(complete.count(started[i]) == 0);
    for (const auto& [id, text] : complete) CHECK(read_file(box.results / "fake" / id / "summary.json") == text);
  }
  CHECK(kills_mid_sweep >= 4);  // most attempts really interrupted the sweep
  const pid_t pid = fork_sweep(spec, runs, box.options());
  CHECK(wait_exit(pid) == 0);
  check_exactly_one_result_per_run(box, spec, runs);
  CHECK(sweep_status(box.results, spec, runs).completed == runs.size());
}

TEST_CASE("two sweeps of the same runs at once never train a run twice", "[sweep]") {
  Sandbox box("concurrent");
  const SweepSpec spec = fake_sweep(3);
  const auto runs = expand_sweep(spec);
  const pid_t a = fork_sweep(spec, runs, box.options());
  const pid_t b = fork_sweep(spec, runs, box.options());
  CHECK(wait_exit(a) == 0);
  CHECK(wait_exit(b) == 0);
  const auto started = box.starts();
  CHECK(started.size() == runs.size());
  CHECK(std::set<std::string>(started.begin(), started.end()).size() == runs.size());
  check_exactly_one_result_per_run(box, spec, runs);
}

TEST_CASE("shards run disjoint subsets that together complete the sweep", "[sweep]") {
  Sandbox box("shards");
  const SweepSpec spec = fake_sweep(0);
  const auto runs = expand_sweep(spec);
  std::multiset<std::string> started;
  for (size_t i = 0; i < 3; ++i) {
    const auto shard = shard_runs(runs, i, 3);
    const size_t before = box.starts().size();
    CHECK(run_sweep(spec, shard, box.options(1)).completed == shard.size());
    const auto now = box.starts();
    CHECK(now.size() - before == shard.size());
    for (size_t k = before; k < now.size(); ++k) started.insert(now[k]);
    CHECK(sweep_status(box.results, spec, runs).completed == started.size());
  }
  CHECK(started.size() == runs.size());
  for (const SweepRun& r : runs) CHECK(started.count(r.id) == 1);
  check_exactly_one_result_per_run(box, spec, runs);
}

TEST_CASE("threads per run share the cores among the jobs", "[sweep]") {
  CHECK(threads_per_run(2, 1) == 2);
  CHECK(threads_per_run(2, 2) == 1);
  CHECK(threads_per_run(2, 4) == 1);
  CHECK(threads_per_run(16, 3) == 5);
  // Inside a Slurm job the allocation caps the cores, even where Slurm does not bind CPUs (task/none).
  CHECK(allocated_cores(8, nullptr) == 8);
  CHECK(allocated_cores(8, "2") == 2);
  CHECK(allocated_cores(2, "16") == 2);
  CHECK(allocated_cores(8, "") == 8);
  CHECK(allocated_cores(8, "2x") == 8);
  CHECK(allocated_cores(8, "0") == 8);
  CHECK(allocated_cores(0, nullptr) == 1);
  CHECK(split_command("  a  b\tc ") == std::vector<std::string>{"a", "b", "c"});
}
