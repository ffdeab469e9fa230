// store/conflict_records: sync-conflicts.yaml's two writers here: the conflicts git's merge driver noted
// during a `git merge`, recorded once that merge is committed, and `resolve`, which settles recorded
// conflicts (keeping the plan's value, or putting back the one the merge set aside).
#include "store/store.hpp"

#include "common/text.hpp"
#include "merge/merge_file.hpp"
#include "model/document.hpp"
#include "model/plan.hpp"
#include "store/atomic_file.hpp"
#include "store/store_internal.hpp"
#include "validation/schema_set.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

// Where git's merge driver leaves the conflicts of a merge until it is committed: one file per merged-in commit.
fs::path git_merge_notes(const fs::path& root) { return root / ".lorsync" / "merge-conflicts"; }

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

}  // namespace lorsync
