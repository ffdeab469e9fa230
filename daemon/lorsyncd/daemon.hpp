// lorsyncd/daemon: one daemon serving one plan, in its three phases. start
// finds the plan, takes its one-daemon lock, opens the API over it, the
// sync scheduler, the server on 127.0.0.1 and the file watcher, and
// publishes where it listens (daemon.json); reload (SIGHUP) rereads the
// config; stop (SIGTERM/SIGINT) shuts down in order, and run returns once
// the writes in flight are committed and daemon.json is removed. One I/O
// thread serves every connection; one writer thread makes every change, so
// commits never stall reads; one sync thread talks to the git remote, so a
// slow network never stalls either.
#pragma once

#include "api/plan_service.hpp"
#include "client/daemon_file.hpp"
#include "lorsyncd/config.hpp"
#include "server/server.hpp"
#include "sync/sync_scheduler.hpp"
#include "watch/watcher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace lorsync::daemon {

struct DaemonOptions {
  std::string plan;                  // the plan folder; empty: the plan around the current folder, else the default
  std::optional<uint16_t> port;      // nullopt: the config's
  std::filesystem::path config;      // the config file
  bool verbose = false;              // the log level stays debug, whatever the config says
  std::string version;               // for the log
};

// Why the daemon did not start, and the exit code that says so.
struct StartFailure {
  Error error;
  int exit_code;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;  // the call can be corrected: a config or plan folder that will not do

class Daemon {
 public:
  explicit Daemon(DaemonOptions options);
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon();

  // Everything up to serving; nullopt once the daemon serves and daemon.json is written.
  std::optional<StartFailure> start();
  // Serves until stop has run its course; then the threads finish their work and daemon.json goes.
  void run();
  // SIGHUP: the config reread; new origins, limits, timeouts, debounce and sync settings apply (not the port).
  void reload();
  // SIGTERM/SIGINT: no new work (watcher, sync, server stop taking it), the clients closed, then run returns.
  void stop(int signal);

 private:
  std::optional<StartFailure> open_plan();
  std::optional<StartFailure> open_service();
  void open_sync();
  std::optional<StartFailure> open_server();
  std::optional<StartFailure> publish();
  std::optional<StartFailure> watch();
  // Absorbs outside edits on the writer; tried again shortly when they could not be committed.
  void absorb();
  void wait_for_signal();

  DaemonOptions options_;
  std::optional<DaemonConfig> config_;
  std::filesystem::path root_;
  std::optional<DaemonLock> claim_;
  std::string token_;
  // Declared in the order they are started: members are destroyed the other way round.
  boost::asio::io_context io_{1};
  boost::asio::thread_pool writer_{1};
  boost::asio::thread_pool network_{1};
  std::shared_ptr<server::Server> server_;
  std::unique_ptr<api::PlanService> plan_;
  api::Dispatcher dispatcher_;
  std::optional<SyncScheduler> sync_;
  boost::asio::steady_timer retry_{io_};
  std::shared_ptr<watch::Watcher> watcher_;
  std::optional<boost::asio::signal_set> signals_;  // from the end of start: until then a signal acts as it would
  boost::asio::steady_timer last_resort_{io_};
};

}  // namespace lorsync::daemon
