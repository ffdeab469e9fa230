// store/store: the one place plan changes are made. Each change is checked
// against the whole plan before anything is written, written atomically,
// committed as one commit `VERB: KIND/ID — summary` with a Lorsync-Device
// trailer, under the plan's single-writer lock. Store's member functions live
// in one file per job: store.cpp, commit_pipeline.cpp, plan_init.cpp,
// outside_edits.cpp, conflict_records.cpp (and the sample plan in sample.cpp).
#pragma once

#include "common/date.hpp"
#include "common/diagnostic.hpp"
#include "model/front_matter_edit.hpp"
#include "model/sync_conflicts.hpp"
#include "store/plan_lock.hpp"
#include "store/repository.hpp"
#include "validation/plan_check.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lorsync {

struct StoreOptions {
  std::string device;  // for the Lorsync-Device trailer; empty: $LORSYNC_DEVICE, else the host name
  std::chrono::milliseconds lock_patience{10000};
};

struct CommitResult {
  std::string commit;    // the new commit's id
  std::string path;      // the file changed
  std::string revision;  // the file's new blob id; empty after a removal
  std::string message;   // first line of the commit message, "VERB: KIND/ID — summary"
  std::vector<std::string> also_changed = {};  // other files the same commit changed (a resolve keeping the other value)
  // What changed, for people: the message after "VERB: KIND/ID — "; the whole message when it has no such part.
  std::string summary() const;
};

// The one wire form, for the API's results, the CLI's --json and the CLI's daemon client:
// {commit, path, revision (null after a removal), message}.
void to_json(nlohmann::json& out, const CommitResult& result);
void from_json(const nlohmann::json& in, CommitResult& result);

// Which document a change is about: an entity, or plan.yaml itself (kind plan, no id).
struct DocumentRef {
  DocumentKind kind = DocumentKind::plan;
  std::string id;
  std::string path() const;
  std::string label() const;  // "letters/lee-pmr" or "plan"
};

struct LetterEvent {
  Date date;
  std::string event;  // asked, agreed, ...
  std::string via;    // optional
  std::string note;   // optional
  // packet-sent: which documents went (the letter's `packet` field gains them); nullopt: those plan.yaml names.
  std::optional<std::vector<std::string>> packet = std::nullopt;
};

// What commit_outside_edits did: the commits made (also when it then failed), and the failure.
struct OutsideEdits {
  std::vector<CommitResult> committed;
  std::optional<Error> error;  // invalid_plan: the edits' problems, nothing committed
};

// Which value `resolve` keeps: the one the plan has now, or the one the merge set aside.
enum class ResolveKeep { current, other };

struct InitOptions {
  bool sample = false;
  Date today;
  std::string applicant_name;  // for a new empty plan; empty: a placeholder
  std::string merge_driver;    // the command git runs to merge plan files (`lorsync merge-file ...`); empty: none
  StoreOptions store;
};

// Ok when `root` holds a plan (its plan.yaml); else the not_found error that says how to make one.
Status require_plan(const std::filesystem::path& root);

class Store {
 public:
  static Result<Store> open(const std::filesystem::path& root, StoreOptions options = {});
  // Creates a new plan repository at `root` (missing or empty folder) with its first commit.
  static Result<CommitResult> init(const std::filesystem::path& root, const InitOptions& options);

  CheckedPlan check() { return checker_.check(); }
  // The plan as the last change left it, already checked before it was committed; nullopt once taken
  // (or if it had problems elsewhere). Spares the daemon checking the plan again after its own write.
  std::optional<CheckedPlan> take_committed_plan() { return std::exchange(last_committed_, std::nullopt); }

  Result<CommitResult> create(EntityKind kind, const std::string& id, const std::vector<FieldEdit>& fields,
                              const std::string& body = "");
  Result<CommitResult> update(const DocumentRef& target, const std::vector<FieldEdit>& edits,
                              const std::optional<std::string>& if_revision = std::nullopt);
  Result<CommitResult> remove(EntityKind kind, const std::string& id,
                              const std::optional<std::string>& if_revision = std::nullopt);
  Result<CommitResult> record(const std::string& letter_id, const LetterEvent& event);

  // Commits the plan files changed outside lorsync (an editor, a script) as `edit: KIND/ID`, one commit per
  // file, if the plan they make is valid; if it is not, commits nothing and returns the diagnostics. Nothing
  // is done while a merge or rebase is in progress.
  OutsideEdits commit_outside_edits();
  // git's merge driver (`lorsync merge-file`) runs in the middle of a `git merge`, when the plan cannot be
  // committed: it leaves the conflicts it found for one file in .lorsync/, and the next commit_outside_edits
  // after the merge is committed records them in sync-conflicts.yaml (a merge given up drops them).
  static Status note_git_merge_conflicts(const std::filesystem::path& root, const std::string& theirs_commit,
                                         const std::vector<SyncConflict>& conflicts);

  // The plan to serve: the work tree, except that files with problems are taken as HEAD has them, so that
  // one bad edit in an editor does not hide every other change.
  CheckedPlan check_as_served();

