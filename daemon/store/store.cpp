#include "store/store.hpp"

#include "common/json_members.hpp"
#include "common/text.hpp"
#include "merge/merge_file.hpp"
#include "model/document.hpp"
#include "model/plan.hpp"
#include "store/atomic_file.hpp"
#include "store/plan_location.hpp"
#include "validation/schema_set.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

constexpr const char* kGitignore = "# lorsync's local state (daemon port and token, locks): never committed\n.lorsync/\n";
constexpr const char* kGitattributes =
    "# Plan files merge field by field with lorsync's merge driver (see `lorsync merge-file`)\n"
    "*.md merge=lorsync\n"
    "plan.yaml merge=lorsync\n"
    "sync-conflicts.yaml merge=lorsync\n"
    "templates/*.txt merge=lorsync\n";

std::string default_device() {
  if (const char* device = std::getenv("LORSYNC_DEVICE"); device && *device) return device;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0]) return host;
  return "unknown-device";
}

std::optional<std::string> read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A Match year's default dates: ERAS opens to programs in late September of the
// year before; Match Day is the third Friday of March.
std::string new_plan_yaml(const std::string& name, Date today) {
  using namespace std::chrono;
  int year = static_cast<int>(today.year());
  Date review_this_year{std::chrono::year{year}, September, day{24}};
  int cycle = today < review_this_year ? year + 1 : year + 2;
  year_month_weekday third_friday{std::chrono::year{cycle} / March / Friday[3]};
  Date match_day{sys_days{third_friday}};
  std::string season = std::to_string(cycle - 1);
  return "# lorsync plan: who you are, when things are due, and any thresholds you override.\n"
         "# Comments in this file are kept when lorsync changes it.\n"
         "applicant:\n"
         "  name: " + emit_flow(name) + "\n"
         "  citizenship: non-us      # us | non-us\n"
         "  graduate: img            # us-md | us-do | img\n"
         "  visa: undecided          # none | j1 | h1b | undecided\n"
         "specialty: pmr\n"
         "cycle: " + std::to_string(cycle) + "                # Match year\n"
         "interests: []              # what your personal statement argues, e.g. [inpatient-rehab, spinal-cord-injury]\n"
         "dates:\n"
         "  eras_submit: " + season + "-09-03      # when you plan to submit\n"
         "  programs_review: " + season + "-09-24  # letters should be uploaded by then\n"
         "  match_day: " + format_date(match_day) + "\n"
         "policy: {}                 # overrides: letters_min, letters_max, pmr_letters_min, ask_window_days,\n"
         "                           # reminder_lead_days, packet_days\n";
}

constexpr const char* kNewPacketSummary =
    "# LOR packet summary\n\n"
    "One page for your letter writers.\n\n"
    "## Why PM&R, and my long-term goals\n\n"
    "## Strengths you may have observed\n\n"
    "## Patient encounters that mattered to me\n\n"
    "## Context: medical school, IMG background, visa\n";

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

// A plan file changed outside lorsync: how its commit names it ("plan", "letters/lee-pmr", "packet/summary"),
// and which document it is (none for the packet summary, which is free Markdown).
struct OutsideEdit {
  std::string path;
  std::string label;
  std::optional<DocumentRef> document;
};

// The kind whose folder holds `path` ("letters/x.md" -> letter), if any.
std::optional<EntityKind> kind_folder_of(std::string_view path) {
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto kind = parse_kind(path.substr(0, slash));
  if (!kind || path.substr(0, slash) != kind_folder(*kind)) return std::nullopt;
  return kind;
}

// nullopt for files that are not part of the plan (they are the user's to commit).
std::optional<OutsideEdit> outside_edit(const std::string& path) {
  if (path == kPlanFileName) return OutsideEdit{path, "plan", DocumentRef{DocumentKind::plan, ""}};
  if (path == kPacketSummaryPath) return OutsideEdit{path, "packet/summary", std::nullopt};
  if (path == kSyncConflictsPath) return OutsideEdit{path, "sync-conflicts", std::nullopt};
  if (is_template_path(path) || is_packet_document_path(path))
    return OutsideEdit{path, path.substr(0, path.rfind('.')), std::nullopt};
  auto kind = kind_folder_of(path);
  if (!kind || !path.ends_with(".md")) return std::nullopt;
  size_t slash = path.find('/');
  std::string id = path.substr(slash + 1, path.size() - slash - 1 - 3);
  if (!is_valid_id(id)) return std::nullopt;
  return OutsideEdit{path, path.substr(0, path.size() - 3), DocumentRef{document_kind(*kind), id}};
}

