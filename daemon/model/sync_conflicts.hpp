// model/sync_conflicts: the plan's record of sync conflicts, `sync-conflicts.yaml`
// at the plan root. It is committed like any plan file, so every device shows
// the same open conflicts and a `lorsync resolve` on one device settles them on
// all. The file is written in one canonical form (sorted, no duplicates) so that
// two devices recording the same conflict write the same bytes.
#pragma once

#include "common/diagnostic.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lorsync {

inline constexpr const char* kSyncConflictsPath = "sync-conflicts.yaml";

// A value two devices changed differently: which one the merge kept, which one it set aside.
struct SyncConflict {
  std::string path, field, kept_value, lost_value, kept_device, lost_device;
  auto operator<=>(const SyncConflict&) const = default;
};

struct ParsedSyncConflicts {
  std::vector<SyncConflict> conflicts;
  std::vector<Diagnostic> diagnostics;  // located in sync-conflicts.yaml
};

ParsedSyncConflicts parse_sync_conflicts(const std::string& text);

// The file's canonical text for `conflicts` (sorted, duplicates dropped); empty when there are none,
// which means the file should not exist.
std::string emit_sync_conflicts(std::vector<SyncConflict> conflicts);

// One line for people: "letters/x.md: waived kept "true" (laptop), not "false" (phone)", or for a file that
// is not a plan file, which version kept the name and where the other went.
std::string describe(const SyncConflict& conflict);

// The wire form, for sync.status, sync.now, `lorsync status --json` and `lorsync sync --json` alike:
// path, field, kept, lost, kept_device, lost_device.
void to_json(nlohmann::json& out, const SyncConflict& conflict);
void from_json(const nlohmann::json& in, SyncConflict& conflict);

// Sorted, duplicates dropped: the canonical order.
void normalize(std::vector<SyncConflict>& conflicts);

}  // namespace lorsync
