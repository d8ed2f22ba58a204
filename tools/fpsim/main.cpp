// fpsim: bit-exact floating-point emulation and low-precision training simulation.
// Subcommands come from the registry (tools/fpsim/command.h); a name with a space ("bench ops")
// nests under its group ("bench"), which is created on first use.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "numerics/simd/isa.h"
#include "tools/fpsim/command.h"
#include "tools/fpsim/wait_policy.h"

namespace fpsim::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace fpsim::cli

namespace {

// The name a user typed where a subcommand was expected and none matches, or "" when every word names
// one: "fpsim trian x" -> "trian", "fpsim eval ad" -> "eval ad".
std::string unknown_subcommand(const CLI::App& app, int argc, char** argv, std::string& expected) {
  const CLI::App* at = &app;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') return "";
    const auto subs = at->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return "";  // a leaf: the rest are its arguments
    path += (path.empty() ? "" : " ") + word;
    const CLI::App* next = nullptr;
    expected.clear();
    for (const CLI::App* sub : subs) {
      expected += (expected.empty() ? "" : ", ") + sub->get_name();
      if (sub->get_name() == word) next = sub;
    }
    if (!next) return path;
    at = next;
  }
  return "";
}

// A value such as -inf or -.5 before a "--", which CLI11 reads as an option name: returned for the hint
// (the one the error message names, if any).
std::string negative_number_before_dashes(int argc, char** argv, const std::string& message) {
  std::string first;
  for (int i = 1; i < argc; ++i) {
    const std::string w = argv[i];
    if (w == "--") break;
    if (w.size() > 1 && w[0] == '-' &&
        ((w[1] >= '0' && w[1] <= '9') || w[1] == '.' || w.rfind("-inf", 0) == 0 || w.rfind("-nan", 0) == 0)) {
      if (message.find(w) != std::string::npos) return w;
      if (first.empty()) first = w;
    }
  }
  return first;
}

// One line: CLI11 messages may span several; the --help hint names the subcommand.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

const std::map<std::string, std::string> group_descriptions = {
    {"eval", "Batch operations on hex operands from stdin (TestFloat line format)"},
    {"bench", "Benchmarks, reported as ratios to a baseline measured in the same run"},
};
}

// Training allocates every activation and gradient afresh each step (tensors of 0.25-8 MB). glibc serves
// blocks above its mmap threshold with mmap and trims the heap top on free, so each step would fault in
// and zero fresh pages from the kernel (~9 % of a Transformer step). Keeping freed blocks in the heap
// lets the next step reuse the same pages. Values are unchanged: only where memory comes from.
static void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

// FPSIM_MAX_ISA=portable|avx2|avx512 caps the vector kernels of every command (simd::limit_isa), read here
// because numerics and sim read no environment; a sweep's `fpsim train` runs inherit it. A bad value fails
// before any work.
static void cap_isa_from_environment() {
  const char* value = std::getenv("FPSIM_MAX_ISA");
  if (!value || !*value) return;
  try {
    fpsim::simd::limit_isa(fpsim::simd::parse_isa(value));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("FPSIM_MAX_ISA: ") + e.what());
  }
}

int main(int argc, char** argv) {
  using namespace fpsim::cli;
  spin_briefly_unless_chosen(argc, argv);
  keep_freed_memory();
  CLI::App app{"fpsim: bit-exact floating-point emulator and low-precision training simulator"};
  app.require_subcommand(1);
  std::vector<Command> commands = registry();
  std::sort(commands.begin(), commands.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  std::map<std::string, CLI::App*> groups;
  std::map<CLI::App*, std::function<int()>> actions;
  for (const Command& c : commands) {
    CLI::App* parent = &app;
    std::istringstream words(c.name);
    std::vector<std::string> path;
    for (std::string w; words >> w;) path.push_back(w);
    std::string prefix;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      prefix += (i ? " " : "") + path[i];
      auto it = groups.find(prefix);
      if (it == groups.end()) {
        auto d = group_descriptions.find(prefix);
        CLI::App* g = parent->add_subcommand(path[i], d == group_descriptions.end() ? "" : d->second);
        g->require_subcommand(1);
        it = groups.emplace(prefix, g).first;
      }
      parent = it->second;
    }
    CLI::App* sub = parent->add_subcommand(path.back(), c.description);
    actions[sub] = c.setup(*sub);
  }
  // Usage errors: one line on stderr, exit status 2 (help and --version keep CLI11's output and status 0).
  std::string expected;
  if (const std::string unknown = unknown_subcommand(app, argc, argv, expected); !unknown.empty()) {
    std::fprintf(stderr, "error: unknown subcommand \"%s\" (expected one of %s)\n", unknown.c_str(),
                 expected.c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = one_line(e.what());
    const std::string negative = negative_number_before_dashes(argc, argv, message);
    const bool missing_or_extra =
        dynamic_cast<const CLI::RequiredError*>(&e) != nullptr || dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr;
    if (missing_or_extra && !negative.empty())
      message += " (\"" + negative + "\" was read as an option: put \"--\" before negative values, e.g. -- " +
                 negative + ")";
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return 2;
  }
  try {
    cap_isa_from_environment();
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
