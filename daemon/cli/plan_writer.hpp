// cli/plan_writer: where the CLI's changes go. With a daemon serving the plan
// they are sent to it (so that the dashboard and plugins hear of them at once);
// without one they go through the store directly. Same results either way.
#pragma once

#include "assignment/assignment.hpp"
#include "client/daemon_file.hpp"
#include "client/rpc_client.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lorsync::cli {

// What an assignment committed, and the requirements `force` let it break.
struct Assigned {
  CommitResult commit;
  std::vector<std::string> problems;
};

class PlanWriter {
 public:
  // Sends through the daemon serving `store`'s plan if one answers, else writes with `store` itself.
  static PlanWriter open(Store store);

  Result<CommitResult> create(EntityKind kind, const std::string& id, const std::vector<FieldEdit>& fields,
                              const std::string& body);
  Result<CommitResult> update(const DocumentRef& target, const std::vector<FieldEdit>& edits,
                              const std::optional<std::string>& if_revision);
  Result<CommitResult> remove(EntityKind kind, const std::string& id, const std::optional<std::string>& if_revision);
  Result<CommitResult> record(const std::string& letter_id, const LetterEvent& event);
  Result<CommitResult> resolve(const std::string& path, const std::string& field, ResolveKeep keep);
  // programs.assign through the daemon, which checks the set against its own view of the plan; without
  // one, the same check against `model` (the plan as this process read it), then the store.
  Result<Assigned> assign(const Model& model, const std::string& program_id, const std::vector<std::string>& letters,
                          bool force);
  // The daemon serving the plan, if the changes go through one (for requests beyond changes: sync.now).
  RpcClient* daemon() { return daemon_ ? &*daemon_ : nullptr; }
  Store* store() { return store_ ? &*store_ : nullptr; }

 private:
  explicit PlanWriter(Store store) : store_(std::move(store)) {}
  PlanWriter(RpcClient daemon, std::filesystem::path root) : daemon_(std::move(daemon)), root_(std::move(root)) {}
  // Sends one change with a request_id of its own; if the reply is lost, sends it again (the daemon makes it
  // once), and when no daemon answers any more, the plan's history tells whether it was made.
  Result<CommitResult> call(const std::string& method, nlohmann::json params);
  // The same, answering the whole result, of which a CommitResult is a part.
  Result<nlohmann::json> call_for_result(const std::string& method, nlohmann::json params);
  // A fresh connection to the daemon serving the plan now (it may have restarted on another port).
  bool reconnect();

  std::optional<Store> store_;
  std::optional<RpcClient> daemon_;
  std::filesystem::path root_;
};

}  // namespace lorsync::cli
