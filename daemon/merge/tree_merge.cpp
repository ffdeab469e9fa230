#include "merge/tree_merge.hpp"

#include "merge/merge_file.hpp"
#include "model/document.hpp"
#include "model/plan.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <set>

namespace lorsync {
namespace {

// One side's version of a path: absent, or a blob with its mode.
struct Version {
  bool present = false;
  git_oid id{};
  git_filemode_t mode = GIT_FILEMODE_BLOB;
  bool operator==(const Version& other) const {
    return present == other.present && (!present || (git_oid_equal(&id, &other.id) && mode == other.mode));
  }
};

Result<git::Tree> tree_of(const git_commit* commit) {
  git_tree* raw = nullptr;
  if (int rc = git_commit_tree(&raw, commit); rc < 0) return git::failure(rc, "cannot read a commit's tree");
  return git::Tree(raw);
}

Version version_at(const git_tree* tree, const std::string& path) {
  Version version;
  if (!tree) return version;
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree, path.c_str()) != 0) return version;
  git::TreeEntry entry(raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return version;
  version.present = true;
  version.id = *git_tree_entry_id(entry.get());
  version.mode = git_tree_entry_filemode(entry.get());
  return version;
}

Result<std::string> read_blob(git_repository* repo, const git_oid& id) {
  git_blob* raw = nullptr;
  if (int rc = git_blob_lookup(&raw, repo, &id); rc < 0) return git::failure(rc, "cannot read a file of the merge");
  git::Blob blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<size_t>(git_blob_rawsize(blob.get())));
}

// The paths whose blobs differ between two trees (renames are not followed: a rename is a delete and an add).
Result<std::map<std::string, Version>> changes(git_repository* repo, const git_tree* from, const git_tree* to) {
  git_diff* raw = nullptr;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  options.flags = GIT_DIFF_SKIP_BINARY_CHECK;
  if (int rc = git_diff_tree_to_tree(&raw, repo, const_cast<git_tree*>(from), const_cast<git_tree*>(to), &options); rc < 0)
    return git::failure(rc, "cannot compare the trees to merge");
  git::Diff diff(raw);
  std::map<std::string, Version> out;
  for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    Version version;
    if (delta->status != GIT_DELTA_DELETED) {
      version.present = true;
      version.id = delta->new_file.id;
      version.mode = static_cast<git_filemode_t>(delta->new_file.mode);
    }
    out[delta->new_file.path ? delta->new_file.path : delta->old_file.path] = version;
  }
  return out;
}

// Plan files and the repository's own text files merge by content; anything else keeps both versions.
bool merges_by_content(const std::string& path) {
  if (path == kPlanFileName || path == kPacketSummaryPath || path == ".gitignore" || path == ".gitattributes" ||
      is_template_path(path))
    return true;
  size_t slash = path.find('/');
  if (slash == std::string::npos || path.find('/', slash + 1) != std::string::npos || !path.ends_with(".md")) return false;
  auto kind = parse_kind(std::string_view(path).substr(0, slash));
  return kind && path.substr(0, slash) == kind_folder(*kind);
}

// "packet/cv.pdf" from device "laptop" -> "packet/cv.from-laptop.pdf".
std::string set_aside_name(const std::string& path, const std::string& device) {
  std::string tag;
  for (char c : device) tag += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1)
    return path + ".from-" + tag;
  return path.substr(0, dot) + ".from-" + tag + path.substr(dot);
}

// Who last changed `path` on one side, and when: the newest commit between the merge base and the side's tip
// whose version of the path differs from its first parent's.
Result<MergeSide> last_change(git_repository* repo, const git_commit* tip, const std::optional<git_oid>& base,
                              const std::string& path) {
  git_revwalk* raw_walk = nullptr;
  int rc = git_revwalk_new(&raw_walk, repo);
  if (rc < 0) return git::failure(rc, "cannot walk history");
  git::RevWalk walk(raw_walk);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  if ((rc = git_revwalk_push(walk.get(), git_commit_id(tip))) < 0) return git::failure(rc, "cannot walk history");
  if (base && (rc = git_revwalk_hide(walk.get(), &*base)) < 0) return git::failure(rc, "cannot walk history");
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) {
    git_commit* raw_commit = nullptr;
    if ((rc = git_commit_lookup(&raw_commit, repo, &oid)) < 0) return git::failure(rc, "cannot read a commit");
    git::Commit commit(raw_commit);
    auto tree = tree_of(commit.get());
    if (!tree) return tree.take_error();
    Version here = version_at(tree->get(), path);
    Version before;
    if (git_commit_parentcount(commit.get()) > 0) {
      git_commit* raw_parent = nullptr;
      if ((rc = git_commit_parent(&raw_parent, commit.get(), 0)) < 0) return git::failure(rc, "cannot read a commit");
      git::Commit parent(raw_parent);
      auto parent_tree = tree_of(parent.get());
      if (!parent_tree) return parent_tree.take_error();
      before = version_at(parent_tree->get(), path);
    }
    if (!(here == before)) return MergeSide{device_of(commit.get()), git_commit_time(commit.get())};
  }
  return MergeSide{device_of(tip), git_commit_time(tip)};
}