// Packet documents are PDFs and photos, larger than plan files; a file beyond this is a mistake to sync.
constexpr uintmax_t kMaxPacketDocumentBytes = 32u << 20;

// Why a file edited outside lorsync is not committed as it is: a link (its target is outside the plan's
// history, and may be outside the plan), or a packet document too large to sync; nullopt when it may be.
std::optional<Diagnostic> unfit_to_commit(const fs::path& root, const std::string& path) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(root / path, ec);
  if (auto link = linked_folder(root, path)) return link;
  if (ec || status.type() == fs::file_type::not_found) return std::nullopt;  // removed: committed as a removal
  if (fs::is_symlink(status))
    return Diagnostic{{path, 0, 0, ""}, "is a link; lorsync commits only plain files: copy the document into the plan"};
  if (!fs::is_regular_file(status)) return Diagnostic{{path, 0, 0, ""}, "is not a plain file"};
  uintmax_t size = fs::file_size(root / path, ec);
  uintmax_t limit = is_packet_document_path(path) ? kMaxPacketDocumentBytes : kMaxPlanFileBytes;
  if (!ec && size > limit)
    return Diagnostic{{path, 0, 0, ""}, "is " + std::to_string(size >> 20) + " MB, more than the " +
                                            std::to_string(limit >> 20) + " MB lorsync syncs"};
  return std::nullopt;
}

// "status, events" or "notes": what an outside edit changed, for its commit message.
std::string changed_fields(const DocumentRef& ref, const std::string& path, const std::string& old_text,
                           const Document& now) {
  ParsedDocument before = parse_document(ref.kind, path, ref.id, old_text);
  if (!before.document) return "";
  std::vector<std::string> fields;
  const nlohmann::json& old_data = before.document->data;
  for (const auto& [key, value] : now.data.items())
    if (!old_data.contains(key) || old_data[key] != value) fields.push_back(key);
  for (const auto& [key, value] : old_data.items())
    if (!now.data.contains(key)) fields.push_back("-" + key);
  if (before.document->body() != now.body()) fields.push_back("notes");
  std::string summary = join(fields, ", ");
  return summary.size() > 100 ? summary.substr(0, 97) + "..." : summary;
}

