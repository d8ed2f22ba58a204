#pragma once
// Runs the fpsim binary with a shell command line and captures stdout, stderr and the exit status.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fpsim::test {

struct CliResult {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Example: run_fpsim("formats").status == 0
inline CliResult run_fpsim(const std::string& args, const std::string& stdin_text = "") {
  const auto dir = std::filesystem::temp_directory_path() / ("fpsim_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "stdin", out = dir / "stdout", err = dir / "stderr";
  { std::ofstream(in) << stdin_text; }
  const std::string cmd = std::string(FPSIM_BIN) + " " + args + " <" + in.string() + " >" + out.string() + " 2>" +
                          err.string();
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace fpsim::test
