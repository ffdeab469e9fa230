// lorsyncd/main: the daemon's process: parses its options, refuses any address but
// loopback, and runs the Daemon (lorsyncd/daemon) with them.
#include "lorsyncd/daemon.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

namespace {

using namespace lorsync;
using daemon::kExitFailure;
using daemon::kExitOk;
using daemon::kExitUsage;

struct Options {
  std::string plan;
  std::string address = "127.0.0.1";
  std::optional<int> port;
  std::string config;
  bool verbose = false;
};

int fail(const Error& error, int code) {
  spdlog::error("{}", error.message);
  for (const auto& diagnostic : error.diagnostics) spdlog::error("  {}", format_diagnostic(diagnostic));
  return code;
}

int serve(const Options& options) {
  daemon::DaemonOptions daemon_options;
  daemon_options.plan = options.plan;
  if (options.port) daemon_options.port = static_cast<uint16_t>(*options.port);
  daemon_options.config = options.config.empty() ? daemon::default_config_path() : std::filesystem::path(options.config);
  daemon_options.verbose = options.verbose;
  daemon_options.version = LORSYNC_VERSION;
  daemon::Daemon lorsyncd(std::move(daemon_options));
  if (auto failed = lorsyncd.start()) return fail(failed->error, failed->exit_code);
  lorsyncd.run();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("lorsyncd"));
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"lorsyncd: serves one lorsync plan to plugins (dashboard, Zotero, editors) over a local\n"
               "WebSocket JSON-RPC API on 127.0.0.1, commits edits made in an editor, and tells\n"
               "subscribers about every change. Writes .lorsync/daemon.json (port and token) in the plan.",
               "lorsyncd"};
  app.set_version_flag("--version", std::string("lorsyncd ") + LORSYNC_VERSION);
  Options options;
  app.add_option("--plan", options.plan, "The plan folder (default: the plan around the current folder, else "
                                         "$XDG_DATA_HOME/lorsync/plan)");
  app.add_option("--port", options.port, "Port on 127.0.0.1 (default: from the config, else 23231; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--address", options.address, "Address to listen on; only 127.0.0.1 (or localhost) is accepted");
  app.add_option("--config", options.config, "Config file (default: $XDG_CONFIG_HOME/lorsync/config.yaml)");
  app.add_flag("-v,--verbose", options.verbose, "Log details (debug level)");
  app.footer("Example: lorsyncd --plan ~/lor-plan --port 0\n"
             "Stop it with Ctrl-C or SIGTERM; SIGHUP rereads the config. See README for the config keys.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (options.address != "127.0.0.1" && options.address != "localhost") {
    std::cerr << "lorsyncd: refusing to listen on " << options.address
              << ": lorsyncd serves your personal plan and listens on 127.0.0.1 only. To reach it from another "
                 "device, sync the plan there (lorsync clone) instead.\n";
    return kExitUsage;
  }
  if (options.verbose) spdlog::set_level(spdlog::level::debug);
  try {
    return serve(options);
  } catch (const std::exception& e) {
    spdlog::critical("internal error: {}", e.what());
    return kExitFailure;
  }
}
