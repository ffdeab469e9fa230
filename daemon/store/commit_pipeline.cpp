// store/commit_pipeline: how one change becomes one commit, in phases: stage (the file's text now, and
// whether the change applies to it), check (the plan with the change, refused if the change breaks it),
// write (atomically, put back if a later phase fails), commit, and publish (the checked plan kept for the
// daemon, so that it need not check again).
#include "store/store.hpp"

#include "common/text.hpp"
#include "model/plan.hpp"
#include "store/atomic_file.hpp"
#include "store/store_internal.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

bool same_problem(const Diagnostic& a, const Diagnostic& b) {
  return a.where.path == b.where.path && a.where.field == b.where.field && a.message == b.message;
}

// Stage: the file's text now (nullopt: absent), refused when the change does not apply to it.
Result<std::optional<std::string>> stage(const fs::path& root, const std::string& path,
                                         const std::optional<Document>& new_document,
                                         const std::optional<std::string>& if_revision, bool must_exist) {
  std::optional<std::string> old_text = read_whole(root / path);
  if (must_exist && !old_text) return make_error(ErrorCode::not_found, "no " + path + " in this plan");
  if (!must_exist && old_text) return make_error(ErrorCode::exists, path + " already exists");
  if (old_text && new_document && *old_text == new_document->text)
    return make_error(ErrorCode::usage, "nothing changed: " + path + " already has these values");
  if (if_revision && old_text && Repository::blob_id(*old_text) != *if_revision)
    return make_error(ErrorCode::conflict, path + " changed since revision " + *if_revision + "; its revision is now " +
                                               Repository::blob_id(*old_text));
  return old_text;
}

// The refusal of a change to a file that has problems of its own: committing it would put them into the
// plan's history. It says how to fix them in the same change.
Error carried_problems_refusal(const DocumentRef& target, std::vector<Diagnostic> carried) {
  const std::string path = target.path();
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

// Check: the plan with the change, refused for what the change breaks; problems the plan already had
// elsewhere do not block it. Problems this file already had do (carried_problems_refusal).
Result<CheckedPlan> check_candidate(PlanChecker& checker, const DocumentRef& target,
                                    const std::optional<Document>& new_document) {
  const std::string path = target.path();
  DocumentPtr overlay = new_document ? std::make_shared<const Document>(*new_document) : nullptr;
  CheckedPlan after = checker.check({FileOverlay{path, target.kind, target.id, overlay}});
  if (after.valid()) return after;
  std::vector<Diagnostic> introduced, carried;
  CheckedPlan before = checker.check();
  for (const auto& problem : after.diagnostics) {
    bool preexisting = std::any_of(before.diagnostics.begin(), before.diagnostics.end(),
                                   [&](const Diagnostic& old) { return same_problem(old, problem); });
    if (!preexisting) introduced.push_back(problem);
    else if (problem.where.path == path) carried.push_back(problem);
  }
  if (!introduced.empty())
    return make_error(ErrorCode::invalid_plan, "the change was not made: it would leave the plan invalid",
                      std::move(introduced));
  if (!carried.empty()) return carried_problems_refusal(target, std::move(carried));
  return after;
}

// A file as `text` has it: written atomically, or removed when nullopt.
Status put_file(const fs::path& file, const std::optional<std::string>& text) {
  return text ? write_file_atomically(file, *text) : remove_file_durably(file);
}

}  // namespace

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
  auto old_text = stage(root_, path, new_document, if_revision, must_exist);
  if (!old_text) return old_text.take_error();
  auto candidate = check_candidate(checker_, target, new_document);
  if (!candidate) return candidate.take_error();

  std::optional<std::string> new_text;
  if (new_document) new_text = new_document->text;
  // The plan checked above is the one committed only when this document is all that changes.
  const bool checked_as_committed = also.empty();
  also.insert(also.begin(), PendingWrite{path, std::move(old_text.value()), std::move(new_text)});
  auto result = write_and_commit(std::move(also), verb + ": " + target.label() + " — " + summary);
  // Publish: the daemon takes this plan instead of checking it again.
  if (result && candidate->valid() && checked_as_committed) last_committed_ = std::move(candidate.value());
  return result;
}

Result<CommitResult> Store::write_and_commit(const std::vector<PendingWrite>& writes, const std::string& first_line) {
  for (const PendingWrite& write : writes)
    if (auto link = linked_folder(root_, write.path))
      return make_error(ErrorCode::invalid_plan, "the change was not made: " + link->where.path + " " + link->message,
                        {*link});
  if (Status written = write_files(writes); !written) return written.take_error();
  std::vector<FileChange> changes;
  for (const PendingWrite& write : writes) changes.push_back(FileChange{write.path, write.new_text});
  auto commit = repository_.commit(changes, with_trailer(first_line));
  if (!commit) {
    restore_files(writes, writes.size());
    return commit.take_error();
  }
  const PendingWrite& first = writes.front();
  spdlog::debug("committed {} ({})", first.path, commit.value());
  CommitResult result{commit.value(), first.path, first.new_text ? Repository::blob_id(*first.new_text) : "", first_line, {}};
  for (size_t i = 1; i < writes.size(); ++i) result.also_changed.push_back(writes[i].path);
  return result;
}

Status Store::write_files(const std::vector<PendingWrite>& writes) {
  for (size_t i = 0; i < writes.size(); ++i) {
    Status written = put_file(root_ / writes[i].path, writes[i].new_text);
    if (!written) {
      restore_files(writes, i);
      return written;
    }
  }
  return Ok{};
}

void Store::restore_files(const std::vector<PendingWrite>& writes, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    Status restored = put_file(root_ / writes[i].path, writes[i].old_text);
    if (!restored) spdlog::error("could not restore {} after a failed commit: {}", writes[i].path, restored.error().message);
  }
}

}  // namespace lorsync
