#include "api/plan_service.hpp"

#include "api/errors.hpp"

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

RpcError bad_params(std::string message) { return RpcError{kInvalidParams, std::move(message), {}}; }

// A required string param, or an error naming it.
std::variant<std::string, RpcError> string_param(const json& params, const char* name) {
  auto found = params.find(name);
  if (found == params.end() || !found->is_string()) return bad_params(std::string("params.") + name + " must be a string");
  return found->get<std::string>();
}

std::optional<std::string> optional_string(const json& params, const char* name) {
  auto found = params.find(name);
  if (found == params.end() || found->is_null()) return std::nullopt;
  if (!found->is_string()) throw json::type_error::create(302, std::string(name) + " must be a string", nullptr);
  return found->get<std::string>();
}

std::variant<DocumentRef, RpcError> target_of(const json& params, bool allow_plan) {
  auto kind_word = string_param(params, "kind");
  if (auto* error = std::get_if<RpcError>(&kind_word)) return *error;
  const std::string& word = std::get<std::string>(kind_word);
  if (allow_plan && word == "plan") return DocumentRef{DocumentKind::plan, ""};
  auto kind = kind_from_word(word);
  if (!kind) return to_rpc_error(kind.error());
  auto id = string_param(params, "id");
  if (auto* error = std::get_if<RpcError>(&id)) return *error;
  if (!is_valid_id(std::get<std::string>(id))) return to_rpc_error(make_error(ErrorCode::usage, invalid_id_message(std::get<std::string>(id))));
  return DocumentRef{document_kind(kind.value()), std::get<std::string>(id)};
}

// {"field.path": value, ...} as edits; an error for a path with an empty part.
std::optional<RpcError> add_set_edits(const json& fields, std::vector<FieldEdit>& edits) {
  for (const auto& [key, value] : fields.items()) {
    auto path = parse_field_path(key);
    if (!path) return to_rpc_error(path.error());
    edits.push_back(FieldEdit{FieldEdit::Op::set, std::move(path.value()), value});
  }
  return std::nullopt;
}

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
  // A change with the client's request_id is made once: a retry (its reply lost) gets the first result.
  auto once = [this](MethodResult (PlanService::*change)(const json&)) {
    return [this, change](const json& p, Caller&) -> MethodResult {
      auto request = p.find("request_id");
      if (request == p.end()) return (this->*change)(p);
      if (!request->is_string() || !Store::is_valid_request_id(request->get_ref<const std::string&>()))
        return bad_params("params.request_id must be 1 to 128 of A-Z a-z 0-9 . _ : - (a UUID, say)");
      const std::string& id = request->get_ref<const std::string&>();
      // Calls that write run one at a time on the writer, so nothing commits between the lookup and the change.
      auto earlier = store_.find_request(id);
      if (!earlier) return to_rpc_error(earlier.error());
      if (earlier.value()) {
        spdlog::debug("request {} was committed already ({}); answering with that", id, earlier.value()->commit);
        return json(**earlier);
      }
      Store::RequestScope scope(store_, id);
      return (this->*change)(p);
    };
  };
  dispatcher.add("rpc.discover", [](const json&, Caller&) -> MethodResult { return api_description(); });
  dispatcher.add("plan.status", [this](const json& p, Caller&) { return status(p); });
  dispatcher.add("plan.get", [this](const json& p, Caller&) { return get(p); });
  dispatcher.add("audit.run", [this](const json& p, Caller&) { return audit(p); });
  dispatcher.add("deadlines.list", [this](const json& p, Caller&) { return deadlines(p); });
  dispatcher.add("programs.list", [this](const json& p, Caller&) { return programs(p); });
  dispatcher.add("programs.assign", [this](const json& p, Caller&) { return assign(p); }, writes);
  dispatcher.add("entity.create", once(&PlanService::create), writes);
  dispatcher.add("entity.update", once(&PlanService::update), writes);
  dispatcher.add("entity.delete", once(&PlanService::remove), writes);
  dispatcher.add("letter.record", once(&PlanService::record), writes);
  dispatcher.add("letter.draft", [this](const json& p, Caller&) { return draft(p); });
  dispatcher.add("history.log", [this](const json& p, Caller&) { return log(p); }, writes);
  dispatcher.add("sync.resolve", once(&PlanService::resolve), writes);
  dispatcher.add("subscribe", [this](const json& p, Caller& c) { return subscribe(p, c); });
  dispatcher.add("unsubscribe", [this](const json&, Caller& c) { return unsubscribe(c); });
}

