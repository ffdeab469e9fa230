// store/outside_edits: plan files changed outside lorsync (an editor, a script): which files are plan
// files, committing them once the plan they make is valid, and the plan to serve meanwhile (HEAD's
// version of the files whose edits have problems).
#include "store/store.hpp"

#include "common/text.hpp"
#include "model/document.hpp"
#include "model/plan.hpp"
#include "store/store_internal.hpp"

#include <spdlog/spdlog.h>

#include <set>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

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

// One changed file as read for its commit, read once: the bytes checked are the bytes committed, even if
// the editor saves again meanwhile.
struct OutsideRead {
  OutsideEdit edit;
  std::optional<std::string> text, head_text;
};

// What the changed files hold: the edits to commit, the documents the check takes in their place, and the
// problems found reading them.
struct OutsideReads {
  std::vector<OutsideRead> reads;
  std::vector<FileOverlay> overlays;
  std::vector<Diagnostic> problems;
  // A file in a kind folder that is not a plan file (a bad name, say) is not committed, but the check must
  // still run, for it reports the file: the user must hear of it, not have it skipped in silence.
  bool unreadable_plan_file = false;
  bool nothing_to_check() const { return reads.empty() && problems.empty() && !unreadable_plan_file; }
};

// commit_outside_edits' read phase: the plan files among `changed` whose text differs from HEAD's.
Result<OutsideReads> read_outside_edits(const fs::path& root, Repository& repository,
                                        const std::vector<std::string>& changed) {
  OutsideReads out;
  for (const auto& path : changed) {
    auto edit = outside_edit(path);
    if (!edit) {
      out.unreadable_plan_file = out.unreadable_plan_file || kind_folder_of(path).has_value();
      continue;
    }
    // The checker admits plan documents; the other files are taken as they are, so they are looked at here.
    if (auto refused = edit->document ? std::nullopt : unfit_to_commit(root, path)) {
      out.problems.push_back(std::move(*refused));
      continue;
    }
    auto head_text = repository.head_file(path);
    if (!head_text) return head_text.take_error();
    std::optional<std::string> text = read_whole(root / path);
    if (text == head_text.value()) continue;  // only the index lagged behind; nothing to commit
    if (edit->document) {
      DocumentPtr document;
      if (text) {
        ParsedDocument parsed = parse_document(edit->document->kind, path, edit->document->id, *text);
        if (!parsed.document) {
          out.problems.insert(out.problems.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
          continue;
        }
        document = std::make_shared<const Document>(std::move(*parsed.document));
      }
      out.overlays.push_back(FileOverlay{path, edit->document->kind, edit->document->id, document});
    }
    out.reads.push_back(OutsideRead{std::move(*edit), std::move(text), std::move(head_text.value())});
  }
  return out;
}

// The first line of an outside edit's commit: "edit: letters/lee-pmr — status, events (edited outside
// lorsync)", with the fields it changed in `plan` (the plan as checked) when it is an edited document.
std::string outside_edit_message(const OutsideRead& read, const Plan& plan) {
  std::string summary = !read.text ? "removed outside lorsync" : !read.head_text ? "added outside lorsync"
                                                                                 : "edited outside lorsync";
  if (read.text && read.head_text && read.edit.document) {
    const DocumentRef& ref = *read.edit.document;
    const Document* now = ref.kind == DocumentKind::plan ? plan.settings.get() : plan.find(*entity_kind(ref.kind), ref.id);
    std::string fields = now ? changed_fields(ref, read.edit.path, *read.head_text, *now) : "";
    if (!fields.empty()) summary = fields + " (edited outside lorsync)";
  }
  return "edit: " + read.edit.label + " — " + summary;
}

}  // namespace

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
  auto edits = read_outside_edits(root_, repository_, changed.value());
  if (!edits) {
    out.error = edits.take_error();
    return out;
  }
  if (edits->nothing_to_check()) return out;
  CheckedPlan checked = checker_.check(edits->overlays);
  std::vector<Diagnostic>& problems = edits->problems;
  problems.insert(problems.end(), checked.diagnostics.begin(), checked.diagnostics.end());
  if (!problems.empty()) {
    out.error = make_error(ErrorCode::invalid_plan, "the plan as edited outside lorsync has problems; not committed",
                           std::move(problems));
    return out;
  }
  for (const auto& read : edits->reads) {
    std::string first_line = outside_edit_message(read, checked.plan);
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

}  // namespace lorsync
