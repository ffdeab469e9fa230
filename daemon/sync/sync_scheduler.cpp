#include "sync/sync_scheduler.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <ctime>

namespace lorsync {
namespace asio = boost::asio;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

std::string iso_utc(std::chrono::system_clock::time_point when) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

json optional_time(const std::optional<std::chrono::system_clock::time_point>& when) {
  return when ? json(iso_utc(*when)) : json();
}

}  // namespace

SyncScheduler::SyncScheduler(asio::io_context& io, asio::any_io_executor network, std::filesystem::path root,
                             IntegrateStep integrate, Conflicts conflicts, Announce announce, SyncSettings settings)
    : io_(io),
      network_(std::move(network)),
      root_(std::move(root)),
      integrate_(std::move(integrate)),
      conflicts_(std::move(conflicts)),
      announce_(std::move(announce)),
      timer_(io),
      settings_(settings) {}

void SyncScheduler::start() { schedule(milliseconds(0)); }

void SyncScheduler::stop() {
  stopped_ = true;
  asio::post(io_, [this] { timer_.cancel(); });
}

void SyncScheduler::set_settings(SyncSettings settings) {
  std::lock_guard lock(mutex_);
  settings_ = settings;
}

void SyncScheduler::committed() {
  bool backing_off = false;
  milliseconds delay;
  {
    std::lock_guard lock(mutex_);
    backing_off = status_.failures > 0;  // while the remote is failing its backoff decides: commits do not hammer it
    delay = settings_.after_commit;
  }
  if (!backing_off) schedule(delay);
  publish_if_changed();
}

void SyncScheduler::plan_changed() { publish_if_changed(); }

void SyncScheduler::schedule(milliseconds delay) {
  if (stopped_) return;
  asio::post(io_, [this, delay] {
    if (stopped_) return;
    auto due = std::chrono::steady_clock::now() + delay;
    // One timer: it only ever moves earlier here, so a pending round is never put off by another request.
    if (timer_.expiry() > std::chrono::steady_clock::now() && timer_.expiry() <= due) return;
    timer_.expires_at(due);
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) queue_round();
    });
  });
}

void SyncScheduler::queue_round() {
  if (stopped_ || queued_.exchange(true)) return;
  asio::post(network_, [this] {
    queued_ = false;
    if (!stopped_) (void)round();
  });
}

Result<SyncReport> SyncScheduler::round() {
  {
    std::lock_guard lock(mutex_);
    status_.state = "syncing";
  }
  publish_if_changed();

  Result<SyncReport> result = make_error(ErrorCode::not_found, "");
  std::optional<std::string> url;
  auto remote = Remote::open(root_);
  if (remote) {
    remote->cancel_when(&stopped_);
    auto origin = remote->origin_url();
    if (origin) url = *origin;
    try {
      result = run_sync_cycle(*remote, integrate_);
    } catch (const std::exception& e) {
      // The sync thread must not die with the daemon's other threads still serving.
      result = make_error(ErrorCode::io, std::string("sync failed unexpectedly: ") + e.what());
    }
  } else {
    result = remote.take_error();
  }

  milliseconds next{-1};
  {
    std::lock_guard lock(mutex_);
    status_.remote = url;
    auto now = std::chrono::system_clock::now();
    if (result) {
      status_.state = "ok";
      status_.last_success = now;
      status_.last_error.reset();
      status_.last_failure = RemoteFailure::none;
      status_.failures = 0;
      if (settings_.interval.count() > 0) next = settings_.interval;
    } else if (!url) {
      status_.state = "no-remote";
      status_.failures = 0;
      status_.last_error.reset();
      status_.last_failure = RemoteFailure::none;
      if (settings_.interval.count() > 0) next = settings_.interval;
    } else {
      status_.state = result.error().remote_failure == RemoteFailure::unreachable ? "offline" : "error";
      status_.last_error = result.error().message;
      status_.last_failure = result.error().remote_failure;
      ++status_.failures;
      auto backoff = settings_.retry_min * (1LL << std::min(status_.failures - 1, 20));
      next = std::chrono::duration_cast<milliseconds>(std::min<std::chrono::seconds>(backoff, settings_.retry_max));
      spdlog::warn("sync failed ({} in a row; next try in {} s): {}", status_.failures, next.count() / 1000,
                   result.error().message);
    }
    status_.next_attempt = next.count() >= 0 ? std::optional(now + next) : std::nullopt;
    // Counted from the branches, not the report: commits made here meanwhile, or waiting while offline.
    if (remote) {
      if (auto counts = remote->ahead_behind()) std::tie(status_.ahead, status_.behind) = *counts;
    }
  }
  if (next.count() >= 0) schedule(next);
  publish_if_changed();
  return result;
}

json SyncScheduler::status_json(const Status& s, const std::vector<SyncConflict>& conflicts) const {
  json list = json::array();
  for (const auto& c : conflicts) list.push_back(c);
  return {{"state", s.state},
          {"remote", s.remote ? json(*s.remote) : json()},
          {"ahead", s.ahead},
          {"behind", s.behind},
          {"last_success", optional_time(s.last_success)},
          {"last_error", s.last_error ? json(*s.last_error) : json()},
          {"failure", s.last_failure == RemoteFailure::none ? json() : json(remote_failure_name(s.last_failure))},
          {"failures", s.failures},
          {"next_attempt", optional_time(s.next_attempt)},
          {"conflicts", list}};
}

json SyncScheduler::status() {
  auto conflicts = conflicts_();
  std::lock_guard lock(mutex_);
  return status_json(status_, conflicts);
}

void SyncScheduler::publish_if_changed() {
  auto conflicts = conflicts_();
  json now;
  std::string text;
  {
    std::lock_guard lock(mutex_);
    now = status_json(status_, conflicts);
    // next_attempt moves with every round; a change of it alone is not news.
    json compared = now;
    compared.erase("next_attempt");
    text = compared.dump();
    if (text == last_announced_) return;
    last_announced_ = text;
  }
  announce_(now);
}

Result<SyncReport> SyncScheduler::round_now() { return round(); }

}  // namespace lorsync