bool same_problem(const Diagnostic& a, const Diagnostic& b) {
  return a.where.path == b.where.path && a.where.field == b.where.field && a.message == b.message;
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

Result<CommitResult> Store::init(const fs::path& root, const InitOptions& options) {
  std::error_code ec;
  if (fs::exists(root / kPlanFileName, ec))
    return make_error(ErrorCode::exists, "a plan already exists at " + root.string());
  if (fs::exists(root, ec) && !fs::is_empty(root, ec))
    return make_error(ErrorCode::exists, root.string() + " is not empty; choose a new or empty folder for the plan");

  std::vector<FileChange> files = {{".gitignore", kGitignore}, {".gitattributes", kGitattributes}};
  if (options.sample) {
    auto sample = sample_plan_files(options.today);
    files.insert(files.end(), sample.begin(), sample.end());
  } else {
    files.push_back({kPlanFileName, new_plan_yaml(options.applicant_name.empty() ? "Your Name" : options.applicant_name,
                                                  options.today)});
    files.push_back({kPacketSummaryPath, kNewPacketSummary});
  }
  const bool root_existed = fs::exists(root, ec);
  fs::create_directories(root, ec);
  if (ec) return make_error(ErrorCode::io, "cannot create " + root.string() + ": " + ec.message());
  // A failed init (no git author, say) leaves nothing behind, so running it again just works.
  auto undo = [&](Error error) {
    std::error_code ignored;
    if (!root_existed) {
      fs::remove_all(root, ignored);
    } else {
      for (const auto& entry : fs::directory_iterator(root, ignored)) fs::remove_all(entry.path(), ignored);
    }
    return error;
  };
  auto repository = Repository::create(root);
  if (!repository) return undo(repository.take_error());
  for (const auto& file : files) {
    Status written = write_file_atomically(root / file.path, *file.contents);
    if (!written) return undo(written.take_error());
  }
  CheckedPlan checked = PlanChecker(root).check();
  if (!checked.valid())
    return undo(make_error(ErrorCode::invalid_plan, "the new plan does not validate", std::move(checked.diagnostics)));
  std::string device = options.store.device.empty() ? default_device() : options.store.device;
  std::string summary = options.sample ? "sample plan" : "new plan";
  std::string message = "init: plan — " + summary + "\n\nLorsync-Device: " + device + "\n";
  if (!options.merge_driver.empty()) {
    Status configured = repository->configure_merge_driver(options.merge_driver);
    if (!configured) return undo(configured.take_error());
  }
  auto commit = repository->commit(files, message);
  if (!commit) return undo(commit.take_error());
  spdlog::info("created a plan repository at {}", root.string());
  return CommitResult{commit.value(), kPlanFileName, "", "init: plan — " + summary};
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

namespace {

// Whether the conflict is about one field's value (not a body's text, not a whole file).
bool is_field_conflict(const SyncConflict& conflict) {
  return conflict.field != "notes" && conflict.field != "text" && conflict.field != "file";
}

// The document a conflict's path names; nullopt for a path that is not a plan document.
std::optional<DocumentRef> document_ref_of(const std::string& path) {
  if (path == kPlanFileName) return DocumentRef{};
  size_t slash = path.find('/');
  auto entity = slash == std::string::npos ? std::nullopt : parse_kind(path.substr(0, slash));
  if (!entity || !path.ends_with(".md")) return std::nullopt;
  return DocumentRef{document_kind(*entity), path.substr(slash + 1, path.size() - slash - 1 - 3)};
}

// The value a conflict's field has in the plan now (the user may have changed it since the merge), as the
// record shows values; nullopt for conflicts that are not about one field's value, or a file that does not parse.
std::optional<std::string> current_value(const fs::path& root, const SyncConflict& conflict) {
  if (!is_field_conflict(conflict)) return std::nullopt;
  auto ref = document_ref_of(conflict.path);
  if (!ref) return std::nullopt;
  std::optional<std::string> text = read_whole(root / conflict.path);
  if (!text) return conflict_value_text(nullptr);
  ParsedDocument parsed = parse_document(ref->kind, conflict.path, ref->id, *text);
  if (!parsed.document) return std::nullopt;
  const nlohmann::json* value = &parsed.document->data;
  for (const auto& key : split_field_path(conflict.field))
    value = value && value->is_object() && value->contains(key) ? &value->at(key) : nullptr;
  return conflict_value_text(value);
}

// The edit that puts back a value the record shows as text (conflict_value_text's inverse): text where the
// schema expects text, otherwise the JSON it was written as; "(removed)" removes the field.
FieldEdit edit_restoring(DocumentKind kind, const SyncConflict& conflict) {
  std::vector<std::string> path = split_field_path(conflict.field);
  if (conflict.lost_value == conflict_value_text(nullptr)) return FieldEdit{FieldEdit::Op::remove, path, nullptr};
  const SchemaSet& schemas = SchemaSet::instance();
  const nlohmann::json* schema = schemas.schema_at(kind, path);
  bool text = schema && schemas.resolved(kind, *schema).value("type", "") == "string";
  nlohmann::json value = text ? nlohmann::json() : nlohmann::json::parse(conflict.lost_value, nullptr, false);
  if (value.is_discarded() || text) value = conflict.lost_value;
  return FieldEdit{FieldEdit::Op::set, path, std::move(value)};
}

}  // namespace

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

Result<CommitResult> Store::resolve(const std::string& path, const std::string& field, ResolveKeep keep) {
  auto lock = lock_for_change();
  if (!lock) return lock.take_error();
  last_committed_.reset();
  std::optional<std::string> old_text = read_whole(root_ / kSyncConflictsPath);
  ParsedSyncConflicts parsed = parse_sync_conflicts(old_text.value_or(""));
  if (!parsed.diagnostics.empty())
    return make_error(ErrorCode::invalid_plan, std::string(kSyncConflictsPath) + " cannot be read", parsed.diagnostics);
  std::vector<SyncConflict> open, settled;
  for (auto& conflict : parsed.conflicts) {
    bool chosen = (path.empty() || conflict.path == path) && (field.empty() || conflict.field == field);
    (chosen ? settled : open).push_back(std::move(conflict));
  }
  if (settled.empty()) {
    if (open.empty()) return make_error(ErrorCode::not_found, "there are no sync conflicts to resolve");
    std::string listing;
    for (const auto& conflict : open) listing += "\n  " + conflict.path + " " + conflict.field;
    return make_error(ErrorCode::not_found, "no open sync conflict matches " + in_quotes(path + (field.empty() ? "" : " " + field)) +
                                                "; open ones:" + listing);
  }
  std::string new_text = emit_sync_conflicts(open);
  PendingWrite record{kSyncConflictsPath, old_text, new_text.empty() ? std::nullopt : std::optional(new_text)};
  if (keep == ResolveKeep::other) return keep_set_aside(settled, std::move(record));
  std::string what = settled.size() == 1 ? settled[0].path + " " + settled[0].field + " kept as \"" +
                                               current_value(root_, settled[0]).value_or(settled[0].kept_value) + "\""
                                         : count_of(settled.size(), "conflict") + " settled as the plan has them";
  return write_and_commit({std::move(record)}, "resolve: sync-conflicts — " + what);
}

Result<CommitResult> Store::keep_set_aside(const std::vector<SyncConflict>& settled, PendingWrite record) {
  if (settled.size() != 1 || !is_field_conflict(settled[0]))
    return make_error(ErrorCode::usage, settled.size() != 1
                                            ? "keeping the other value settles one conflict: name its PATH and FIELD"
                                            : settled[0].path + " " + settled[0].field +
                                                  ": both versions are in the plan already; edit what you keep, then resolve");
  const SyncConflict& conflict = settled[0];
  auto target = document_ref_of(conflict.path);
  if (!target) return make_error(ErrorCode::usage, conflict.path + " is not a plan document");
  const std::string now = current_value(root_, conflict).value_or(conflict.kept_value);
  if (now == conflict.lost_value)  // set by hand since the merge: only the record is left to settle
    return write_and_commit({std::move(record)}, "resolve: sync-conflicts — " + conflict.path + " " + conflict.field +
                                                     " kept as \"" + now + "\"");
  FieldEdit restore = edit_restoring(target->kind, conflict);
  auto document = edited_document(*target, {restore});
  if (!document) return document.take_error();
  std::string summary = conflict.field + " kept as \"" + conflict.lost_value + "\" (from " + conflict.lost_device +
                        "), not \"" + now + "\"";
  return commit_locked(*target, std::move(document.value()), "resolve", summary, std::nullopt, true, {std::move(record)});
}

Result<CommitResult> Store::commit_change(const DocumentRef& target, const std::optional<Document>& new_document,
                                          const std::string& verb, const std::string& summary,
                                          const std::optional<std::string>& if_revision, bool must_exist) {
  auto lock = lock_for_change();
  if (!lock) return lock.take_error();
  return commit_locked(target, new_document, verb, summary, if_revision, must_exist);
}

Result<CommitResult> Store::commit_locked(const DocumentRef& target, const std::optional<Document>& new_document,
                                          const std::string& verb, const std::string& summary,
                                          const std::optional<std::string>& if_revision, bool must_exist,
                                          std::vector<PendingWrite> also) {
  last_committed_.reset();
  const std::string path = target.path();
  std::optional<std::string> old_text = read_whole(root_ / path);
  if (must_exist && !old_text) return make_error(ErrorCode::not_found, "no " + path + " in this plan");
  if (!must_exist && old_text) return make_error(ErrorCode::exists, path + " already exists");
  if (old_text && new_document && *old_text == new_document->text)
    return make_error(ErrorCode::usage, "nothing changed: " + path + " already has these values");
  if (if_revision && old_text && Repository::blob_id(*old_text) != *if_revision)
    return make_error(ErrorCode::conflict, path + " changed since revision " + *if_revision + "; its revision is now " +
                                               Repository::blob_id(*old_text));

  // Refuse what the change breaks; problems the plan already had elsewhere do not block it. Problems this
  // file already had do: committing it would put them into the plan's history, so say whose they are.
  DocumentPtr overlay = new_document ? std::make_shared<const Document>(*new_document) : nullptr;
  CheckedPlan after = checker_.check({FileOverlay{path, target.kind, target.id, overlay}});
  std::vector<Diagnostic> introduced, carried;
  if (!after.valid()) {
    CheckedPlan before = checker_.check();
    for (const auto& problem : after.diagnostics) {
      bool preexisting = std::any_of(before.diagnostics.begin(), before.diagnostics.end(),
                                     [&](const Diagnostic& old) { return same_problem(old, problem); });
      if (!preexisting) introduced.push_back(problem);
      else if (problem.where.path == path) carried.push_back(problem);
    }
  }
  if (!introduced.empty())
    return make_error(ErrorCode::invalid_plan, "the change was not made: it would leave the plan invalid",
                      std::move(introduced));
  if (!carried.empty()) {
    auto unknown = std::find_if(carried.begin(), carried.end(), [](const Diagnostic& d) {
      return d.message.starts_with("unknown field") && !d.where.field.empty();
    });
    std::string fix = unknown == carried.end()
                          ? "fix it by hand, or in the same change"
                          : "fix it in the same change, e.g. remove the unknown field with `lorsync set " +
                                (target.kind == DocumentKind::plan
                                     ? std::string("plan")
                                     : std::string(kind_name(*entity_kind(target.kind))) + " " + target.id) +
                                " ... --unset " + unknown->where.field + "`";
    std::string message = "the change was not made: " + path + " already has " +
                          (carried.size() == 1 ? std::string("a problem") : count_of(carried.size(), "problem")) +
                          " of its own, which the change would commit; " + fix;
    return make_error(ErrorCode::invalid_plan, std::move(message), std::move(carried));
  }

  std::optional<std::string> new_text;
  if (new_document) new_text = new_document->text;
  // The plan checked above is the one committed only when this document is all that changes.
  const bool checked_as_committed = also.empty();
  also.insert(also.begin(), PendingWrite{path, std::move(old_text), std::move(new_text)});
  auto result = write_and_commit(std::move(also), verb + ": " + target.label() + " — " + summary);
  if (result && after.valid() && checked_as_committed) last_committed_ = std::move(after);
  return result;
}

Result<CommitResult> Store::write_and_commit(const std::vector<PendingWrite>& writes, const std::string& first_line) {
  // Put the files back as they were when a write or the commit fails: a change that was not committed is not made.
  auto restore = [&](size_t count) {
    for (size_t i = 0; i < count; ++i) {
      const PendingWrite& write = writes[i];
      Status restored = write.old_text ? write_file_atomically(root_ / write.path, *write.old_text)
                                       : remove_file_durably(root_ / write.path);
      if (!restored) spdlog::error("could not restore {} after a failed commit: {}", write.path, restored.error().message);
    }
  };
  for (const PendingWrite& write : writes)
    if (auto link = linked_folder(root_, write.path))
      return make_error(ErrorCode::invalid_plan, "the change was not made: " + link->where.path + " " + link->message,
                        {*link});
  std::vector<FileChange> changes;
  for (size_t i = 0; i < writes.size(); ++i) {
    const PendingWrite& write = writes[i];
    Status written = write.new_text ? write_file_atomically(root_ / write.path, *write.new_text)
                                    : remove_file_durably(root_ / write.path);
    if (!written) {
      restore(i);
      return written.take_error();
    }
    changes.push_back(FileChange{write.path, write.new_text});
  }
  auto commit = repository_.commit(changes, with_trailer(first_line));
  if (!commit) {
    restore(writes.size());
    return commit.take_error();
  }
  const PendingWrite& first = writes.front();
  spdlog::debug("committed {} ({})", first.path, commit.value());
  CommitResult result{commit.value(), first.path, first.new_text ? Repository::blob_id(*first.new_text) : "", first_line, {}};
  for (size_t i = 1; i < writes.size(); ++i) result.also_changed.push_back(writes[i].path);
  return result;
}

namespace {

// Where git's merge driver leaves the conflicts of a merge until it is committed: one file per merged-in commit.
fs::path git_merge_notes(const fs::path& root) { return root / ".lorsync" / "merge-conflicts"; }

}  // namespace

Status Store::note_git_merge_conflicts(const fs::path& root, const std::string& theirs_commit,
                                       const std::vector<SyncConflict>& conflicts) {
  if (conflicts.empty()) return Ok{};
  const fs::path note = git_merge_notes(root) / ((theirs_commit.empty() ? "unknown" : theirs_commit) + ".yaml");
  std::error_code ec;
  fs::create_directories(note.parent_path(), ec);
  if (ec) return make_error(ErrorCode::io, "cannot create " + note.parent_path().string() + ": " + ec.message());
  // git runs the driver once per file: add this file's conflicts to those of the files merged before it.
  ParsedSyncConflicts noted = parse_sync_conflicts(read_whole(note).value_or(""));
  noted.conflicts.insert(noted.conflicts.end(), conflicts.begin(), conflicts.end());
  return write_file_atomically(note, emit_sync_conflicts(std::move(noted.conflicts)));
}

Result<std::optional<CommitResult>> Store::record_git_merge_conflicts() {
  std::error_code ec;
  std::vector<fs::path> notes;
  for (const auto& entry : fs::directory_iterator(git_merge_notes(root_), ec))
    if (entry.path().extension() == ".yaml") notes.push_back(entry.path());
  if (notes.empty()) return std::optional<CommitResult>();
  std::sort(notes.begin(), notes.end());
  std::vector<SyncConflict> found;
  for (const auto& note : notes) {
    std::string commit = note.stem().string();
    auto merged = commit == "unknown" ? Result<bool>(true) : repository_.head_contains(commit);
    if (!merged) return merged.take_error();
    if (merged.value()) {
      ParsedSyncConflicts noted = parse_sync_conflicts(read_whole(note).value_or(""));
      found.insert(found.end(), noted.conflicts.begin(), noted.conflicts.end());
    } else {
      spdlog::info("dropping the conflicts of a git merge of {} that was not committed", commit.substr(0, 8));
    }
  }
  std::optional<CommitResult> committed;
  if (!found.empty()) {
    std::optional<std::string> old_text = read_whole(root_ / kSyncConflictsPath);
    ParsedSyncConflicts recorded = parse_sync_conflicts(old_text.value_or(""));
    if (!recorded.diagnostics.empty())
      return make_error(ErrorCode::invalid_plan, std::string(kSyncConflictsPath) + " cannot be read", recorded.diagnostics);
    const size_t count = found.size();
    found.insert(found.end(), recorded.conflicts.begin(), recorded.conflicts.end());
    std::string new_text = emit_sync_conflicts(std::move(found));
    if (new_text != old_text.value_or("")) {
      auto result = write_and_commit({PendingWrite{kSyncConflictsPath, old_text, new_text}},
                                     "sync: sync-conflicts — " + count_of(count, "conflict") + " of a git merge");
      if (!result) return result.take_error();
      committed = std::move(result.value());
    }
  }
  for (const auto& note : notes) fs::remove(note, ec);
  return committed;
}

OutsideEdits Store::commit_outside_edits() {
  OutsideEdits out;
  auto lock = lock_for_change();
  if (!lock) {
    out.error = lock.take_error();
    return out;
  }
  // In the middle of a merge or rebase the work tree is the user's git session, not an edit to commit.
  if (!repository_.at_rest()) return out;
  auto recorded = record_git_merge_conflicts();
  if (!recorded) {
    out.error = recorded.take_error();
    return out;
  }
  if (recorded.value()) out.committed.push_back(std::move(*recorded.value()));
  auto changed = repository_.changed_paths();
  if (!changed) {
    out.error = changed.take_error();
    return out;
  }
  // Each file is read once: the bytes checked are the bytes committed, even if the editor saves again meanwhile.
  struct Read {
    OutsideEdit edit;
    std::optional<std::string> text, head_text;
  };
  std::vector<Read> reads;
  std::vector<FileOverlay> overlays;
  std::vector<Diagnostic> problems;
  // A file in a kind folder that is not a plan file (a bad name, say) is not committed, but the check must
  // still run, for it reports the file: the user must hear of it, not have it skipped in silence.
  bool unreadable_plan_file = false;
  for (const auto& path : changed.value()) {
    auto edit = outside_edit(path);
    if (!edit) {
      unreadable_plan_file = unreadable_plan_file || kind_folder_of(path).has_value();
      continue;
    }
    // The checker admits plan documents; the other files are taken as they are, so they are looked at here.
    if (auto refused = edit->document ? std::nullopt : unfit_to_commit(root_, path)) {
      problems.push_back(std::move(*refused));
      continue;
    }
    auto head_text = repository_.head_file(path);
    if (!head_text) {
      out.error = head_text.take_error();
      return out;
    }
    std::optional<std::string> text = read_whole(root_ / path);
    if (text == head_text.value()) continue;  // only the index lagged behind; nothing to commit
    if (edit->document) {
      DocumentPtr document;
      if (text) {
        ParsedDocument parsed = parse_document(edit->document->kind, path, edit->document->id, *text);
        if (!parsed.document) {
          problems.insert(problems.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
          continue;
        }
        document = std::make_shared<const Document>(std::move(*parsed.document));
      }
      overlays.push_back(FileOverlay{path, edit->document->kind, edit->document->id, document});
    }
    reads.push_back(Read{std::move(*edit), std::move(text), std::move(head_text.value())});
  }
  if (reads.empty() && problems.empty() && !unreadable_plan_file) return out;
  CheckedPlan checked = checker_.check(overlays);
  problems.insert(problems.end(), checked.diagnostics.begin(), checked.diagnostics.end());
  if (!problems.empty()) {
    out.error = make_error(ErrorCode::invalid_plan, "the plan as edited outside lorsync has problems; not committed",
                           std::move(problems));
    return out;
  }
  for (const auto& read : reads) {
    std::string summary = !read.text ? "removed outside lorsync" : !read.head_text ? "added outside lorsync"
                                                                                   : "edited outside lorsync";
    if (read.text && read.head_text && read.edit.document) {
      const DocumentRef& ref = *read.edit.document;
      const Document* now = ref.kind == DocumentKind::plan ? checked.plan.settings.get()
                                                           : checked.plan.find(*entity_kind(ref.kind), ref.id);
      std::string fields = now ? changed_fields(ref, read.edit.path, *read.head_text, *now) : "";
      if (!fields.empty()) summary = fields + " (edited outside lorsync)";
    }
    std::string first_line = "edit: " + read.edit.label + " — " + summary;
    auto commit = repository_.commit({FileChange{read.edit.path, read.text}}, with_trailer(first_line));
    if (!commit) {
      out.error = commit.take_error();
      return out;
    }
    spdlog::debug("committed an outside edit of {} ({})", read.edit.label, commit.value());
    out.committed.push_back(
        CommitResult{commit.value(), read.edit.path, read.text ? Repository::blob_id(*read.text) : "", first_line});
  }
  return out;
}

CheckedPlan Store::check_as_served() {
  CheckedPlan now = checker_.check();
  if (now.valid()) return now;
  std::vector<FileOverlay> overlays;
  std::set<std::string> seen;
  for (const auto& problem : now.diagnostics) {
    if (!seen.insert(problem.where.path).second) continue;
    auto edit = outside_edit(problem.where.path);
    auto head_text = repository_.head_file(problem.where.path);
    if (!edit || !edit->document || !head_text) continue;
    DocumentPtr committed;
    if (head_text.value()) {
      ParsedDocument parsed = parse_document(edit->document->kind, problem.where.path, edit->document->id, **head_text);
      if (parsed.document) committed = std::make_shared<const Document>(std::move(*parsed.document));
    }
    overlays.push_back(FileOverlay{problem.where.path, edit->document->kind, edit->document->id, committed});
  }
  return overlays.empty() ? now : checker_.check(overlays);
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
