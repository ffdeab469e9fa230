#include "api/plan_service.hpp"

#include "api/errors.hpp"
#include "api/params.hpp"

#include "assignment/assignment.hpp"
#include "common/resources.hpp"
#include "common/text.hpp"
#include "deadlines/deadlines.hpp"
#include "draft/draft.hpp"
#include "rules/audit.hpp"
#include "status/status.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lorsync::api {

using nlohmann::json;

namespace {

json entity_json(const Document& doc) {
  return {{"id", doc.id}, {"path", doc.path}, {"revision", Repository::blob_id(doc.text)}, {"data", doc.data},
          {"body", std::string(doc.body())}};
}

}  // namespace

Result<std::unique_ptr<PlanService>> PlanService::open(const std::filesystem::path& root, StoreOptions options,
                                                       std::function<Date()> today, Publish publish) {
  auto store = Store::open(root, std::move(options));
  if (!store) return store.take_error();
  if (Status recovered = store->recover_interrupted_change(); !recovered) return recovered.take_error();
  CheckedPlan checked = store->check();
  if (!checked.valid())
    return make_error(ErrorCode::invalid_plan, "the plan has problems; fix them first (lorsync validate lists them)",
                      std::move(checked.diagnostics));
  std::unique_ptr<PlanService> service(new PlanService(std::move(store.value()), std::move(today), std::move(publish)));
  service->refresh();
  return service;
}

PlanService::PlanService(Store store, std::function<Date()> today, Publish publish)
    : store_(std::move(store)), today_(std::move(today)), publish_(std::move(publish)) {}

std::shared_ptr<const Snapshot> PlanService::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void PlanService::refresh(std::optional<CheckedPlan> checked) {
  auto next = std::make_shared<Snapshot>();
  auto head = store_.head();
  if (head) next->head = head.value();
  next->checked = checked ? std::move(*checked) : store_.check_as_served();
  auto current = snapshot();
  if (!next->checked.valid() && current) {
    // Still the last valid plan, but at the new HEAD, so that a commit is never announced twice.
    next->checked = current->checked;
    next->model = current->model;
  } else {
    next->model = build_model(next->checked.plan);
  }
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(next);
}

void PlanService::forget(uint64_t connection) {
  std::lock_guard lock(subscribers_mutex_);
  subscribers_.erase(connection);
}

