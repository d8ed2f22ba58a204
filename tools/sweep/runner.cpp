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

size_t available_cores() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
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
  for (std::string a : {(dir / "input_config.json").string(), std::string("--out"), dir.string(), std::string("--threads"),
                        std::to_string(threads), std::string("--progress"), std::string("jsonl")})
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

}  // namespace

SweepOutcome run_sweep(const SweepSpec& spec, const std::vector<SweepRun>& runs, const SweepOptions& options) {
  const std::vector<std::string> trainer = options.trainer.empty() ? default_trainer() : options.trainer;
  const size_t jobs = std::max<size_t>(1, options.jobs);
  const size_t cores = options.cores ? options.cores : available_cores();
  const size_t threads = threads_per_run(cores, jobs);
  const bool tty = options.log && ::isatty(::fileno(options.log));

  write_sweep_index(options.results, spec, runs);
  for (const SweepRun& r : runs) prepare_run_dir(run_dir(options.results, spec.name, r), spec, r);

  SweepOutcome outcome;
  SweepProgress progress;
  progress.sweep = spec.name;
  progress.total = runs.size();
  progress.jobs = jobs;

  std::deque<SweepRun> pending(runs.begin(), runs.end());
  std::vector<std::pair<SweepRun, Clock::time_point>> busy;  // locked elsewhere, retry at time
  std::map<pid_t, Child> active;
  Clock::time_point last_print{};
  std::string last_printed;

  auto show = [&](bool force) {
    if (!options.progress || !options.log) return;
    progress.left = pending.size() + busy.size();
    progress.running.clear();
    for (auto& [pid, c] : active) {
      c.progress.elapsed_s = seconds_since(c.started);
      progress.running.push_back(c.progress);
    }
    const std::string line = progress_line(progress);
    if (tty) {
      std::fprintf(options.log, "\r\033[K%s", line.c_str());
    } else if (force || seconds_since(last_print) >= 30) {
      if (line == last_printed && !force) return;
      std::fprintf(options.log, "%s\n", line.c_str());
    } else {
      return;
    }
    std::fflush(options.log);
    last_print = Clock::now();
    last_printed = line;
  };
  auto note = [&](const std::string& message) {
    if (!options.log) return;
    std::fprintf(options.log, tty ? "\r\033[K%s\n" : "%s\n", message.c_str());
  };

  while (!pending.empty() || !active.empty() || !busy.empty()) {
    // 1. Start runs while job slots are free.
    while (active.size() < jobs && !pending.empty()) {
      SweepRun run = std::move(pending.front());
      pending.pop_front();
      const fs::path dir = run_dir(options.results, spec.name, run);
      std::optional<RunLock> lock = RunLock::try_acquire(dir);
      if (!lock) {
        busy.emplace_back(std::move(run), Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                             std::chrono::duration<double>(options.retry_busy_s)));
        continue;
      }
      if (summary_status(dir)) {  // complete (possibly finished by another process meanwhile)
        ++outcome.skipped;
        ++progress.skipped;
        ++progress.done;
        continue;
      }
      clear_partial_run(dir);
      prepare_run_dir(dir, spec, run);
      Child c = spawn(std::move(run), std::move(*lock), dir, trainer, threads);
      const pid_t pid = c.pid;
      active.emplace(pid, std::move(c));
    }
    // 2. Nothing to run here: wait for runs that another process holds.
    if (active.empty() && pending.empty() && !busy.empty()) {
      show(false);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // 3. Wait for progress output (or 200 ms), then collect it.
    if (!active.empty()) {
      std::vector<pollfd> fds;
      for (auto& [pid, c] : active) fds.push_back({c.out_fd, POLLIN, 0});
      ::poll(fds.data(), fds.size(), 200);
      for (auto& [pid, c] : active) read_progress(c);
    }
    // 4. Reap finished children.
    for (auto it = active.begin(); it != active.end();) {
      int status = 0;
      const pid_t r = ::waitpid(it->first, &status, WNOHANG);
      if (r == 0) {
        ++it;
        continue;
      }
      Child& c = it->second;
      read_progress(c);
      ::close(c.out_fd);
      const fs::path dir = run_dir(options.results, spec.name, c.run);
      const std::optional<std::string> done = summary_status(dir);
      if (done && r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        ++progress.done;
        progress.finished_durations_s.push_back(seconds_since(c.started));
        if (*done == "diverged") ++outcome.diverged, ++progress.diverged;
        else ++outcome.completed;
      } else {
        const std::string how = r < 0               ? std::string("lost track of the child")
                                : WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                : WEXITSTATUS(status) != 0 ? fmt::format("exit status {}", WEXITSTATUS(status))
                                                           : std::string("no complete summary.json");
        const std::string why = last_line(dir / "train.log");
        outcome.failed.push_back(fmt::format("{}: {}{}{}", c.run.id, how, why.empty() ? "" : ": ", why));
        ++progress.failed;
        note(fmt::format("run {} failed ({}); see {}", c.run.id, how, (dir / "train.log").string()));
      }
      it = active.erase(it);  // releases the lock
      show(true);
    }
    // 5. Requeue runs locked elsewhere whose retry time has come.
    for (auto it = busy.begin(); it != busy.end();) {
      if (Clock::now() >= it->second) {
        pending.push_back(std::move(it->first));
        it = busy.erase(it);
      } else {
        ++it;
      }
    }
    show(false);
  }
  if (tty && options.progress) {
    show(true);
    std::fprintf(options.log, "\n");
  }
  return outcome;
}

}  // namespace fpsim::io
