#include "cli/plan_writer.hpp"

#include "api/errors.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

namespace lorsync::cli {

using nlohmann::json;

namespace {

std::string dotted(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& segment : path) out += (out.empty() ? "" : ".") + segment;
  return out;
}

Result<RpcClient> connect_to(const DaemonInfo& daemon) {
  ConnectOptions options;
  options.port = daemon.port;
  options.bearer = daemon.token;
  return RpcClient::connect(options);
}

}  // namespace

PlanWriter PlanWriter::open(Store store) {
  if (auto daemon = running_daemon(store.root())) {
    auto client = connect_to(*daemon);
    if (client) {
      spdlog::debug("sending the change through lorsyncd (pid {})", daemon->pid);
      return PlanWriter(std::move(client.value()), store.root());
    }
    // The plan's own lock keeps a direct write safe; the daemon picks the commit up as a git change.
    spdlog::warn("lorsyncd (pid {}) serves this plan but does not answer ({}); writing directly", daemon->pid,
                 client.error().message);
  }
  return PlanWriter(std::move(store));
}

bool PlanWriter::reconnect() {
  auto daemon = running_daemon(root_);
  if (!daemon) return false;
  auto client = connect_to(*daemon);
  if (!client) return false;
  daemon_ = std::move(client.value());
  return true;
}

Result<CommitResult> PlanWriter::call(const std::string& method, json params) {
  auto result = call_for_result(method, std::move(params));
  if (!result) return result.take_error();
  return result->get<CommitResult>();
}

Result<json> PlanWriter::call_for_result(const std::string& method, json params) {
  auto token = new_token();
  if (!token) return token.take_error();
  const std::string request_id = token->substr(0, 32);
  params["request_id"] = request_id;
  constexpr int kAttempts = 3;
  std::string lost;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    auto response = daemon_->call(method, params, std::chrono::seconds(30));
    if (response) {
      if (response->contains("error")) return api::from_rpc_error((*response)["error"]);
      return (*response)["result"];
    }
    lost = response.error().message;
    spdlog::debug("no reply to {} ({}); asking again with the same request id", method, lost);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 * attempt));
    if (!reconnect()) break;
  }
  // No daemon answers: whether the change was made is in the plan's history.
  if (auto store = Store::open(root_)) {
    if (auto earlier = store->find_request(request_id); earlier && earlier.value()) return json(*earlier.value());
  }
  return make_error(ErrorCode::io, "lorsyncd did not confirm the change (" + lost +
                                       ") and it is not in the plan's history (yet): check `lorsync log` before "
                                       "trying again");
}

Result<CommitResult> PlanWriter::create(EntityKind kind, const std::string& id, const std::vector<FieldEdit>& fields,
                                        const std::string& body) {
  if (store_) return store_->create(kind, id, fields, body);
  json values = json::object();
  for (const auto& field : fields) values[dotted(field.path)] = field.value;
  return call("entity.create", {{"kind", kind_name(kind)}, {"id", id}, {"fields", values}, {"body", body}});
}

Result<CommitResult> PlanWriter::update(const DocumentRef& target, const std::vector<FieldEdit>& edits,
                                        const std::optional<std::string>& if_revision) {
  if (store_) return store_->update(target, edits, if_revision);
  json set = json::object(), unset = json::array();
  for (const auto& edit : edits) {
    if (edit.op == FieldEdit::Op::remove) unset.push_back(dotted(edit.path));
    else set[dotted(edit.path)] = edit.value;
  }
  auto kind = entity_kind(target.kind);
  json params = {{"kind", kind ? kind_name(*kind) : "plan"}, {"set", set}, {"unset", unset}};
  if (kind) params["id"] = target.id;
  if (if_revision) params["if_revision"] = *if_revision;
  return call("entity.update", std::move(params));
}

Result<CommitResult> PlanWriter::remove(EntityKind kind, const std::string& id, const std::optional<std::string>& if_revision) {
  if (store_) return store_->remove(kind, id, if_revision);
  json params = {{"kind", kind_name(kind)}, {"id", id}};
  if (if_revision) params["if_revision"] = *if_revision;
  return call("entity.delete", std::move(params));
}

Result<CommitResult> PlanWriter::resolve(const std::string& path, const std::string& field, ResolveKeep keep) {
  if (store_) return store_->resolve(path, field, keep);
  return call("sync.resolve", {{"path", path}, {"field", field}, {"keep", keep == ResolveKeep::other ? "other" : "current"}});
}

Result<CommitResult> PlanWriter::record(const std::string& letter_id, const LetterEvent& event) {
  if (store_) return store_->record(letter_id, event);
  json params = {{"letter", letter_id}, {"event", event.event}, {"date", format_date(event.date)}};
  if (!event.via.empty()) params["via"] = event.via;
  if (!event.note.empty()) params["note"] = event.note;
  if (event.packet) params["packet"] = *event.packet;
  return call("letter.record", std::move(params));
}

Result<Assigned> PlanWriter::assign(const Model& model, const std::string& program_id,
                                    const std::vector<std::string>& letters, bool force) {
  if (store_) {
    AssignmentCheck check = check_assignment(model, program_id, letters, force);
    if (check.refusal) return std::move(*check.refusal);
    auto committed = store_->update(DocumentRef{DocumentKind::program, program_id},
                                    {FieldEdit{FieldEdit::Op::set, {"letters"}, letters}}, std::nullopt);
    if (!committed) return committed.take_error();
    return Assigned{std::move(committed.value()), std::move(check.problems)};
  }
  auto result = call_for_result("programs.assign", {{"program", program_id}, {"letters", letters}, {"force", force}});
  if (!result) return result.take_error();
  // A reply the plan's history stood in for (the daemon gone) has no problems; the plan judges the set again.
  std::vector<std::string> problems = result->contains("problems")
                                          ? (*result)["problems"].get<std::vector<std::string>>()
                                          : check_assignment(model, program_id, letters, true).problems;
  return Assigned{result->get<CommitResult>(), std::move(problems)};
}

}  // namespace lorsync::cli
