// cli/main: the `lorsync` program: parses the command line and runs one command.
#include "cli/commands.hpp"
#include "cli/output.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>

int main(int argc, char** argv) {
  using namespace lorsync::cli;
  // Logs go to stderr so that stdout stays clean for --json.
  spdlog::set_default_logger(spdlog::stderr_color_mt("lorsync"));
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{"lorsync: plan, ask for, track and thank for your letters of recommendation.\n"
               "Your plan is a folder of plain files in a git repository; every change is a commit.",
               "lorsync"};
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", "lorsync 0.1.0");
  GlobalOptions global;
  app.add_option("--plan", global.plan, "The plan folder (default: the plan around the current folder, else "
                                        "$XDG_DATA_HOME/lorsync/plan)");
  app.add_flag("--json", global.json, "Print machine-readable JSON (see docs/cli.md)");
  app.add_option("--today", global.today, "Act as if today were this date, YYYY-MM-DD (also: LORSYNC_TODAY)");
  app.add_flag("-v,--verbose", global.verbose, "Log what is happening to stderr");
  app.footer("Run `lorsync COMMAND --help` for a command's options and an example.\n"
             "Exit codes: 0 ok, 1 the audit found errors, 2 bad usage or invalid plan, 3 file system or git failure.");
  std::function<int()> run;
  register_commands(app, global, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (global.verbose) spdlog::set_level(spdlog::level::debug);
  if (!run) return kExitUsage;
  std::optional<TerminalGuard> guard;
  if (!global.json) guard.emplace();
  try {
    return run();
  } catch (const std::exception& e) {
    std::cerr << "lorsync: internal error: " << e.what() << "\n";
    return kExitFailure;
  }
}
