// cli/commands: the `lorsync` subcommands. Each registers its options and
// help (with an example) on the CLI11 app and runs against the store.
#pragma once

#include "common/date.hpp"
#include "cli/plan_writer.hpp"
#include "common/diagnostic.hpp"
#include "store/store.hpp"

#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
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
void register_report_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& run);
void register_sync_commands(CLI::App& app, GlobalOptions& global, std::function<int()>& run);
void register_open_command(CLI::App& app, GlobalOptions& global, std::function<int()>& run);

// The command git runs for files marked `merge=lorsync`. It names lorsync, not this binary's path, so that
// git finds it through PATH wherever it is installed, after the build it was registered from is gone.
std::string merge_driver_command();
// For init, clone and status: brings a registration an older lorsync made (its absolute path) to that
// command, and warns on stderr, saying how to fix it, when no `lorsync` is on PATH for git to run.
void check_merge_driver(const std::filesystem::path& root);
bool upgrade_merge_driver_registration(const std::filesystem::path& root);  // false: warned that it could not
void warn_unless_lorsync_on_path();

// The plan the options name, opened, with a message that says how to make one when there is none.
Result<Store> open_store(const GlobalOptions& global);
Result<PlanWriter> open_writer(const GlobalOptions& global);

// Prints a change's commit (JSON with `extra` fields merged in, or `done` as text); returns the exit code.
int report_commit(const Result<CommitResult>& result, const GlobalOptions& global, const std::string& done,
                  nlohmann::json extra = nullptr);

// Whether a desktop session is there (DISPLAY or WAYLAND_DISPLAY), and handing it a URL (xdg-open):
// false when there is no opener or it failed.
bool has_display();
bool open_with_desktop(const std::string& url);

// Today: --today, else LORSYNC_TODAY, else the local date.
Result<Date> today_from(const GlobalOptions& global);

}  // namespace lorsync::cli
