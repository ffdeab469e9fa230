// lorsyncd/main: the daemon's process: finds the plan, takes its one-daemon lock,
// opens the API over it, listens on 127.0.0.1, publishes where (daemon.json),
// watches the files, and handles signals: SIGTERM/SIGINT stop cleanly, SIGHUP
// rereads the config. One I/O thread serves every connection; one writer
// thread makes every change, so commits never stall reads; one sync thread
// talks to the git remote, so a slow network never stalls either.
#include "api/plan_service.hpp"
#include "api/sync_methods.hpp"
#include "client/daemon_file.hpp"
#include "common/date.hpp"
#include "lorsyncd/config.hpp"
#include "server/server.hpp"
#include "store/plan_location.hpp"
#include "store/store.hpp"
#include "sync/sync_scheduler.hpp"
#include "watch/watcher.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <future>
#include <iostream>

namespace {

using namespace lorsync;
namespace asio = boost::asio;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Options {
  std::string plan;
  std::string address = "127.0.0.1";
  std::optional<int> port;
  std::string config;
  bool verbose = false;
};

server::ServerOptions server_options(const daemon::DaemonConfig& config, uint16_t port) {
  server::ServerOptions options;
  options.port = port;
  options.allowed_origins = config.allowed_origins;
  options.max_connections = config.max_connections;
  options.max_unauthenticated = config.max_unauthenticated;
  options.auth_timeout = config.auth_timeout;
  options.idle_timeout = config.idle_timeout;
  return options;
}

// Each connection is a file descriptor; the usual soft limit of 1024 would cap a
// daemon configured for more connections well below max_connections.
void raise_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) spdlog::debug("could not raise the open file limit");
  }
}

int fail(const Error& error, int code) {
  spdlog::error("{}", error.message);
  for (const auto& diagnostic : error.diagnostics) spdlog::error("  {}", format_diagnostic(diagnostic));
  return code;
}

int serve(const Options& options) {
  std::filesystem::path config_path = options.config.empty() ? daemon::default_config_path() : std::filesystem::path(options.config);
  auto config = daemon::load_config(config_path);
  if (!config) return fail(config.error(), kExitUsage);
  if (!options.verbose) spdlog::set_level(spdlog::level::from_str(config->log_level));
  auto today_override = today_override_from_env();
  if (!today_override) return fail(today_override.error(), kExitUsage);
  uint16_t port = options.port ? static_cast<uint16_t>(*options.port) : config->port;

  raise_file_limit();
  std::filesystem::path root = find_plan(options.plan);
  // Before the lock, which makes .lorsync/: a folder that is not a plan is left as it was.
  if (Status plan = require_plan(root); !plan) return fail(plan.error(), kExitUsage);
  auto claim = DaemonLock::acquire(root);
  if (!claim) return fail(claim.error(), kExitFailure);
  auto token = new_token();
  if (!token) return fail(token.error(), kExitFailure);

  asio::io_context io(1);
  asio::thread_pool writer(1);
  asio::thread_pool network(1);
  std::shared_ptr<server::Server> server;
  auto service = api::PlanService::open(
      root, StoreOptions{}, [today = *today_override] { return today.value_or(calendar_today()); },
      [&server](const nlohmann::json& notification, const std::vector<uint64_t>& to) {
        if (server) server->publish(notification, to);
      });
  if (!service) return fail(service.error(), kExitUsage);
  api::Dispatcher dispatcher;
  service.value()->register_methods(dispatcher, token.value());
  api::PlanService& plan = *service.value();

  // The sync thread fetches and pushes; bringing what it fetched into the plan is a write, done on the writer.
  SyncScheduler sync(
      io, network.get_executor(), root,
      [&writer, &plan](const std::string& commit) {
        std::packaged_task<Result<Store::Integrated>()> task([&plan, commit] { return plan.integrate(commit); });
        auto done = task.get_future();
        asio::post(writer, std::move(task));
        return done.get();
      },
      [&plan] { return plan.snapshot()->model.conflicts; },
      [&server, &plan](const nlohmann::json& status) {
        if (server) server->publish(api::notification("sync.changed", status), plan.subscribers());
      },
      config->sync);
  api::register_sync_methods(dispatcher, sync);
  plan.set_change_listener([&sync](const std::string& source) {
    if (source == "sync") sync.plan_changed();
    else sync.committed();
  });

  auto listening = server::Server::listen(io, server_options(config.value(), port), dispatcher, writer.get_executor(),
                                          network.get_executor(), token.value(),
                                          [&plan](uint64_t connection) { plan.forget(connection); });
  if (!listening) return fail(listening.error(), kExitFailure);
  server = listening.value();

  DaemonInfo info{static_cast<int>(::getpid()), server->port(),
                  "http://127.0.0.1:" + std::to_string(server->port()) + "/", token.value()};
  spdlog::info("lorsyncd {} serving {} on {} (pid {})", LORSYNC_VERSION, root.string(), info.url, info.pid);
  if (Status written = write_daemon_info(root, info); !written) return fail(written.error(), kExitFailure);

  // Outside edits are absorbed on the writer; one that could not be committed (the plan locked by
  // `lorsync` for a while, a git failure) is tried again shortly, not left until the next save.
  asio::steady_timer retry(io);
  std::function<void()> absorb = [&] {
    asio::post(writer, [&] {
      bool again = true;
      try {
        again = plan.absorb_outside_changes();
      } catch (const std::exception& e) {
        spdlog::error("absorbing outside changes failed: {}", e.what());
      }
      if (!again) return;
      asio::post(io, [&] {
        retry.expires_after(std::chrono::seconds(2));
        retry.async_wait([&](const boost::system::error_code& error) {
          if (!error) absorb();
        });
      });
    });
  };
  auto watcher = watch::Watcher::start(io, root, config->debounce, absorb);
  if (!watcher) {
    remove_daemon_info(root);
    return fail(watcher.error(), kExitFailure);
  }
  absorb();  // edits made while no daemon was running
  sync.start();

  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  asio::steady_timer last_resort(io);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& error,
                                                                             int signal) {
    if (error) return;
    if (signal == SIGHUP) {
      auto reloaded = daemon::load_config(config_path);
      if (!reloaded) {
        spdlog::error("kept the old settings: {}", reloaded.error().message);
      } else {
        if (!options.verbose) spdlog::set_level(spdlog::level::from_str(reloaded->log_level));
        if (reloaded->port != config->port && !options.port)
          spdlog::warn("the port changes only when lorsyncd restarts");
        server->reconfigure(server_options(reloaded.value(), server->port()));
        watcher.value()->set_debounce(reloaded->debounce);
        sync.set_settings(reloaded->sync);
        config = std::move(reloaded);
        spdlog::info("reloaded {}", config_path.string());
      }
      signals.async_wait(on_signal);
      return;
    }
    spdlog::info("stopping (signal {})", signal);
    watcher.value()->stop();
    sync.stop();
    retry.cancel();
    signals.cancel();
    server->shut_down([&io] { io.stop(); });
    // Clients that never answer the close frame do not keep the daemon alive.
    last_resort.expires_after(std::chrono::seconds(5));
    last_resort.async_wait([&io](const boost::system::error_code& e) {
      if (!e) io.stop();
    });
  };
  signals.async_wait(on_signal);

  io.run();
  // A sync round in flight finishes (its integration needs the writer, so the writer is joined after it).
  network.join();
  writer.join();  // a write in flight finishes and is committed before the process ends
  remove_daemon_info(root);
  spdlog::info("stopped");
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
