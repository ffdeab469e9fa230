#include "sync/sync_cycle.hpp"

#include <spdlog/spdlog.h>

namespace lorsync {

Result<SyncReport> run_sync_cycle(Remote& remote, const IntegrateStep& integrate) {
  SyncReport report;
  auto url = remote.origin_url();
  if (!url) return url.take_error();
  if (!*url) return no_remote_error();
  report.remote_url = **url;
  auto lock = remote.lock_for_sync(std::chrono::seconds(60));
  if (!lock) return lock.take_error();

  for (int attempt = 1;; ++attempt) {
    auto fetched = remote.fetch();
    if (!fetched) return fetched.take_error();
    if (*fetched) {
      auto integrated = integrate(**fetched);
      if (!integrated) return integrated.take_error();
      if (integrated->integration.kind != Integration::Kind::up_to_date) report.integrations.push_back(std::move(*integrated));
    }
    auto pushed = remote.push();
    if (!pushed) return pushed.take_error();
    if (*pushed == PushOutcome::pushed) report.pushed = true;
    if (*pushed != PushOutcome::rejected_not_fast_forward) break;
    if (attempt == kMaxPushAttempts) {
      Error error = make_error(ErrorCode::remote, "origin kept moving while we pushed (" + std::to_string(attempt) +
                                                      " tries); your commits are safe here and the next sync pushes them");
      error.remote_failure = RemoteFailure::kept_moving;
      return error;
    }
    spdlog::info("sync: origin moved on while we pushed; fetching and merging again");
  }
  auto counts = remote.ahead_behind();
  if (!counts) return counts.take_error();
  report.ahead = counts->first;
  report.behind = counts->second;
  return report;
}

Result<std::string> clone_plan(const std::string& url, const std::filesystem::path& root, const std::string& merge_driver) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_empty(root, ec))
    return make_error(ErrorCode::exists, root.string() + " is not empty; clone into a new or empty folder");
  const bool existed = fs::exists(root, ec);
  auto undo = [&](Error error) {
    std::error_code ignored;
    if (existed) {
      for (const auto& entry : fs::directory_iterator(root, ignored)) fs::remove_all(entry.path(), ignored);
    } else {
      fs::remove_all(root, ignored);
    }
    return error;
  };
  auto repository = Repository::create(root);
  if (!repository) return undo(repository.take_error());
  auto remote = Remote::open(root);
  if (!remote) return undo(remote.take_error());
  if (Status set = remote->set_origin(url); !set) return undo(set.take_error());
  auto tip = remote->fetch();
  if (!tip) return undo(tip.take_error());
  if (!*tip)
    return undo(make_error(ErrorCode::not_found, url + " holds no plan yet; on the device that has your plan run\n"
                                                 "  lorsync remote " + url + "\n  lorsync sync"));
  if (Status started = repository->start_from(**tip); !started) return undo(started.take_error());
  if (!merge_driver.empty()) {
    if (Status configured = repository->configure_merge_driver(merge_driver); !configured) return undo(configured.take_error());
  }
  return **tip;
}

nlohmann::json report_json(const SyncReport& report) {
  nlohmann::json received = nlohmann::json::array();
  for (const auto& item : report.integrations) {
    nlohmann::json conflicts = nlohmann::json::array();
    for (const auto& c : item.integration.conflicts) conflicts.push_back(c);
    received.push_back({{"kind", item.integration.kind == Integration::Kind::merged ? "merge" : "fast-forward"},
                        {"commit", item.integration.new_head},
                        {"paths", item.integration.changed_paths},
                        {"conflicts", conflicts},
                        {"problems", nlohmann::json(item.problems)}});
  }
  return {{"remote", report.remote_url},
          {"pushed", report.pushed},
          {"ahead", report.ahead},
          {"behind", report.behind},
          {"received", received}};
}

}  // namespace lorsync