void PlanService::register_methods(Dispatcher& dispatcher, std::string token) {
  dispatcher.add("auth", [token](const json& params, Caller& caller) -> MethodResult {
    auto given = params.find("token");
    bool ok = given != params.end() && given->is_string() && same_secret(given->get_ref<const std::string&>(), token);
    if (!ok) {
      caller.close_after_reply = true;
      return RpcError{kUnauthorized, "wrong token", {}};
    }
    caller.authenticated = true;
    return json{{"authenticated", true}};
  }, MethodTraits{.needs_auth = false});
  const MethodTraits writes{.writes = true};
  // A change with the client's request_id is made once: a retry (its reply lost) gets the first result,
  // as `replay` tells it from the commit.
  auto commit_alone = [](const auto&, const CommitResult& first) { return json(first); };
  auto once = [this](auto decode, auto change, auto replay) {
    return [this, decode, change, replay](const json& p, Caller&) -> MethodResult {
      auto params = decode(p);
      if (!params) return to_rpc_error(params.error());
      auto request = p.find("request_id");
      if (request == p.end()) return (this->*change)(params.value());
      const std::string& id = request->get_ref<const std::string&>();
      // Calls that write run one at a time on the writer, so nothing commits between the lookup and the change.
      auto earlier = store_.find_request(id);
      if (!earlier) return to_rpc_error(earlier.error());
      if (earlier.value()) {
        spdlog::debug("request {} was committed already ({}); answering with that", id, earlier.value()->commit);
        return replay(params.value(), **earlier);
      }
      Store::RequestScope scope(store_, id);
      return (this->*change)(params.value());
    };
  };
  auto once_commit = [once, commit_alone](auto decode, auto change) { return once(decode, change, commit_alone); };
  // Params decoded to the method's type: the dispatcher has checked their shape already (api/params).
  auto typed = [this](auto decode, auto method) {
    return [this, decode, method](const json& p, Caller&) -> MethodResult {
      auto params = decode(p);
      if (!params) return to_rpc_error(params.error());
      return (this->*method)(params.value());
    };
  };
  dispatcher.add("rpc.discover", [](const json&, Caller&) -> MethodResult { return api_description(); });
  dispatcher.add("plan.status", [this](const json&, Caller&) { return status(); });
  dispatcher.add("plan.get", typed(decode_target, &PlanService::get));
  dispatcher.add("audit.run", [this](const json&, Caller&) { return audit(); });
  dispatcher.add("deadlines.list", typed(decode_deadlines, &PlanService::deadlines));
  dispatcher.add("programs.list", [this](const json&, Caller&) { return programs(); });
  dispatcher.add("programs.assign",
                 once(decode_assign, &PlanService::assign,
                      [this](const AssignParams& params, const CommitResult& first) {
                        json out = first;
                        out["problems"] = check_assignment(snapshot()->model, params.program, params.letters, true).problems;
                        return out;
                      }),
                 writes);
  dispatcher.add("entity.create", once_commit(decode_create, &PlanService::create), writes);
  dispatcher.add("entity.update", once_commit(decode_update, &PlanService::update), writes);
  dispatcher.add("entity.delete", once_commit(decode_delete, &PlanService::remove), writes);
  dispatcher.add("letter.record", once_commit(decode_record, &PlanService::record), writes);
  dispatcher.add("letter.draft", typed(decode_draft, &PlanService::draft));
  dispatcher.add("history.log", typed(decode_log, &PlanService::log), writes);
  dispatcher.add("sync.resolve", once_commit(decode_resolve, &PlanService::resolve), writes);
  dispatcher.add("subscribe", [this](const json&, Caller& c) { return subscribe(c); });
  dispatcher.add("unsubscribe", [this](const json&, Caller& c) { return unsubscribe(c); });
}

SerializedResult PlanService::cached(const Snapshot& snap, const std::string& key,
                                     const std::function<json(Date)>& make) {
  Date today = today_();
  std::lock_guard lock(snap.replies->mutex);
  auto& [day, text] = snap.replies->by_key[key];
  if (!text || day != today) {
    day = today;
    text = std::make_shared<const std::string>(wire_text(make(today)));
  }
  return SerializedResult{text};
}

MethodResult PlanService::status() {
  auto snap = snapshot();
  return cached(*snap, "plan.status", [&snap](Date today) {
    json out = to_json(build_status(snap->model, today));
    out["commit"] = snap->head ? json(*snap->head) : json();
    return out;
  });
}

MethodResult PlanService::get(const TargetParams& params) {
  auto snap = snapshot();
  const Plan& plan = snap->checked.plan;
  if (params.target) {
    const DocumentRef& ref = *params.target;
    const Document* doc = ref.kind == DocumentKind::plan ? plan.settings.get()
                                                         : plan.find(*entity_kind(ref.kind), ref.id);
    if (!doc) return RpcError{kNotFound, "no " + ref.path() + " in this plan", {}};
    return entity_json(*doc);
  }
  json out = {{"commit", snap->head ? json(*snap->head) : json()},
              {"plan", plan.settings ? entity_json(*plan.settings) : json()},
              {"packet_summary", plan.packet_summary ? json(*plan.packet_summary) : json()}};
  for (EntityKind kind : kEntityKinds) {
    json list = json::array();
    for (const auto& [id, doc] : plan.of(kind)) list.push_back(entity_json(*doc));
    out[kind_folder(kind)] = std::move(list);
  }
  return out;
}

static json audit_json(const Model& model, Date today) {
  auto findings = run_audit(model, today);
  AuditCounts counts = count(findings);
  json list = json::array();
  for (const auto& f : findings) list.push_back(to_json(f));
  return json{{"errors", counts.errors}, {"warnings", counts.warnings}, {"infos", counts.infos}, {"findings", list}};
}

static json deadlines_json(const Model& model, Date today, std::optional<int> within) {
  json list = json::array();
  for (const auto& d : deadlines_within(derive_deadlines(model, today), today, within)) list.push_back(to_json(d));
  return list;
}