const json& api_description() {
  static const json document = [] {
    for (const auto& file : resources::api_description())
      if (file.path == "openrpc.json") return json::parse(file.contents);
    return json::object();
  }();
  return document;
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

MethodResult PlanService::status(const json&) {
  auto snap = snapshot();
  return cached(*snap, "plan.status", [&snap](Date today) {
    json out = to_json(build_status(snap->model, today));
    out["commit"] = snap->head ? json(*snap->head) : json();
    return out;
  });
}

MethodResult PlanService::get(const json& params) {
  auto snap = snapshot();
  const Plan& plan = snap->checked.plan;
  if (params.contains("kind")) {
    auto target = target_of(params, true);
    if (auto* error = std::get_if<RpcError>(&target)) return *error;
    const DocumentRef& ref = std::get<DocumentRef>(target);
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
  for (const auto& d : derive_deadlines(model, today)) {
    if (within && (d.state == DeadlineState::done || days_between(today, d.date) > *within)) continue;
    list.push_back(to_json(d));
  }
  return list;
}

MethodResult PlanService::audit(const json&) {
  auto snap = snapshot();
  return cached(*snap, "audit.run", [&snap](Date today) { return audit_json(snap->model, today); });
}

MethodResult PlanService::deadlines(const json& params) {
  auto snap = snapshot();
  auto found = params.find("within");
  if (found == params.end() || found->is_null())
    return cached(*snap, "deadlines.list", [&snap](Date today) { return deadlines_json(snap->model, today, std::nullopt); });
  if (!found->is_number_integer() || found->get<long long>() < 0 || found->get<long long>() > 3650)
    return bad_params("params.within must be a whole number of days (0 to 3650)");
  return deadlines_json(snap->model, today_(), found->get<int>());
}

MethodResult PlanService::draft(const json& params) {
  auto letter_id = string_param(params, "letter");
  if (auto* error = std::get_if<RpcError>(&letter_id)) return *error;
  std::string named;
  if (auto step = params.find("step"); step != params.end() && !step->is_null()) {
    if (!step->is_string()) return bad_params("params.step must be ask, follow-up, packet, remind, thank or match");
    named = step->get<std::string>();
  }
  auto snap = snapshot();
  auto letter = snap->model.letters.find(std::get<std::string>(letter_id));
  if (letter == snap->model.letters.end())
    return RpcError{kNotFound, "no letter '" + std::get<std::string>(letter_id) + "' in this plan", {}};
  auto step = choose_draft_step(snap->model, letter->second, named, today_());
  if (!step) return bad_params(step.error().message);
  auto drafted = render_draft(snap->model, letter->second, step.value(), store_.root());
  if (!drafted) return to_rpc_error(drafted.error());
  return draft_json(drafted.value());
}

MethodResult PlanService::programs(const json&) {
  auto snap = snapshot();
  return cached(*snap, "programs.list", [&snap](Date) {
    json list = json::array();
    for (const auto& report : report_programs(snap->model)) list.push_back(to_json(report));
    return list;
  });
}

MethodResult PlanService::assign(const json& params) {
  auto program = string_param(params, "program");
  if (auto* error = std::get_if<RpcError>(&program)) return *error;
  auto letters_param = params.find("letters");
  if (letters_param == params.end() || !letters_param->is_array())
    return bad_params("params.letters must be a list of letter ids");
  std::vector<std::string> letters;
  for (const auto& letter : *letters_param) {
    if (!letter.is_string()) return bad_params("params.letters must be a list of letter ids");
    letters.push_back(letter.get<std::string>());
  }
  auto force = params.find("force");
  if (force != params.end() && !force->is_boolean()) return bad_params("params.force must be true or false");
  const std::string& id = std::get<std::string>(program);
  std::lock_guard lock(write_mutex_);
  AssignmentCheck check = check_assignment(snapshot()->model, id, letters, force != params.end() && force->get<bool>());
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

MethodResult PlanService::create(const json& params) {
  auto target = target_of(params, false);
  if (auto* error = std::get_if<RpcError>(&target)) return *error;
  const DocumentRef& ref = std::get<DocumentRef>(target);
  auto fields = params.find("fields");
  if (fields == params.end() || !fields->is_object()) return bad_params("params.fields must be an object");
  std::vector<FieldEdit> edits;
  if (auto error = add_set_edits(*fields, edits)) return *error;
  std::string body = optional_string(params, "body").value_or("");
  std::lock_guard lock(write_mutex_);
  return committed(store_.create(*entity_kind(ref.kind), ref.id, edits, body), "api");
}

MethodResult PlanService::update(const json& params) {
  auto target = target_of(params, true);
  if (auto* error = std::get_if<RpcError>(&target)) return *error;
  std::vector<FieldEdit> edits;
  if (auto set = params.find("set"); set != params.end()) {
    if (!set->is_object()) return bad_params("params.set must be an object of \"field.path\": value");
    if (auto error = add_set_edits(*set, edits)) return *error;
  }
  if (auto unset = params.find("unset"); unset != params.end()) {
    if (!unset->is_array()) return bad_params("params.unset must be a list of field paths");
    for (const auto& key : *unset) {
      if (!key.is_string()) return bad_params("params.unset must be a list of field paths");
      auto path = parse_field_path(key.get<std::string>());
      if (!path) return to_rpc_error(path.error());
      edits.push_back(FieldEdit{FieldEdit::Op::remove, std::move(path.value()), nullptr});
    }
  }
  if (edits.empty()) return bad_params("nothing to change: give params.set or params.unset");
  std::lock_guard lock(write_mutex_);
  const DocumentRef& ref = std::get<DocumentRef>(target);
  return committed(store_.update(ref, edits, optional_string(params, "if_revision")), "api", ref.path());
}

MethodResult PlanService::remove(const json& params) {
  auto target = target_of(params, false);
  if (auto* error = std::get_if<RpcError>(&target)) return *error;
  const DocumentRef& ref = std::get<DocumentRef>(target);
  std::lock_guard lock(write_mutex_);
  return committed(store_.remove(*entity_kind(ref.kind), ref.id, optional_string(params, "if_revision")), "api",
                   ref.path());
}

MethodResult PlanService::record(const json& params) {
  auto letter = string_param(params, "letter");
  if (auto* error = std::get_if<RpcError>(&letter)) return *error;
  auto event = string_param(params, "event");
  if (auto* error = std::get_if<RpcError>(&event)) return *error;
  LetterEvent recorded{today_(), std::get<std::string>(event), optional_string(params, "via").value_or(""),
                       optional_string(params, "note").value_or(""), std::nullopt};
  if (auto packet = params.find("packet"); packet != params.end()) {
    if (!packet->is_array() || !std::all_of(packet->begin(), packet->end(), [](const json& d) { return d.is_string(); }))
      return bad_params("params.packet must be a list of document names, e.g. [\"cv\", \"summary\"]");
    recorded.packet = packet->get<std::vector<std::string>>();
  }
  if (auto on = optional_string(params, "date")) {
    auto date = parse_date(*on);
    if (!date) return bad_params("params.date must be a date, YYYY-MM-DD");
    recorded.date = *date;
  }
  std::lock_guard lock(write_mutex_);
  return committed(store_.record(std::get<std::string>(letter), recorded), "api");
}

MethodResult PlanService::log(const json& params) {
  size_t limit = 50;
  if (auto found = params.find("limit"); found != params.end()) {
    if (!found->is_number_integer() || found->get<long long>() < 1 || found->get<long long>() > 10000)
      return bad_params("params.limit must be a whole number from 1 to 10000");
    limit = found->get<size_t>();
  }
  std::lock_guard lock(write_mutex_);  // libgit2 repository handles are not shared across threads
  auto entries = store_.log(limit);
  if (!entries) return to_rpc_error(entries.error());
  json list = json::array();
  for (const auto& e : entries.value())
    list.push_back({{"commit", e.commit}, {"time", e.time}, {"offset_minutes", e.offset_minutes}, {"author", e.author},
                    {"device", e.device.empty() ? json() : json(e.device)}, {"summary", e.summary}});
  return list;
}

MethodResult PlanService::resolve(const json& params) {
  std::string path = optional_string(params, "path").value_or("");
  std::string field = optional_string(params, "field").value_or("");
  if (path.empty() && !field.empty()) return bad_params("params.field needs params.path");
  std::string keep = optional_string(params, "keep").value_or("current");
  if (keep != "current" && keep != "other") return bad_params("params.keep is current or other");
  std::lock_guard lock(write_mutex_);
  return committed(store_.resolve(path, field, keep == "other" ? ResolveKeep::other : ResolveKeep::current), "api");
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

MethodResult PlanService::subscribe(const json&, Caller& caller) {
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