  // Brings another device's commit (fetched already) into the plan: fast-forward or semantic merge, one
  // commit, under the writer lock. A merged plan that does not validate is committed all the same (the
  // user's data is never dropped to keep the plan valid); its problems come back in `problems`.
  struct Integrated {
    Integration integration;
    std::vector<Diagnostic> problems;
  };
  Result<Integrated> integrate(const std::string& commit);

  // Recovers from a writer that died mid-change (a commit, a sync's merge): the daemon does this first, so
  // that it never serves a half-written work tree.
  Status recover_interrupted_change();

  // Settles recorded sync conflicts: those of `path` (all of them when empty) and `field` (all of the path's
  // when empty), keeping the values the plan has now, or (ResolveKeep::other, one field conflict) putting back
  // the value the merge set aside. One commit; not_found when nothing matches.
  Result<CommitResult> resolve(const std::string& path, const std::string& field, ResolveKeep keep = ResolveKeep::current);

  // The blob id of a plan file as it is on disk now; nullopt when it does not exist.
  std::optional<std::string> revision_of(const std::string& path) const;

  // A client's id for one change (request_id in the API, at most 128 of A-Z a-z 0-9 . _ : -): the commits
  // made while the returned scope lives carry it as their Lorsync-Request trailer, so that a retry of the
  // change (its reply lost) is recognised by find_request and answered, not applied twice.
  class RequestScope {
   public:
    RequestScope(Store& store, std::string request_id) : store_(store) { store_.request_id_ = std::move(request_id); }
    ~RequestScope() { store_.request_id_.clear(); }
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

   private:
    Store& store_;
  };
  static bool is_valid_request_id(std::string_view request_id);
  // The change committed for `request_id` among the plan's last kRequestLookback commits; nullopt if none.
  Result<std::optional<CommitResult>> find_request(const std::string& request_id);
  static constexpr size_t kRequestLookback = 1000;

  Result<std::vector<LogEntry>> log(size_t limit) { return repository_.log(limit); }
  Result<std::optional<std::string>> head() { return repository_.head_commit(); }
  Result<std::vector<std::string>> paths_between(const std::string& old_commit, const std::string& new_commit) {
    return repository_.paths_between(old_commit, new_commit);
  }
  const std::filesystem::path& root() const { return root_; }
  const std::string& device() const { return device_; }

 private:
  Store(std::filesystem::path root, Repository repository, StoreOptions options);

  Result<CommitResult> edit(const DocumentRef& target, const std::vector<FieldEdit>& edits, const std::string& verb,
                            const std::string& summary, const std::optional<std::string>& if_revision);
  // One file's text before and after a change (nullopt: absent, removed).
  struct PendingWrite {
    std::string path;
    std::optional<std::string> old_text, new_text;
  };

  // The document at `target` as it is on disk (the checker's parse when the file is unchanged).
  Result<DocumentPtr> current_document(const DocumentRef& target);
  // The document at `target` as it is on disk, with `edits` applied; call under the writer lock.
  Result<Document> edited_document(const DocumentRef& target, const std::vector<FieldEdit>& edits);
  // resolve's ResolveKeep::other: the set-aside value written back and the record updated, in one commit.
  Result<CommitResult> keep_set_aside(const std::vector<SyncConflict>& settled, PendingWrite record);
  // The packet documents plan.yaml names (cv, summary, ...), in its order; none when it names none.
  std::vector<std::string> packet_of_plan();
  // commit_outside_edits' first step: the conflicts git's merge driver noted, recorded once their merge is in.
  Result<std::optional<CommitResult>> record_git_merge_conflicts();
  std::string with_trailer(const std::string& first_line) const;  // the full commit message
  std::filesystem::path integration_marker() const;
  // Takes the plan's writer lock, recovering first if the last writer crashed.
  Result<PlanLock> lock_for_change();
  // commit_change with the lock already held.
  Result<CommitResult> commit_locked(const DocumentRef& target, const std::optional<Document>& new_document,
                                     const std::string& verb, const std::string& summary,
                                     const std::optional<std::string>& if_revision, bool must_exist,
                                     std::vector<PendingWrite> also = {});
  // Writes the files' new texts (nullopt: removes one) and commits them; on a failure they are put back.
  // The result names the first.
  Result<CommitResult> write_and_commit(const std::vector<PendingWrite>& writes, const std::string& first_line);
  // write_and_commit's write phase: every file or, when one fails, none (those written are put back).
  Status write_files(const std::vector<PendingWrite>& writes);
  // Puts the first `count` files back as they were before the change.
  void restore_files(const std::vector<PendingWrite>& writes, size_t count);
  // Checks, writes and commits one file's new document (nullopt: removal).
  Result<CommitResult> commit_change(const DocumentRef& target, const std::optional<Document>& new_document,
                                     const std::string& verb, const std::string& summary,
                                     const std::optional<std::string>& if_revision, bool must_exist);

  std::filesystem::path root_;
  Repository repository_;
  PlanChecker checker_;
  StoreOptions options_;
  std::string device_;
  std::string request_id_;  // set by a RequestScope
  std::optional<CheckedPlan> last_committed_;
};

// The sample plan (a non-US IMG applying to PM&R), its dates moved by whole
// weeks so that `today` falls in mid-August of its application season.
std::vector<FileChange> sample_plan_files(Date today);

}  // namespace lorsync
