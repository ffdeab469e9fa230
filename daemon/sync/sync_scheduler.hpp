// sync/sync_scheduler: when and how the daemon syncs. A round runs on the sync
// thread (git network I/O never blocks the API or the writer): soon after each
// commit (debounced), on a timer, and on `sync.now`. Failures back off (doubling,
// capped) while local work goes on and commits wait. It keeps the sync status
// (api/sync_methods serves it as `sync.status`) and announces each change (`sync.changed`).
#pragma once

#include "model/sync_conflicts.hpp"
#include "sync/sync_cycle.hpp"
#include "sync/sync_settings.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lorsync {

class SyncScheduler {
 public:
  using Conflicts = std::function<std::vector<SyncConflict>()>;  // the plan's open conflicts, now
  using Announce = std::function<void(const nlohmann::json& status)>;

  SyncScheduler(boost::asio::io_context& io, boost::asio::any_io_executor network, std::filesystem::path root,
                IntegrateStep integrate, Conflicts conflicts, Announce announce, SyncSettings settings);

  void start();  // a first round now, then as the settings say
  void stop();   // no more rounds start (one in flight finishes)
  void set_settings(SyncSettings settings);
  // A commit was made here: sync it soon. Also re-announces the status if the plan's conflicts changed.
  void committed();
  // The plan changed without a commit of ours to send (a merge, a resolve elsewhere): re-announce if needed.
  void plan_changed();

  // One round now, on the calling thread (the API's networked pool): `sync.now`.
  Result<SyncReport> round_now();
  nlohmann::json status();

 private:
  struct Status {
    std::string state = "starting";  // starting, no-remote, syncing, ok, offline, error
    std::optional<std::string> remote;
    size_t ahead = 0, behind = 0;
    std::optional<std::chrono::system_clock::time_point> last_success, next_attempt;
    std::optional<std::string> last_error;
    RemoteFailure last_failure = RemoteFailure::none;  // what kind of fault last_error was
    int failures = 0;  // in a row
  };

  void schedule(std::chrono::milliseconds delay);  // I/O thread: the next round runs no later than this
  void queue_round();                               // from the timer: one round on the sync thread
  Result<SyncReport> round();                       // sync thread, or round_now's
  void publish_if_changed();
  nlohmann::json status_json(const Status& status, const std::vector<SyncConflict>& conflicts) const;

  boost::asio::io_context& io_;
  boost::asio::any_io_executor network_;
  std::filesystem::path root_;
  IntegrateStep integrate_;
  Conflicts conflicts_;
  Announce announce_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> queued_{false};
  std::atomic<bool> stopped_{false};

  std::mutex mutex_;  // guards what follows
  SyncSettings settings_;
  Status status_;
  std::string last_announced_;
};

}  // namespace lorsync
