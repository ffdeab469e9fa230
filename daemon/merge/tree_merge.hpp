// merge/tree_merge: merges two commits of the plan repository path by path.
// A path only one side changed takes that side; a plan file both changed goes
// through merge_file (fields 3-way, lists as sets, bodies line-wise); modify
// beats delete; a file that is not a plan file (a PDF in packet/) keeps both
// versions. New conflicts are added to sync-conflicts.yaml in the merged tree.
// The result is the same tree whichever side merges, so devices converge.
#pragma once

#include "common/diagnostic.hpp"
#include "model/sync_conflicts.hpp"
#include "merge/merge_file.hpp"
#include "git/git.hpp"

#include <filesystem>
#include <optional>

#include <string>
#include <vector>

namespace lorsync {

struct TreeMerge {
  git_oid tree{};
  std::vector<SyncConflict> conflicts;  // found by this merge
};


// Merges `theirs` into `ours` (both commits of `repo`); writes the merged blobs and trees, not a commit.
Result<TreeMerge> merge_commits(git_repository* repo, const git_commit* ours, const git_commit* theirs);

// One file merged for git's merge driver, and the commit git is merging in (empty when it is not known).
struct GitFileMerge {
  FileMerge merged;
  std::string theirs_commit;
};

// What `lorsync merge-file` (git's merge driver) does with one file: merges it as sync would, the two sides
// being HEAD and the commit git is merging in the repository at `root` (from git's GITHEAD_* variables, else
// MERGE_HEAD; when neither is known, the sides are told apart by content alone). The history is read only
// when the sides' order changes the result; theirs_commit is then known, else it is left empty.
Result<GitFileMerge> merge_for_git(const std::filesystem::path& root, const std::string& path,
                                const std::optional<std::string>& base, const std::string& ours,
                                const std::string& theirs);

// The device a commit was made on: its Lorsync-Device trailer, else the commit ("commit 1a2b3c4 of 2026-08-11").
std::string device_of(const git_commit* commit);

}  // namespace lorsync
