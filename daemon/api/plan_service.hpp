// api/plan_service: the API's methods over one plan. Reads are answered from
// an immutable snapshot (the checked plan, its model, and what was derived
// from it) that is swapped whole after each change; writes go through the
// store, one at a time, and each successful one yields the notifications that
// subscribers are owed. It knows nothing of sockets: the server calls it.
#pragma once

#include "api/method_params.hpp"
#include "api/rpc.hpp"
#include "common/date.hpp"
#include "model/entities.hpp"
#include "store/store.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace lorsync::api {

// Replies computed from one snapshot (plan.status, audit.run, deadlines.list), serialized once and
// kept until the snapshot is replaced or the day changes: most calls are these, and repeat.
struct ReplyCache {
  std::mutex mutex;
  std::map<std::string, std::pair<Date, std::shared_ptr<const std::string>>> by_key;
};

struct Snapshot {
  CheckedPlan checked;  // the last valid state of the plan
  Model model;
  std::optional<std::string> head;  // HEAD's commit
  std::shared_ptr<ReplyCache> replies = std::make_shared<ReplyCache>();
};

class PlanService {
 public:
  // `publish` receives each notification (already a JSON-RPC notification) and the
  // connections subscribed to it; the server delivers them.
  using Publish = std::function<void(const nlohmann::json& notification, const std::vector<uint64_t>& to)>;

  static Result<std::unique_ptr<PlanService>> open(const std::filesystem::path& root, StoreOptions options,
                                                   std::function<Date()> today, Publish publish);

  // Registers every method (and `auth`, checked against `token`) on `dispatcher`.
  void register_methods(Dispatcher& dispatcher, std::string token);

  std::shared_ptr<const Snapshot> snapshot() const;
  std::vector<uint64_t> subscribers();  // the connections that subscribed

  // After the work tree or the repository changed outside the API (the server's watcher calls it, debounced):
  // commits valid edits made in an editor, picks up commits made with git, and tells subscribers; an invalid
  // edit is not committed and is announced as plan.invalid while the last valid plan keeps being served.
  // Returns true when it should be tried again later (the plan was locked, git failed).
  bool absorb_outside_changes();
  void forget(uint64_t connection);  // a connection closed: drop its subscriptions

  // Brings a commit fetched from another device into the plan (sync's integration step; the daemon runs it
  // on the writer), then serves and announces the result (source sync). A merged plan with problems is
  // committed all the same and announced as plan.invalid.
  Result<Store::Integrated> integrate(const std::string& commit);
  // Told after every change announced, with its source (api, file, git, sync): sync follows commits.
  void set_change_listener(std::function<void(const std::string& source)> listener) { change_listener_ = std::move(listener); }

 private:
  PlanService(Store store, std::function<Date()> today, Publish publish);

  // The reply `make` builds for today from `snap`, from its cache when it was built already.
  SerializedResult cached(const Snapshot& snap, const std::string& key, const std::function<nlohmann::json(Date)>& make);
  MethodResult status();
  MethodResult get(const TargetParams& params);
  MethodResult audit();
  MethodResult deadlines(const DeadlinesParams& params);
  MethodResult draft(const DraftParams& params);
  MethodResult programs();
  MethodResult assign(const AssignParams& params);
  MethodResult create(const CreateParams& params);
  MethodResult update(const UpdateParams& params);
  MethodResult remove(const DeleteParams& params);
  MethodResult record(const RecordParams& params);
  MethodResult log(const LogParams& params);
  MethodResult resolve(const ResolveParams& params);
  MethodResult subscribe(Caller& caller);
  MethodResult unsubscribe(Caller& caller);

  // After a commit: reload, swap the snapshot, notify subscribers.
  // `path`: the file a conditional change was about, to report its current revision on a conflict.
  MethodResult committed(const Result<CommitResult>& result, const std::string& source, const std::string& path = "");
  // Swaps in a new snapshot: of `checked` when the write just checked it, else of the plan on disk.
  void refresh(std::optional<CheckedPlan> checked = std::nullopt);
  // Tells subscribers that the plan changed (plan.changed, audit.changed, deadlines.changed).
  void announce(const std::string& commit, const std::vector<std::string>& paths, const std::string& source);
  void announce_invalid(const std::vector<Diagnostic>& diagnostics);

  Store store_;
  std::function<Date()> today_;
  Publish publish_;
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::mutex write_mutex_;  // one write at a time
  std::mutex subscribers_mutex_;
  std::set<uint64_t> subscribers_;
  // The plan.invalid last announced while the plan on disk is still invalid (empty: it is valid), so that one
  // bad edit is announced once, and a connection that subscribes later hears it too.
  std::mutex invalid_mutex_;
  std::optional<nlohmann::json> last_invalid_;
  std::function<void(const std::string& source)> change_listener_;
};

}  // namespace lorsync::api