Result<git_oid> store_blob(git_repository* repo, const std::string& text) {
  git_oid id;
  if (int rc = git_blob_create_from_buffer(&id, repo, text.data(), text.size()); rc < 0)
    return git::failure(rc, "cannot store a merged file");
  return id;
}



// The two commits to merge, as trees, and what each changed since they parted (nothing, when they share
// no history: then every path is an addition).
struct MergeSides {
  std::optional<git_oid> base_id;
  git::Tree base_tree, ours_tree, theirs_tree;
  std::map<std::string, Version> ours_changes, theirs_changes;
};

// What the merge has decided so far.
struct MergeDecisions {
  std::map<std::string, Version> result;      // what the merged tree has where it differs from ours
  std::optional<std::string> merged_records;  // sync-conflicts.yaml as merged, when both sides changed it
  std::vector<SyncConflict> conflicts;        // found by this merge
};

Result<MergeSides> read_sides(git_repository* repo, const git_commit* ours, const git_commit* theirs) {
  MergeSides sides;
  git_oid found;
  int rc = git_merge_base(&found, repo, git_commit_id(ours), git_commit_id(theirs));
  if (rc == 0) sides.base_id = found;
  else if (rc != GIT_ENOTFOUND) return git::failure(rc, "cannot find where the two histories parted");
  if (sides.base_id) {
    git_commit* raw = nullptr;
    if ((rc = git_commit_lookup(&raw, repo, &*sides.base_id)) < 0) return git::failure(rc, "cannot read the merge base");
    git::Commit base_commit(raw);
    auto tree = tree_of(base_commit.get());
    if (!tree) return tree.take_error();
    sides.base_tree = std::move(*tree);
  }
  auto ours_tree = tree_of(ours);
  if (!ours_tree) return ours_tree.take_error();
  sides.ours_tree = std::move(*ours_tree);
  auto theirs_tree = tree_of(theirs);
  if (!theirs_tree) return theirs_tree.take_error();
  sides.theirs_tree = std::move(*theirs_tree);
  auto ours_changes = changes(repo, sides.base_tree.get(), sides.ours_tree.get());
  if (!ours_changes) return ours_changes.take_error();
  sides.ours_changes = std::move(*ours_changes);
  auto theirs_changes = changes(repo, sides.base_tree.get(), sides.theirs_tree.get());
  if (!theirs_changes) return theirs_changes.take_error();
  sides.theirs_changes = std::move(*theirs_changes);
  return sides;
}

// Records merge as a set: a side that settled every conflict (and so removed the file) counts as empty.
Result<std::string> merge_records(git_repository* repo, const MergeSides& sides, const Version& our_version,
                                  const Version& their_version) {
  auto text_of = [repo](const Version& version) -> Result<std::string> {
    return version.present ? read_blob(repo, version.id) : Result<std::string>(std::string());
  };
  Version base_version = version_at(sides.base_tree.get(), kSyncConflictsPath);
  auto base_text = text_of(base_version);
  auto our_text = text_of(our_version);
  auto their_text = text_of(their_version);
  if (!base_text) return base_text.take_error();
  if (!our_text) return our_text.take_error();
  if (!their_text) return their_text.take_error();
  return merge_file(kSyncConflictsPath, base_version.present ? std::optional(*base_text) : std::nullopt, *our_text,
                    *their_text, MergeSide{}, MergeSide{})
      .text;
}

