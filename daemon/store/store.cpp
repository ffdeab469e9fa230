// store/store: opening a plan and the changes made through Store (create, update, remove, record),
// the change lookups (revisions, request ids, the log), the writer lock and its crash recovery, and
// bringing another device's commit in. The other jobs have files of their own: store/commit_pipeline
// (a change's phases up to its commit), store/plan_init, store/outside_edits, store/conflict_records.
#include "store/store.hpp"

#include "common/json_members.hpp"
#include "common/text.hpp"
#include "model/document.hpp"
#include "model/plan.hpp"
#include "store/atomic_file.hpp"
#include "store/plan_location.hpp"
#include "store/store_internal.hpp"
#include "validation/schema_set.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace lorsync {
namespace fs = std::filesystem;

std::string default_device() {
  if (const char* device = std::getenv("LORSYNC_DEVICE"); device && *device) return device;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0]) return host;
  return "unknown-device";
}

namespace {

std::string summarize_edits(const std::vector<FieldEdit>& edits) {
  std::vector<std::string> parts;
  for (const auto& edit : edits) {
    std::string name = printable_line(field_name(edit.path));
    switch (edit.op) {
      case FieldEdit::Op::set: parts.push_back(name + "=" + emit_flow(edit.value)); break;
      case FieldEdit::Op::remove: parts.push_back("-" + name); break;
      case FieldEdit::Op::append:
      case FieldEdit::Op::include: parts.push_back(name + "+=" + emit_flow(edit.value)); break;
    }
  }
  std::string summary = join(parts, ", ");
  if (summary.size() <= 120) return summary;
  size_t cut = 117;
  while (cut > 0 && (static_cast<unsigned char>(summary[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return summary.substr(0, cut) + "...";
}

}  // namespace

std::string DocumentRef::path() const {
  if (auto kind_of_entity = entity_kind(kind)) return entity_path(*kind_of_entity, id);
  return kPlanFileName;
}

std::string DocumentRef::label() const {
  if (auto kind_of_entity = entity_kind(kind)) return std::string(kind_folder(*kind_of_entity)) + "/" + id;
  return "plan";
}

Store::Store(fs::path root, Repository repository, StoreOptions options)
    : root_(std::move(root)),
      repository_(std::move(repository)),
      checker_(root_),
      options_(std::move(options)),
      // One printable line: the name goes into a trailer, and a line break in it would start another.
      device_(printable_line(options_.device.empty() ? default_device() : options_.device)) {}

Status require_plan(const fs::path& root) {
  std::error_code ec;
  if (!fs::exists(root / kPlanFileName, ec))
    return no_plan_at(root);
  return Ok{};
}

Result<Store> Store::open(const fs::path& root, StoreOptions options) {
  if (Status plan = require_plan(root); !plan) return plan.take_error();
  auto repository = Repository::open(root);
  if (!repository) return repository.take_error();
  return Store(root, std::move(repository.value()), std::move(options));
}


std::optional<std::string> Store::revision_of(const std::string& path) const {
  auto text = read_whole(root_ / path);
  if (!text) return std::nullopt;
  return Repository::blob_id(*text);
}

std::string Store::with_trailer(const std::string& first_line) const {
  return first_line + "\n\nLorsync-Device: " + device_ + "\n" +
         (request_id_.empty() ? std::string() : "Lorsync-Request: " + request_id_ + "\n");
}

bool Store::is_valid_request_id(std::string_view request_id) {
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  };
  return !request_id.empty() && request_id.size() <= 128 && std::all_of(request_id.begin(), request_id.end(), allowed);
}

Result<std::optional<CommitResult>> Store::find_request(const std::string& request_id) {
  auto entries = repository_.log(kRequestLookback);
  if (!entries) return entries.take_error();
  auto found = std::find_if(entries->begin(), entries->end(),
                            [&](const LogEntry& entry) { return entry.request == request_id; });
  if (found == entries->end() || found->parent.empty()) return std::optional<CommitResult>();
  auto paths = repository_.paths_between(found->parent, found->commit);
  if (!paths) return paths.take_error();
  if (paths->empty()) return std::optional<CommitResult>();
  // The file the change was about comes first; a resolve also changes the conflict record.
  std::stable_partition(paths->begin(), paths->end(), [](const std::string& path) { return path != kSyncConflictsPath; });
  auto text = repository_.file_at(found->commit, paths->front());
  if (!text) return text.take_error();
  CommitResult result{found->commit, paths->front(), text.value() ? Repository::blob_id(**text) : "", found->summary};
  result.also_changed.assign(paths->begin() + 1, paths->end());
  return std::optional<CommitResult>(std::move(result));
}

Result<PlanLock> Store::lock_for_change() {
  auto lock = PlanLock::acquire(root_, options_.lock_patience);
  if (!lock) return lock.take_error();
  if (lock->predecessor_crashed()) {
    spdlog::warn("the previous writer of this plan stopped mid-change; recovering");
    // Lock files first: finishing an interrupted sync needs the index and the branch.
    Status recovered = repository_.recover_after_crash();
    if (!recovered) return recovered.take_error();
    Status finished = repository_.finish_interrupted_integration(integration_marker());
    if (!finished) return finished.take_error();
    remove_stale_temp_files(root_);
  }
  return lock;
}

Status Store::recover_interrupted_change() {
  auto lock = lock_for_change();
  if (!lock) return lock.take_error();
  return repository_.finish_interrupted_integration(integration_marker());
}

fs::path Store::integration_marker() const { return root_ / ".lorsync" / "sync-in-progress"; }

Result<Store::Integrated> Store::integrate(const std::string& commit) {
  auto lock = lock_for_change();
  if (!lock) return lock.take_error();
  last_committed_.reset();
  if (!repository_.at_rest())
    return make_error(ErrorCode::locked, "a git merge or rebase is in progress in the plan; finish it, then sync");
  // A marker without a crashed writer: a sync refused midway by an I/O error. Finish it before anything else.
  Status finished = repository_.finish_interrupted_integration(integration_marker());
  if (!finished) return finished.take_error();
  auto integration = repository_.integrate(commit, device_, integration_marker());
  if (!integration) return integration.take_error();
  Integrated out{std::move(*integration), {}};
  if (out.integration.kind == Integration::Kind::up_to_date) return out;
  CheckedPlan checked = checker_.check();
  out.problems = checked.diagnostics;
  if (checked.valid()) last_committed_ = std::move(checked);
  spdlog::info("sync: {} {} -> {} ({} files)", out.integration.kind == Integration::Kind::merged ? "merged" : "fast-forwarded",
               out.integration.old_head.substr(0, 8), out.integration.new_head.substr(0, 8),
               out.integration.changed_paths.size());
  return out;
}


std::string CommitResult::summary() const {
  static const std::string kDash = " — ";
  size_t dash = message.find(kDash);
  return dash == std::string::npos ? message : message.substr(dash + kDash.size());
}

void to_json(nlohmann::json& out, const CommitResult& result) {
  out = {{"commit", result.commit},
         {"path", result.path},
         {"revision", result.revision.empty() ? nlohmann::json() : nlohmann::json(result.revision)},
         {"message", result.message}};
}

void from_json(const nlohmann::json& in, CommitResult& result) {
  result = CommitResult{string_member(in, "commit"), string_member(in, "path"), string_member(in, "revision"),
                        string_member(in, "message")};
}


Result<CommitResult> Store::create(EntityKind kind, const std::string& id, const std::vector<FieldEdit>& fields,
                                   const std::string& body) {
  if (!is_valid_id(id)) return make_error(ErrorCode::usage, invalid_id_message(id));
  DocumentRef target{document_kind(kind), id};
  // The schema's order, whatever order the fields came in (an API call's fields are an unordered object).
  const std::vector<std::string>& order = SchemaSet::instance().field_order(target.kind);
  auto rank = [&order](const FieldEdit& field) {
    return size_t(std::find(order.begin(), order.end(), field.path.empty() ? "" : field.path[0]) - order.begin());
  };
  std::vector<FieldEdit> ordered = fields;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&rank](const FieldEdit& a, const FieldEdit& b) { return rank(a) < rank(b); });
  auto document = new_entity(target.kind, target.path(), id, ordered, body);
  if (!document) return document.take_error();
  std::string summary = "new " + std::string(kind_name(kind));
  for (const auto& field : fields)
    if (field.path.size() == 1 && field.path[0] == "name" && field.value.is_string())
      summary = field.value.get<std::string>();
  return commit_change(target, std::move(document.value()), "add", summary, std::nullopt, false);
}

Result<CommitResult> Store::edit(const DocumentRef& target, const std::vector<FieldEdit>& edits,
                                 const std::string& verb, const std::string& summary,
                                 const std::optional<std::string>& if_revision) {
  if (target.kind != DocumentKind::plan && !is_valid_id(target.id))
    return make_error(ErrorCode::usage, invalid_id_message(target.id));
  // Read and edit under the lock: an edit computed from text another writer is
  // about to replace would silently undo that writer's change.
  auto lock = lock_for_change();
  if (!lock) return lock.take_error();
  auto document = edited_document(target, edits);
  if (!document) return document.take_error();
  return commit_locked(target, std::move(document.value()), verb, summary, if_revision, true);
}

Result<DocumentPtr> Store::current_document(const DocumentRef& target) {
  // The checker usually holds this file parsed already; parse only if it changed since.
  if (DocumentPtr cached = checker_.unchanged_document(target.path())) return cached;
  auto old_text = read_whole(root_ / target.path());
  if (!old_text) return make_error(ErrorCode::not_found, "no " + target.path() + " in this plan");
  ParsedDocument parsed = parse_document(target.kind, target.path(), target.id, std::move(*old_text));
  if (!parsed.document)
    return make_error(ErrorCode::invalid_plan, target.path() + " cannot be read; fix it by hand first",
                      std::move(parsed.diagnostics));
  return DocumentPtr(std::make_shared<const Document>(std::move(*parsed.document)));
}

Result<Document> Store::edited_document(const DocumentRef& target, const std::vector<FieldEdit>& edits) {
  auto current = current_document(target);
  if (!current) return current.take_error();
  return apply_edits(*current.value(), edits);
}

Result<CommitResult> Store::update(const DocumentRef& target, const std::vector<FieldEdit>& edits,
                                   const std::optional<std::string>& if_revision) {
  return edit(target, edits, "set", summarize_edits(edits), if_revision);
}

Result<CommitResult> Store::remove(EntityKind kind, const std::string& id, const std::optional<std::string>& if_revision) {
  if (!is_valid_id(id)) return make_error(ErrorCode::usage, invalid_id_message(id));
  return commit_change(DocumentRef{document_kind(kind), id}, std::nullopt, "rm", "removed", if_revision, true);
}

std::vector<std::string> Store::packet_of_plan() {
  auto settings = current_document(DocumentRef{});
  std::vector<std::string> documents;
  if (!settings) return documents;  // a plan.yaml that cannot be read names none (validate says why)
  const nlohmann::json& data = settings.value()->data;
  if (!data.contains("packet") || !data["packet"].is_object()) return documents;
  for (const auto& [key, value] : data["packet"].items())
    if (!key.starts_with("x-")) documents.push_back(key);
  return documents;
}

Result<CommitResult> Store::record(const std::string& letter_id, const LetterEvent& event) {
  nlohmann::json item = {{"date", format_date(event.date)}, {"event", event.event}};
  if (!event.via.empty()) item["via"] = event.via;
  if (!event.note.empty()) item["note"] = event.note;
  std::string summary = event.event + " on " + format_date(event.date) + (event.via.empty() ? "" : " via " + event.via);
  std::vector<FieldEdit> edits{FieldEdit{FieldEdit::Op::append, {"events"}, item}};
  if (event.packet && event.event != "packet-sent")
    return make_error(ErrorCode::usage, "the documents sent go with packet-sent, not " + event.event);
  if (event.event == "packet-sent") {
    // What went before stays listed: a second packet adds to what the writer has.
    std::vector<std::string> sent = event.packet ? *event.packet : packet_of_plan();
    for (const auto& document : sent) edits.push_back(FieldEdit{FieldEdit::Op::include, {"packet"}, document});
    if (!sent.empty()) summary += " (" + join(sent, ", ") + ")";
  }
  return edit(DocumentRef{DocumentKind::letter, letter_id}, edits, "record", summary, std::nullopt);
}

}  // namespace lorsync
