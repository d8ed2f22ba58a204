#include "tools/sweep/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/core.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "tools/io/atomic_file.h"
#include "tools/sweep/progress.h"
#include "tools/sweep/state.h"

namespace fpsim::io {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

size_t threads_per_run(size_t cores, size_t jobs) { return std::max<size_t>(1, cores / std::max<size_t>(1, jobs)); }

size_t allocated_cores(size_t affinity, const char* slurm_cpus_per_task) {
  size_t cores = std::max<size_t>(1, affinity);
  if (slurm_cpus_per_task != nullptr && *slurm_cpus_per_task != '\0') {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(slurm_cpus_per_task, &end, 10);
    if (*end == '\0' && n > 0) cores = std::min<size_t>(cores, static_cast<size_t>(n));
  }
  return cores;
}

size_t available_cores() {
  cpu_set_t set;
  const size_t affinity = ::sched_getaffinity(0, sizeof set, &set) == 0 ? size_t(std::max(1, CPU_COUNT(&set)))
                                                                        : std::max(1u, std::thread::hardware_concurrency());
  return allocated_cores(affinity, std::getenv("SLURM_CPUS_PER_TASK"));
}

std::vector<std::string> split_command(const std::string& command) {
  std::istringstream words(command);
  std::vector<std::string> out;
  for (std::string w; words >> w;) out.push_back(w);
  return out;
}

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<std::string> default_trainer() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot locate the fpsim executable (/proc/self/exe): " + ec.message());
  return {self.string(), "train"};
}

struct Child {
  SweepRun run;
  RunLock lock;
  pid_t pid = -1;
  int out_fd = -1;  // read end of the child's stdout (its --progress jsonl stream)
  Clock::time_point started;
  std::string pending;  // bytes after the last newline
  ChildProgress progress;
};

// Fork and exec the trainer for one run; the child writes stderr to <dir>/train.log.
//  1. pipe for stdout (progress), both ends close-on-exec in the parent's other children;
//  2. child: die with the sweep (PR_SET_PDEATHSIG), keep this run's lock fd across exec so the
//     run stays locked as long as the trainer lives, redirect stdout/stderr, exec;
//  3. parent: keep the read end, non-blocking.
Child spawn(SweepRun run, RunLock lock, const fs::path& dir, const std::vector<std::string>& trainer, size_t threads) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const std::string log_path = (dir / "train.log").string();
  std::vector<std::string> args = trainer;
  for (std::string a : {(dir / "input_config.json").string(), std::string("--out"), dir.string(),
                        std::string("--threads"), std::to_string(threads), std::string("--progress"),
                        std::string("jsonl")})
    args.push_back(a);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The trainer takes its folder's lock unless it holds it already: FPSIM_RUN_LOCK_FD names the inherited fd.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("FPSIM_RUN_LOCK_FD=", 0) != 0) env_strings.emplace_back(*e);
  env_strings.push_back("FPSIM_RUN_LOCK_FD=" + std::to_string(lock.fd()));
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the sweep died before prctl took effect
    ::fcntl(lock.fd(), F_SETFD, 0);           // inherit this run's lock (not the other runs')
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) ::dup2(log, 2);
    ::dup2(fds[1], 1);
    ::execve(argv[0], argv.data(), envp.data());
    const std::string msg = "error: cannot execute " + args[0] + ": " + std::strerror(errno) + "\n";
    if (::write(2, msg.data(), msg.size()) < 0) {
    }
    ::_exit(127);
  }
  ::close(fds[1]);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  Child c{std::move(run), std::move(lock), pid, fds[0], Clock::now(), {}, {}};
  c.progress.id = c.run.id;
  return c;
}

// Consume complete lines of the child's progress stream; non-JSON lines are ignored.
void read_progress(Child& c) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(c.out_fd, buf, sizeof buf);
    if (n <= 0) break;
    c.pending.append(buf, static_cast<size_t>(n));
  }
  size_t nl;
  while ((nl = c.pending.find('\n')) != std::string::npos) {
    const std::string line = c.pending.substr(0, nl);
    c.pending.erase(0, nl + 1);
    const json p = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!p.is_object()) continue;
    if (p.contains("step") && p["step"].is_number_integer()) c.progress.step = p["step"].get<long long>();
    if (p.contains("total_steps") && p["total_steps"].is_number_integer())
      c.progress.total_steps = p["total_steps"].get<long long>();
    if (p.contains("eta_s") && p["eta_s"].is_number()) c.progress.eta_s = p["eta_s"].get<double>();
  }
}

std::string last_line(const fs::path& file) {
  try {
    std::string text = read_file(file);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const size_t nl = text.rfind('\n');
    return nl == std::string::npos ? text : text.substr(nl + 1);
  } catch (const std::exception&) {
    return "";
  }
}

// The state of one run_sweep call: runs waiting, locked elsewhere and running, and the progress line.
// One pass of the loop: start runs in free slots, wait for output, reap children, requeue busy runs.
class Scheduler {
 public:
  Scheduler(const SweepSpec& spec, const std::vector<SweepRun>& runs, const SweepOptions& options)
      : spec_(spec),
        options_(options),
        trainer_(options.trainer.empty() ? default_trainer() : options.trainer),
        jobs_(std::max<size_t>(1, options.jobs)),
        threads_(threads_per_run(options.cores ? options.cores : available_cores(), jobs_)),
        tty_(options.log && ::isatty(::fileno(options.log))),
        pending_(runs.begin(), runs.end()) {
    progress_.sweep = spec.name;
    progress_.total = runs.size();
    progress_.jobs = jobs_;
  }

  bool finished() const { return pending_.empty() && active_.empty() && busy_.empty(); }

