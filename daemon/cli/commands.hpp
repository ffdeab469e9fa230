// cli/commands: the `lorsync` subcommands. Each registers its options and
// help (with an example) on the CLI11 app and runs against the store.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace lorsync::cli {

struct GlobalOptions {
  std::string plan;   // --plan
  bool json = false;  // --json
  std::string today;  // --today
  bool verbose = false;
};

// Registers every subcommand; the chosen one stores its runner in `run`.
void register_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& run);

}  // namespace lorsync::cli