// A path both sides changed, to different contents, and neither removed: plan files merge by content, other
// files keep both versions (the later change keeps the name, the other is set aside beside it).
Status merge_both_changed(git_repository* repo, const MergeSides& sides, const git_commit* ours,
                          const git_commit* theirs, const std::string& path, const Version& our_version,
                          const Version& their_version, MergeDecisions& decided) {
  Version base_version = version_at(sides.base_tree.get(), path);
  std::optional<std::string> base_text;
  if (base_version.present) {
    auto text = read_blob(repo, base_version.id);
    if (!text) return text.take_error();
    base_text = std::move(*text);
  }
  auto our_text = read_blob(repo, our_version.id);
  if (!our_text) return our_text.take_error();
  auto their_text = read_blob(repo, their_version.id);
  if (!their_text) return their_text.take_error();

  auto our_side = last_change(repo, ours, sides.base_id, path);
  if (!our_side) return our_side.take_error();
  auto their_side = last_change(repo, theirs, sides.base_id, path);
  if (!their_side) return their_side.take_error();

  if (merges_by_content(path)) {
    FileMerge merged = merge_file(path, base_text, *our_text, *their_text, *our_side, *their_side);
    auto id = store_blob(repo, merged.text);
    if (!id) return id.take_error();
    decided.result[path] = Version{true, *id, our_version.mode};
    decided.conflicts.insert(decided.conflicts.end(), merged.conflicts.begin(), merged.conflicts.end());
    return Ok{};
  }
  // Not a plan file (a PDF, an image): the later change keeps the name, the other is set aside beside it.
  bool ours_wins = merge_winner_is_first(*our_side, *their_side, *our_text, *their_text);
  const MergeSide& loser = ours_wins ? *their_side : *our_side;
  const Version& kept = ours_wins ? our_version : their_version;
  const Version& set_aside = ours_wins ? their_version : our_version;
  std::string aside_path = set_aside_name(path, loser.device);
  decided.result[path] = kept;
  decided.result[aside_path] = set_aside;
  const MergeSide& winner = ours_wins ? *our_side : *their_side;
  decided.conflicts.push_back(SyncConflict{path, "file", path, aside_path, winner.device, loser.device});
  return Ok{};
}

// The conflicts file: as merged, or as the merged tree has it, plus what this merge found.
Status record_conflicts(git_repository* repo, const MergeSides& sides, MergeDecisions& decided) {
  if (decided.conflicts.empty() && !decided.merged_records) return Ok{};
  std::string records;
  if (decided.merged_records) {
    records = *decided.merged_records;
  } else {
    auto taken = decided.result.find(kSyncConflictsPath);
    Version current = taken != decided.result.end() ? taken->second
                                                    : version_at(sides.ours_tree.get(), kSyncConflictsPath);
    if (current.present) {
      auto text = read_blob(repo, current.id);
      if (!text) return text.take_error();
      records = std::move(*text);
    }
  }
  std::vector<SyncConflict> all = parse_sync_conflicts(records).conflicts;
  all.insert(all.end(), decided.conflicts.begin(), decided.conflicts.end());
  std::string text = emit_sync_conflicts(std::move(all));
  if (text.empty()) {
    decided.result[kSyncConflictsPath] = Version{};
    return Ok{};
  }
  auto id = store_blob(repo, text);
  if (!id) return id.take_error();
  decided.result[kSyncConflictsPath] = Version{true, *id, GIT_FILEMODE_BLOB};
  return Ok{};
}

// Ours' tree with the merge's decisions applied.
Result<git_oid> build_merged_tree(git_repository* repo, git_tree* ours_tree,
                                  const std::map<std::string, Version>& result) {
  std::vector<git_tree_update> updates;
  updates.reserve(result.size());
  for (const auto& [path, version] : result) {
    git_tree_update update{};
    update.path = path.c_str();
    update.action = version.present ? GIT_TREE_UPDATE_UPSERT : GIT_TREE_UPDATE_REMOVE;
    update.id = version.id;
    update.filemode = version.mode;
    // Removing a path ours never had is not an error worth failing a merge for.
    if (!version.present && !version_at(ours_tree, path).present) continue;
    updates.push_back(update);
  }
  git_oid tree;
  if (int rc = git_tree_create_updated(&tree, repo, ours_tree, updates.size(), updates.data()); rc < 0)
    return git::failure(rc, "cannot build the merged tree");
  return tree;
}

}  // namespace

std::string device_of(const git_commit* commit) {
  if (std::string device = git::trailer(git_commit_message(commit), "Lorsync-Device"); !device.empty()) return device;
  // A commit made with the git CLI names no device, and its author is the applicant on every device: the commit
  // itself is what tells the two sides apart ("commit 1a2b3c4 of 2026-08-11").
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, 8, git_commit_id(commit));
  time_t when = static_cast<time_t>(git_commit_time(commit) + git_commit_time_offset(commit) * 60);
  std::tm date{};
  gmtime_r(&when, &date);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &date);
  return std::string("commit ") + hex + " of " + day;
}

