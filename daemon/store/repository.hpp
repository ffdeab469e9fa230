// store/repository: the plan's git repository through libgit2: create it,
// commit exactly the files a change touched on top of HEAD, read history, and
// recover from a writer that crashed mid-commit.
#pragma once

#include "common/diagnostic.hpp"
#include "model/sync_conflicts.hpp"
#include "git/git.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lorsync {

struct FileChange {
  std::string path;                     // relative to the work tree
  std::optional<std::string> contents;  // nullopt: the file was removed
};

struct LogEntry {
  std::string commit;
  int64_t time = 0;          // seconds since the epoch
  int offset_minutes = 0;    // the author's time zone
  std::string author;
  std::string summary;       // first line of the message
  std::string device;        // Lorsync-Device trailer, if any
  std::string request;       // Lorsync-Request trailer: the client's id for the change, if it gave one
  std::string parent;        // the first parent; empty for the first commit
};

// The wire form of a LogEntry, for history.log and `lorsync log --json` alike: commit, time,
// offset_minutes, date (ISO 8601 in the author's zone), author, device (null when none), summary.
void to_json(nlohmann::json& out, const LogEntry& entry);
void from_json(const nlohmann::json& in, LogEntry& entry);

// What bringing another device's commit into HEAD did.
struct Integration {
  enum class Kind { up_to_date, fast_forward, merged };
  Kind kind = Kind::up_to_date;
  std::string old_head, new_head;
  std::vector<std::string> changed_paths;  // work tree files the integration changed
  std::vector<SyncConflict> conflicts;     // found by a merge (also recorded in sync-conflicts.yaml)
};

class Repository {
 public:
  static Result<Repository> open(const std::filesystem::path& work_tree);
  static Result<Repository> create(const std::filesystem::path& work_tree);  // `git init`, branch main

  // Commits `changes` (already written to the work tree) as one commit on HEAD,
  // then brings the index up to date for those paths. Returns the commit id.
  Result<std::string> commit(const std::vector<FileChange>& changes, const std::string& message);

  // After a writer died holding the plan lock: drop the git lock files it may
  // have left and reset the index to HEAD (the work tree is not touched).
  Status recover_after_crash();

  // Brings commit `theirs` into HEAD: nothing if HEAD has it, a fast-forward if HEAD is behind, else a
  // semantic merge committed with both parents. The work tree and branch move together; a file with edits
  // not committed that the integration would change stops it before anything is touched. `progress_marker`
  // records the move while it happens, so that a writer killed midway can be finished by the next one.
  Result<Integration> integrate(const std::string& theirs, const std::string& device,
                                const std::filesystem::path& progress_marker);
  // Makes a commit of another device's the start of this (new, empty) repository's branch, and checks it out.
  Status start_from(const std::string& commit);
  // Registers lorsync's merge driver in .git/config, so that a plain `git merge` merges plan files as sync does.
  Status configure_merge_driver(const std::string& command);
  // Older versions registered `command` with lorsync's absolute path for its first word, which breaks every
  // `git pull` once that build is moved or deleted: such a registration becomes `command`. None, or one
  // written by hand, stays as it is.
  Status upgrade_merge_driver(const std::string& command);
  // Finishes a move a killed writer left half done (see integrate); nothing when there is no marker.
  Status finish_interrupted_integration(const std::filesystem::path& progress_marker);

  Result<std::vector<LogEntry>> log(size_t limit);
  // No merge, rebase or cherry-pick in progress, and HEAD on a branch.
  bool at_rest();
  // Whether HEAD is `commit` or descends from it (a merge of it was committed); false for an unknown commit.
  Result<bool> head_contains(const std::string& commit);
  // Files of the work tree that differ from HEAD (edited, added or removed), ignored files left out.
  Result<std::vector<std::string>> changed_paths();
  // A file's contents at `revision` (a commit id, or HEAD); nullopt when it has no such file.
  Result<std::optional<std::string>> file_at(const std::string& revision, const std::string& path);
  Result<std::optional<std::string>> head_file(const std::string& path) { return file_at("HEAD", path); }
  // Files that differ between two commits (what a `git commit` or a merge made elsewhere changed).
  Result<std::vector<std::string>> paths_between(const std::string& old_commit, const std::string& new_commit);
  Result<std::optional<std::string>> head_commit();

  static std::string blob_id(std::string_view contents);  // what `git hash-object` prints

  const std::filesystem::path& work_tree() const { return work_tree_; }

 private:
  Repository(git::Repository repo, std::filesystem::path work_tree)
      : repo_(std::move(repo)), work_tree_(std::move(work_tree)) {}
  Result<git::Signature> author();
  // Moves work tree, index and branch from commit `from` to commit `to` (see integrate). With `resuming`,
  // files already at `to` are fine too, and a file at neither (half written) is copied aside under
  // .lorsync/interrupted-sync/ and then replaced, instead of refusing.
  Result<std::vector<std::string>> move_head(const git_oid& from, const git_oid& to, bool resuming);

  git::Repository repo_;
  std::filesystem::path work_tree_;
};

}  // namespace lorsync
