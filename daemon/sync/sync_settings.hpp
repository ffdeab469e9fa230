// sync/sync_settings: when the daemon syncs (config keys sync_*).
#pragma once

#include <chrono>

namespace lorsync {

struct SyncSettings {
  std::chrono::milliseconds after_commit{2000};  // a commit is synced this long after it (more commits wait along)
  std::chrono::seconds interval{300};            // and the remote is checked this often; 0: only after commits
  std::chrono::seconds retry_min{5};             // after a failure, the next try comes this soon,
  std::chrono::seconds retry_max{600};           // doubling with each failure up to this
};

}  // namespace lorsync
