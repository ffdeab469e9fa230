#include "lorsyncd/daemon.hpp"

#include "api/sync_methods.hpp"
#include "common/date.hpp"
#include "store/plan_location.hpp"
#include "store/store.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <future>

namespace lorsync::daemon {

namespace asio = boost::asio;

namespace {

server::ServerOptions server_options(const DaemonConfig& config, uint16_t port) {
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

StartFailure usage_failure(Error error) { return StartFailure{std::move(error), kExitUsage}; }
StartFailure failure(Error error) { return StartFailure{std::move(error), kExitFailure}; }

}  // namespace

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {}

Daemon::~Daemon() = default;

std::optional<StartFailure> Daemon::start() {
  auto config = load_config(options_.config);
  if (!config) return usage_failure(config.take_error());
  config_ = std::move(config.value());
  if (!options_.verbose) spdlog::set_level(spdlog::level::from_str(config_->log_level));
  raise_file_limit();
  if (auto failed = open_plan()) return failed;
  if (auto failed = open_service()) return failed;
  open_sync();
  if (auto failed = open_server()) return failed;
  if (auto failed = publish()) return failed;
  if (auto failed = watch()) return failed;
  absorb();  // edits made while no daemon was running
  sync_->start();
  signals_.emplace(io_, SIGINT, SIGTERM, SIGHUP);
  wait_for_signal();
  return std::nullopt;
}

std::optional<StartFailure> Daemon::open_plan() {
  root_ = find_plan(options_.plan);
  // Before the lock, which makes .lorsync/: a folder that is not a plan is left as it was.
  if (Status plan = require_plan(root_); !plan) return usage_failure(plan.take_error());
  auto claim = DaemonLock::acquire(root_);
  if (!claim) return failure(claim.take_error());
  claim_.emplace(std::move(claim.value()));
  auto token = new_token();
  if (!token) return failure(token.take_error());
  token_ = std::move(token.value());
  return std::nullopt;
}

std::optional<StartFailure> Daemon::open_service() {
  auto today_override = today_override_from_env();
  if (!today_override) return usage_failure(today_override.take_error());
  auto service = api::PlanService::open(
      root_, StoreOptions{}, [today = *today_override] { return today.value_or(calendar_today()); },
      [this](const nlohmann::json& notification, const std::vector<uint64_t>& to) {
        if (server_) server_->publish(notification, to);
      });
  if (!service) return usage_failure(service.take_error());
  plan_ = std::move(service.value());
  plan_->register_methods(dispatcher_, token_);
  return std::nullopt;
}

void Daemon::open_sync() {
  // The sync thread fetches and pushes; bringing what it fetched into the plan is a write, done on the writer.
  sync_.emplace(
      io_, network_.get_executor(), root_,
      [this](const std::string& commit) {
        std::packaged_task<Result<Store::Integrated>()> task([this, commit] { return plan_->integrate(commit); });
        auto done = task.get_future();
        asio::post(writer_, std::move(task));
        return done.get();
      },
      [this] { return plan_->snapshot()->model.conflicts; },
      [this](const nlohmann::json& status) {
        if (server_) server_->publish(api::notification("sync.changed", status), plan_->subscribers());
      },
      config_->sync);
  api::register_sync_methods(dispatcher_, *sync_);
  plan_->set_change_listener([this](const std::string& source) {
    if (source == "sync") sync_->plan_changed();
    else sync_->committed();
  });
}

std::optional<StartFailure> Daemon::open_server() {
  const uint16_t port = options_.port ? *options_.port : config_->port;
  auto listening = server::Server::listen(io_, server_options(*config_, port), dispatcher_, writer_.get_executor(),
                                          network_.get_executor(), token_,
                                          [this](uint64_t connection) { plan_->forget(connection); });
  if (!listening) return failure(listening.take_error());
  server_ = listening.value();
  return std::nullopt;
}

std::optional<StartFailure> Daemon::publish() {
  DaemonInfo info{static_cast<int>(::getpid()), server_->port(),
                  "http://127.0.0.1:" + std::to_string(server_->port()) + "/", token_};
  spdlog::info("lorsyncd {} serving {} on {} (pid {})", options_.version, root_.string(), info.url, info.pid);
  if (Status written = write_daemon_info(root_, info); !written) return failure(written.take_error());
  return std::nullopt;
}

std::optional<StartFailure> Daemon::watch() {
  auto watcher = watch::Watcher::start(io_, root_, config_->debounce, [this] { absorb(); });
  if (!watcher) {
    remove_daemon_info(root_);
    return failure(watcher.take_error());
  }
  watcher_ = watcher.value();
  return std::nullopt;
}

void Daemon::absorb() {
  // One that could not be committed (the plan locked by `lorsync` for a while, a git failure) is tried again
  // shortly, not left until the next save.
  asio::post(writer_, [this] {
    bool again = true;
    try {
      again = plan_->absorb_outside_changes();
    } catch (const std::exception& e) {
      spdlog::error("absorbing outside changes failed: {}", e.what());
    }
    if (!again) return;
    asio::post(io_, [this] {
      retry_.expires_after(std::chrono::seconds(2));
      retry_.async_wait([this](const boost::system::error_code& error) {
        if (!error) absorb();
      });
    });
  });
}

void Daemon::wait_for_signal() {
  signals_->async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    if (signal != SIGHUP) return stop(signal);
    reload();
    wait_for_signal();
  });
}

void Daemon::reload() {
  auto reloaded = load_config(options_.config);
  if (!reloaded) {
    spdlog::error("kept the old settings: {}", reloaded.error().message);
    return;
  }
  if (!options_.verbose) spdlog::set_level(spdlog::level::from_str(reloaded->log_level));
  if (reloaded->port != config_->port && !options_.port) spdlog::warn("the port changes only when lorsyncd restarts");
  server_->reconfigure(server_options(reloaded.value(), server_->port()));
  watcher_->set_debounce(reloaded->debounce);
  sync_->set_settings(reloaded->sync);
  config_ = std::move(reloaded.value());
  spdlog::info("reloaded {}", options_.config.string());
}

void Daemon::stop(int signal) {
  spdlog::info("stopping (signal {})", signal);
  watcher_->stop();
  sync_->stop();
  retry_.cancel();
  signals_->cancel();
  server_->shut_down([this] { io_.stop(); });
  // Clients that never answer the close frame do not keep the daemon alive.
  last_resort_.expires_after(std::chrono::seconds(5));
  last_resort_.async_wait([this](const boost::system::error_code& e) {
    if (!e) io_.stop();
  });
}

void Daemon::run() {
  io_.run();
  // A sync round in flight finishes (its integration needs the writer, so the writer is joined after it).
  network_.join();
  writer_.join();  // a write in flight finishes and is committed before the process ends
  remove_daemon_info(root_);
  spdlog::info("stopped");
}

}  // namespace lorsync::daemon