MethodResult PlanService::audit() {
  auto snap = snapshot();
  return cached(*snap, "audit.run", [&snap](Date today) { return audit_json(snap->model, today); });
}

MethodResult PlanService::deadlines(const DeadlinesParams& params) {
  auto snap = snapshot();
  if (!params.within)
    return cached(*snap, "deadlines.list", [&snap](Date today) { return deadlines_json(snap->model, today, std::nullopt); });
  return deadlines_json(snap->model, today_(), params.within);
}

MethodResult PlanService::draft(const DraftParams& params) {
  auto snap = snapshot();
  auto letter = snap->model.letters.find(params.letter);
  if (letter == snap->model.letters.end())
    return to_rpc_error(make_error(ErrorCode::not_found, "no letter " + in_quotes(params.letter) + " in this plan"));
  auto step = choose_draft_step(snap->model, letter->second, params.step, today_());
  if (!step) return to_rpc_error(make_error(ErrorCode::usage, step.error().message));
  auto drafted = render_draft(snap->model, letter->second, step.value(), store_.root());
  if (!drafted) return to_rpc_error(drafted.error());
  return draft_json(drafted.value());
}

MethodResult PlanService::programs() {
  auto snap = snapshot();
  return cached(*snap, "programs.list", [&snap](Date) {
    json list = json::array();
    for (const auto& report : report_programs(snap->model)) list.push_back(to_json(report));
    return list;
  });
}

MethodResult PlanService::assign(const AssignParams& params) {
  const std::string& id = params.program;
  const std::vector<std::string>& letters = params.letters;
  std::lock_guard lock(write_mutex_);
  AssignmentCheck check = check_assignment(snapshot()->model, id, letters, params.force);
  if (check.refusal) {
    RpcError error = to_rpc_error(*check.refusal);
    if (!check.problems.empty()) error.data["problems"] = check.problems;
    return error;
  }
  DocumentRef ref{DocumentKind::program, id};
  MethodResult result = committed(store_.update(ref, {FieldEdit{FieldEdit::Op::set, {"letters"}, letters}}, std::nullopt),
                                  "api", ref.path());
  if (auto* done = std::get_if<json>(&result)) (*done)["problems"] = check.problems;
  return result;
}

std::vector<uint64_t> PlanService::subscribers() {
  std::lock_guard lock(subscribers_mutex_);
  return {subscribers_.begin(), subscribers_.end()};
}

void PlanService::announce(const std::string& commit, const std::vector<std::string>& paths, const std::string& source) {
  if (change_listener_) change_listener_(source);
  auto to = subscribers();
  if (!publish_ || to.empty()) return;
  publish_(notification("plan.changed", {{"commit", commit}, {"paths", paths}, {"source", source}}), to);
  auto snap = snapshot();
  Date today = today_();
  publish_(notification("audit.changed", audit_json(snap->model, today)), to);
  publish_(notification("deadlines.changed", deadlines_json(snap->model, today, std::nullopt)), to);
}

void PlanService::announce_invalid(const std::vector<Diagnostic>& diagnostics) {
  json message = notification("plan.invalid", {{"diagnostics", json(diagnostics)}});
  {
    std::lock_guard lock(invalid_mutex_);
    if (last_invalid_ == message) return;
    last_invalid_ = message;
  }
  spdlog::info("the plan on disk has {} problems; serving its last valid state", diagnostics.size());
  auto to = subscribers();
  if (publish_ && !to.empty()) publish_(message, to);
}

MethodResult PlanService::committed(const Result<CommitResult>& result, const std::string& source,
                                    const std::string& path) {
  if (!result) {
    RpcError error = to_rpc_error(result.error());
    // A lost update: give the caller the revision to retry against, not only a sentence.
    if (error.code == kRevisionConflict) {
      auto revision = store_.revision_of(path);
      error.data["revision"] = revision ? json(*revision) : json();
    }
    return error;
  }
  refresh(store_.take_committed_plan());
  std::vector<std::string> paths{result->path};
  paths.insert(paths.end(), result->also_changed.begin(), result->also_changed.end());
  announce(result->commit, paths, source);
  return json(result.value());
}

