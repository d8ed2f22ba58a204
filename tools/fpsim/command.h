#pragma once
// Subcommand registry: each tools/fpsim/cmd_*.cpp registers itself with a static Registration, so
// adding a subcommand never edits main.cpp.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace fpsim::cli {

struct Command {
  std::string name;
  std::string description;
  /// Adds options to `app` (the subcommand) and returns the action run when it is chosen;
  /// the action returns the process exit status.
  std::function<std::function<int()>(CLI::App& app)> setup;
};

std::vector<Command>& registry();

struct Registration {
  explicit Registration(Command c) { registry().push_back(std::move(c)); }
};

}  // namespace fpsim::cli
