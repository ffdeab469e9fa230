#include "api/sync_methods.hpp"

#include "api/errors.hpp"

namespace lorsync::api {
using nlohmann::json;

namespace {

// A failed round through the one error table (data.error its kind, data.failure the remote's fault), with
// the sync state the round left behind in data.sync, as sync.status would answer it.
RpcError sync_failure(const Error& error, json status) {
  RpcError rpc = to_rpc_error(error);
  rpc.data["sync"] = std::move(status);
  return rpc;
}

}  // namespace

void register_sync_methods(Dispatcher& dispatcher, SyncScheduler& sync) {
  dispatcher.add("sync.status", [&sync](const json&, Caller&) -> MethodResult { return sync.status(); });
  dispatcher.add(
      "sync.now",
      [&sync](const json&, Caller&) -> MethodResult {
        auto report = sync.round_now();
        if (!report) return sync_failure(report.error(), sync.status());
        return report_json(*report);
      },
      MethodTraits{.networked = true});
}

}  // namespace lorsync::api