bool PlanService::absorb_outside_changes() {
  std::lock_guard lock(write_mutex_);
  std::optional<std::string> known_head = snapshot()->head;
  auto head = store_.head();
  if (!head) {
    spdlog::warn("cannot read the plan's HEAD: {}", head.error().message);
    return true;
  }
  if (head.value() && head.value() != known_head) {
    std::vector<std::string> paths;
    if (known_head) {
      auto between = store_.paths_between(*known_head, **head);
      if (between) paths = std::move(between.value());
    }
    spdlog::info("picked up commit {} made outside lorsync", head.value()->substr(0, 7));
    refresh();
    announce(**head, paths, "git");
  }
  OutsideEdits edits = store_.commit_outside_edits();
  if (!edits.committed.empty()) {
    std::vector<std::string> paths;
    for (const auto& edit : edits.committed) paths.push_back(edit.path);
    spdlog::info("committed {} file(s) edited outside lorsync", paths.size());
    refresh();
    announce(edits.committed.back().commit, paths, "file");
  }
  if (!edits.error) {
    std::lock_guard lock(invalid_mutex_);
    last_invalid_.reset();
    return false;
  }
  if (edits.error->code == ErrorCode::invalid_plan) {
    announce_invalid(edits.error->diagnostics);
    return false;  // the next save will bring it back
  }
  spdlog::warn("could not commit edits made outside lorsync (will retry): {}", edits.error->message);
  return true;
}

MethodResult PlanService::create(const CreateParams& params) {
  std::lock_guard lock(write_mutex_);
  return committed(store_.create(params.kind, params.id, params.fields, params.body), "api");
}

MethodResult PlanService::update(const UpdateParams& params) {
  std::lock_guard lock(write_mutex_);
  return committed(store_.update(params.target, params.edits, params.if_revision), "api", params.target.path());
}

MethodResult PlanService::remove(const DeleteParams& params) {
  std::lock_guard lock(write_mutex_);
  return committed(store_.remove(params.kind, params.id, params.if_revision), "api",
                   DocumentRef{document_kind(params.kind), params.id}.path());
}

MethodResult PlanService::record(const RecordParams& params) {
  LetterEvent recorded{params.date.value_or(today_()), params.event, params.via, params.note, params.packet};
  std::lock_guard lock(write_mutex_);
  return committed(store_.record(params.letter, recorded), "api");
}

MethodResult PlanService::log(const LogParams& params) {
  std::lock_guard lock(write_mutex_);  // libgit2 repository handles are not shared across threads
  auto entries = store_.log(params.limit);
  if (!entries) return to_rpc_error(entries.error());
  json list = json::array();
  for (const auto& e : entries.value()) list.push_back(e);
  return list;
}

MethodResult PlanService::resolve(const ResolveParams& params) {
  std::lock_guard lock(write_mutex_);
  return committed(store_.resolve(params.path, params.field, params.keep), "api");
}

Result<Store::Integrated> PlanService::integrate(const std::string& commit) {
  std::lock_guard lock(write_mutex_);
  auto integrated = store_.integrate(commit);
  if (!integrated || integrated->integration.kind == Integration::Kind::up_to_date) return integrated;
  refresh(store_.take_committed_plan());
  announce(integrated->integration.new_head, integrated->integration.changed_paths, "sync");
  if (!integrated->problems.empty()) announce_invalid(integrated->problems);
  return integrated;
}

MethodResult PlanService::subscribe(Caller& caller) {
  {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_.insert(caller.id);
  }
  // A client that opens while the plan on disk is broken must show it, not only one that was there when it broke.
  std::optional<json> invalid;
  {
    std::lock_guard lock(invalid_mutex_);
    invalid = last_invalid_;
  }
  if (invalid && publish_) publish_(*invalid, {caller.id});
  return json{{"subscribed", true}};
}

MethodResult PlanService::unsubscribe(Caller& caller) {
  forget(caller.id);
  return json{{"subscribed", false}};
}

}  // namespace lorsync::api
