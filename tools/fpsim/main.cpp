// fpsim: bit-exact floating-point emulation and low-precision training simulation.
// Subcommands come from the registry (tools/fpsim/command.h); a name with a space ("bench ops")
// nests under its group ("bench"), which is created on first use.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <sstream>

#include "tools/fpsim/command.h"

namespace fpsim::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace fpsim::cli

namespace {
const std::map<std::string, std::string> group_descriptions = {
    {"eval", "Batch operations on hex operands from stdin (TestFloat line format)"},
    {"bench", "Benchmarks, reported as ratios to a baseline measured in the same run"},
};
}

int main(int argc, char** argv) {
  using namespace fpsim::cli;
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