  void step() {
    start_runs();
    // Nothing to run here: wait for runs that another process holds.
    if (active_.empty() && pending_.empty() && !busy_.empty()) {
      show(false);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    collect_output();
    reap_finished();
    requeue_busy();
    show(false);
  }

  SweepOutcome finish() {
    if (tty_ && options_.progress) {
      show(true);
      std::fprintf(options_.log, "\n");
    }
    return outcome_;
  }

 private:
  // 1. Start runs while job slots are free; a run locked elsewhere waits in busy_, a complete one is skipped.
  void start_runs() {
    while (active_.size() < jobs_ && !pending_.empty()) {
      SweepRun run = std::move(pending_.front());
      pending_.pop_front();
      const fs::path dir = run_dir(options_.results, spec_.name, run);
      std::optional<RunLock> lock = RunLock::try_acquire(dir);
      if (!lock) {
        busy_.emplace_back(std::move(run), Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                              std::chrono::duration<double>(options_.retry_busy_s)));
        continue;
      }
      if (summary_status(dir)) {  // complete (possibly finished by another process meanwhile)
        ++outcome_.skipped;
        ++progress_.skipped;
        ++progress_.done;
        continue;
      }
      clear_partial_run(dir);
      prepare_run_dir(dir, spec_, run);
      Child c = spawn(std::move(run), std::move(*lock), dir, trainer_, threads_);
      const pid_t pid = c.pid;
      active_.emplace(pid, std::move(c));
    }
  }

  // 2. Wait for progress output (or 200 ms), then collect it.
  void collect_output() {
    if (active_.empty()) return;
    std::vector<pollfd> fds;
    for (auto& [pid, c] : active_) fds.push_back({c.out_fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 200);
    for (auto& [pid, c] : active_) read_progress(c);
  }

  // 3. Reap finished children: a run succeeded when it exited 0 with a complete summary.json.
  void reap_finished() {
    for (auto it = active_.begin(); it != active_.end();) {
      int status = 0;
      const pid_t r = ::waitpid(it->first, &status, WNOHANG);
      if (r == 0) {
        ++it;
        continue;
      }
      Child& c = it->second;
      read_progress(c);
      ::close(c.out_fd);
      const fs::path dir = run_dir(options_.results, spec_.name, c.run);
      const std::optional<std::string> done = summary_status(dir);
      if (done && r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        ++progress_.done;
        progress_.finished_durations_s.push_back(seconds_since(c.started));
        if (*done == "diverged") ++outcome_.diverged, ++progress_.diverged;
        else ++outcome_.completed;
      } else {
        record_failure(c, dir, r, status);
      }
      it = active_.erase(it);  // releases the lock
      show(true);
    }
  }

  void record_failure(const Child& c, const fs::path& dir, pid_t r, int status) {
    const std::string how = r < 0                      ? std::string("lost track of the child")
                            : WIFSIGNALED(status)      ? fmt::format("killed by signal {}", WTERMSIG(status))
                            : WEXITSTATUS(status) != 0 ? fmt::format("exit status {}", WEXITSTATUS(status))
                                                       : std::string("no complete summary.json");
    const std::string why = last_line(dir / "train.log");
    outcome_.failed.push_back(fmt::format("{}: {}{}{}", c.run.id, how, why.empty() ? "" : ": ", why));
    ++progress_.failed;
    note(fmt::format("run {} failed ({}); see {}", c.run.id, how, (dir / "train.log").string()));
  }

  // 4. Requeue runs locked elsewhere whose retry time has come.
  void requeue_busy() {
    for (auto it = busy_.begin(); it != busy_.end();) {
      if (Clock::now() >= it->second) {
        pending_.push_back(std::move(it->first));
        it = busy_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // The progress line: rewritten in place on a terminal, else printed when it changes (at most every 30 s).
  void show(bool force) {
    if (!options_.progress || !options_.log) return;
    progress_.left = pending_.size() + busy_.size();
    progress_.running.clear();
    for (auto& [pid, c] : active_) {
      c.progress.elapsed_s = seconds_since(c.started);
      progress_.running.push_back(c.progress);
    }
    const std::string line = progress_line(progress_);
    if (tty_) {
      std::fprintf(options_.log, "\r\033[K%s", line.c_str());
    } else if (force || seconds_since(last_print_) >= 30) {
      if (line == last_printed_ && !force) return;
      std::fprintf(options_.log, "%s\n", line.c_str());
    } else {
      return;
    }
    std::fflush(options_.log);
    last_print_ = Clock::now();
    last_printed_ = line;
  }

  void note(const std::string& message) {
    if (!options_.log) return;
    std::fprintf(options_.log, tty_ ? "\r\033[K%s\n" : "%s\n", message.c_str());
  }

  const SweepSpec& spec_;
  const SweepOptions& options_;
  const std::vector<std::string> trainer_;
  const size_t jobs_, threads_;
  const bool tty_;
  std::deque<SweepRun> pending_;
  std::vector<std::pair<SweepRun, Clock::time_point>> busy_;  // locked elsewhere, retry at time
  std::map<pid_t, Child> active_;
  SweepOutcome outcome_;
  SweepProgress progress_;
  Clock::time_point last_print_{};
  std::string last_printed_;
};

}  // namespace

SweepOutcome run_sweep(const SweepSpec& spec, const std::vector<SweepRun>& runs, const SweepOptions& options) {
  write_sweep_index(options.results, spec, runs);
  for (const SweepRun& r : runs) prepare_run_dir(run_dir(options.results, spec.name, r), spec, r);
  Scheduler scheduler(spec, runs, options);
  while (!scheduler.finished()) scheduler.step();
  return scheduler.finish();
}

}  // namespace fpsim::io
