// sync/sync_cycle: one round of sync — fetch origin, bring its commits into
// the plan (through the store, the one place that writes), push. A push the
// remote refuses because it moved on meanwhile fetches and merges again, a
// bounded number of times; nothing is ever forced. Used by `lorsync sync` and,
// with the integration step run on its writer thread, by the daemon.
#pragma once

#include "common/diagnostic.hpp"
#include "store/store.hpp"
#include "sync/remote.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace lorsync {

struct SyncReport {
  std::string remote_url;
  std::vector<Store::Integrated> integrations;  // what came in (more than one when a push raced another device)
  bool pushed = false;
  size_t ahead = 0, behind = 0;  // after the cycle, against origin as last fetched
};

// Brings a fetched commit into the plan; the daemon runs it on its writer thread.
using IntegrateStep = std::function<Result<Store::Integrated>(const std::string& commit)>;

inline constexpr int kMaxPushAttempts = 4;

Result<SyncReport> run_sync_cycle(Remote& remote, const IntegrateStep& integrate);

// Sets up a plan on this device from `url` (the other device's plan, pushed there): a new repository at
// `root` (missing or empty) whose origin is `url`, its branch checked out, the merge driver registered.
// Returns the commit checked out. On failure nothing is left behind.
Result<std::string> clone_plan(const std::string& url, const std::filesystem::path& root, const std::string& merge_driver);

// {remote, pushed, ahead, behind, received: [{kind, commit, paths, conflicts, problems}]}: what `sync.now`
// answers and `lorsync sync --json` prints.
nlohmann::json report_json(const SyncReport& report);

}  // namespace lorsync