Result<GitFileMerge> merge_for_git(const std::filesystem::path& root, const std::string& path,
                                const std::optional<std::string>& base, const std::string& ours,
                                const std::string& theirs) {
  // The sides decide only between changes to the same thing and the order of what both added. When either order
  // gives the same file and nothing to set aside, who they are need not be read from the history. Reading it
  // starts libgit2, which first parses the system's CA bundle: most of the time a merge of one small file takes.
  // (Text both sides changed still goes through libgit2's line merge, which starts it too.)
  FileVersions versions(path, base, ours, theirs);
  FileMerge ours_first = versions.merge(MergeSide{"", 1}, MergeSide{"", 0});
  if (ours_first.conflicts.empty()) {
    FileMerge theirs_first = versions.merge(MergeSide{"", 0}, MergeSide{"", 1});
    if (theirs_first.conflicts.empty() && theirs_first.text == ours_first.text)
      return GitFileMerge{std::move(ours_first), ""};
  }
  MergeSide our_side{"this device", 0}, their_side{"the other side", 0};
  std::string theirs_commit;
  git_repository* raw_repo = nullptr;
  if (git_repository_open_ext(&raw_repo, root.c_str(), 0, nullptr) == 0) {
    git::Repository repo(raw_repo);
    git_oid head, theirs_id;
    bool have_head = git_reference_name_to_id(&head, repo.get(), "HEAD") == 0;
    bool have_theirs = false;
    for (char** variable = environ; *variable && have_head && !have_theirs; ++variable) {
      std::string_view entry(*variable);
      if (!entry.starts_with("GITHEAD_") || entry.find('=') != 8 + GIT_OID_HEXSZ) continue;
      std::string hex(entry.substr(8, GIT_OID_HEXSZ));
      have_theirs = git_oid_fromstr(&theirs_id, hex.c_str()) == 0 && !git_oid_equal(&theirs_id, &head);
    }
    if (!have_theirs && have_head) have_theirs = git_reference_name_to_id(&theirs_id, repo.get(), "MERGE_HEAD") == 0;
    if (have_head && have_theirs) {
      theirs_commit = git::oid_hex(theirs_id);
      git_commit *raw_ours = nullptr, *raw_theirs = nullptr;
      git_commit_lookup(&raw_ours, repo.get(), &head);
      git_commit_lookup(&raw_theirs, repo.get(), &theirs_id);
      git::Commit our_commit(raw_ours), their_commit(raw_theirs);
      git_oid base_id;
      std::optional<git_oid> merge_base;
      if (git_merge_base(&base_id, repo.get(), &head, &theirs_id) == 0) merge_base = base_id;
      if (our_commit && their_commit) {
        auto mine = last_change(repo.get(), our_commit.get(), merge_base, path);
        auto other = last_change(repo.get(), their_commit.get(), merge_base, path);
        if (mine && other) {
          our_side = *mine;
          their_side = *other;
        }
      }
    }
  }
  return GitFileMerge{versions.merge(our_side, their_side), std::move(theirs_commit)};
}

Result<TreeMerge> merge_commits(git_repository* repo, const git_commit* ours, const git_commit* theirs) {
  auto sides = read_sides(repo, ours, theirs);
  if (!sides) return sides.take_error();
  MergeDecisions decided;
  for (const auto& [path, their_version] : sides->theirs_changes) {
    auto our_change = sides->ours_changes.find(path);
    if (our_change == sides->ours_changes.end()) {
      decided.result[path] = their_version;
      continue;
    }
    const Version& our_version = our_change->second;
    if (our_version == their_version) continue;
    if (path == kSyncConflictsPath) {
      auto merged = merge_records(repo, *sides, our_version, their_version);
      if (!merged) return merged.take_error();
      decided.merged_records = std::move(*merged);
      continue;
    }
    // Modify beats delete: a file one side removed and the other changed stays, as changed.
    if (!our_version.present) {
      decided.result[path] = their_version;
      continue;
    }
    if (!their_version.present) continue;
    Status merged = merge_both_changed(repo, *sides, ours, theirs, path, our_version, their_version, decided);
    if (!merged) return merged.take_error();
  }
  if (Status recorded = record_conflicts(repo, *sides, decided); !recorded) return recorded.take_error();
  auto tree = build_merged_tree(repo, sides->ours_tree.get(), decided.result);
  if (!tree) return tree.take_error();
  TreeMerge out{*tree, std::move(decided.conflicts)};
  normalize(out.conflicts);
  return out;
}

}  // namespace lorsync
