#include "api/sync_methods.hpp"

namespace lorsync::api {
using nlohmann::json;

void register_sync_methods(Dispatcher& dispatcher, SyncScheduler& sync) {
  dispatcher.add("sync.status", [&sync](const json&, Caller&) -> MethodResult { return sync.status(); });
  dispatcher.add(
      "sync.now",
      [&sync](const json&, Caller&) -> MethodResult {
        auto report = sync.round_now();
        if (!report) return RpcError{kSyncFailed, report.error().message, sync.status()};
        return report_json(*report);
      },
      MethodTraits{.networked = true});
}

}  // namespace lorsync::api
