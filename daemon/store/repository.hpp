// store/repository: the plan's git repository through libgit2: create it,
// commit exactly the files a change touched on top of HEAD, read history, and
// recover from a writer that crashed mid-commit.
#pragma once

#include "common/diagnostic.hpp"
#include "store/git.hpp"

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

  Result<std::vector<LogEntry>> log(size_t limit);
  // No merge, rebase or cherry-pick in progress, and HEAD on a branch.
  bool at_rest();
  // Files of the work tree that differ from HEAD (edited, added or removed), ignored files left out.
  Result<std::vector<std::string>> changed_paths();
  // A file's contents at HEAD; nullopt when HEAD has no such file.
  Result<std::optional<std::string>> head_file(const std::string& path);
  // Files that differ between two commits (what a `git commit` or a merge made elsewhere changed).
  Result<std::vector<std::string>> paths_between(const std::string& old_commit, const std::string& new_commit);
  Result<std::optional<std::string>> head_commit();

  static std::string blob_id(std::string_view contents);  // what `git hash-object` prints

  const std::filesystem::path& work_tree() const { return work_tree_; }

 private:
  Repository(git::Repository repo, std::filesystem::path work_tree)
      : repo_(std::move(repo)), work_tree_(std::move(work_tree)) {}
  Result<git::Signature> author();

  git::Repository repo_;
  std::filesystem::path work_tree_;
};

}  // namespace lorsync
