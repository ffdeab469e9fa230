#include "store/repository.hpp"

#include "common/date.hpp"
#include "common/json_members.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

bool file_holds(const fs::path& path, const std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text == contents;
}

// What a commit builds on: HEAD and its tree, or (the first commit) no parent and the empty tree.
struct CommitBase {
  git::Commit commit;
  git::Tree tree;
};

Result<CommitBase> head_to_build_on(git_repository* repo) {
  CommitBase base;
  git_oid head_oid;
  int rc = git_reference_name_to_id(&head_oid, repo, "HEAD");
  if (rc == 0) {
    git_commit* raw_commit = nullptr;
    if ((rc = git_commit_lookup(&raw_commit, repo, &head_oid)) < 0) return git::failure(rc, "cannot read HEAD");
    base.commit.reset(raw_commit);
    git_tree* raw_tree = nullptr;
    if ((rc = git_commit_tree(&raw_tree, base.commit.get())) < 0) return git::failure(rc, "cannot read HEAD's tree");
    base.tree.reset(raw_tree);
    return base;
  }
  if (rc != GIT_ENOTFOUND && rc != GIT_EUNBORNBRANCH) return git::failure(rc, "cannot read HEAD");
  git_treebuilder* builder = nullptr;
  if ((rc = git_treebuilder_new(&builder, repo, nullptr)) < 0) return git::failure(rc, "cannot build a tree");
  git_oid empty;
  rc = git_treebuilder_write(&empty, builder);
  git_treebuilder_free(builder);
  if (rc < 0) return git::failure(rc, "cannot write the empty tree");
  git_tree* raw_tree = nullptr;
  if ((rc = git_tree_lookup(&raw_tree, repo, &empty)) < 0) return git::failure(rc, "cannot read a tree");
  base.tree.reset(raw_tree);
  return base;
}

// The changes as tree updates, their new contents stored as blobs.
Result<std::vector<git_tree_update>> stored_changes(git_repository* repo, const std::vector<FileChange>& changes) {
  std::vector<git_tree_update> updates(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    updates[i] = git_tree_update{};
    updates[i].path = changes[i].path.c_str();
    if (changes[i].contents) {
      const std::string& data = *changes[i].contents;
      if (int rc = git_blob_create_from_buffer(&updates[i].id, repo, data.data(), data.size()); rc < 0)
        return git::failure(rc, "cannot store " + changes[i].path);
      updates[i].action = GIT_TREE_UPDATE_UPSERT;
      updates[i].filemode = GIT_FILEMODE_BLOB;
    } else {
      updates[i].action = GIT_TREE_UPDATE_REMOVE;
    }
  }
  return updates;
}

Result<git::Tree> updated_tree(git_repository* repo, git_tree* base, const std::vector<git_tree_update>& updates) {
  git_oid tree_oid;
  if (int rc = git_tree_create_updated(&tree_oid, repo, base, updates.size(), updates.data()); rc < 0)
    return git::failure(rc, "cannot build the commit's tree");
  git_tree* raw_tree = nullptr;
  if (int rc = git_tree_lookup(&raw_tree, repo, &tree_oid); rc < 0) return git::failure(rc, "cannot read the new tree");
  return git::Tree(raw_tree);
}

// The commit is durable; now make `git status` agree with it for these paths.
// The blob ids are known, so the index entries are made from them and a stat
// of the file rather than by hashing the file again — but only a stat taken
// while the file still held the committed bytes: an editor may have saved
// again meanwhile, and pairing its stat with our blob would hide that edit.
// Returns libgit2's result: below 0 when the index could not be brought up to date.
int index_committed(git_repository* repo, const fs::path& work_tree, const std::vector<FileChange>& changes,
                    const std::vector<git_tree_update>& updates) {
  git_index* raw_index = nullptr;
  int rc = git_repository_index(&raw_index, repo);
  if (rc < 0) return rc;
  git::Index index(raw_index);
  rc = git_index_read(index.get(), 1);
  for (size_t i = 0; rc == 0 && i < changes.size(); ++i) {
    if (!changes[i].contents) {
      rc = git_index_remove_bypath(index.get(), changes[i].path.c_str());
      continue;
    }
    struct stat status {};
    if (::stat((work_tree / changes[i].path).c_str(), &status) != 0) {
      rc = git_index_add_bypath(index.get(), changes[i].path.c_str());
      continue;
    }
    git_index_entry entry{};
    if (!file_holds(work_tree / changes[i].path, *changes[i].contents)) status = {};  // git will hash it
    entry.ctime.seconds = static_cast<int32_t>(status.st_ctim.tv_sec);
    entry.ctime.nanoseconds = static_cast<uint32_t>(status.st_ctim.tv_nsec);
    entry.mtime.seconds = static_cast<int32_t>(status.st_mtim.tv_sec);
    entry.mtime.nanoseconds = static_cast<uint32_t>(status.st_mtim.tv_nsec);
    entry.dev = static_cast<uint32_t>(status.st_dev);
    entry.ino = static_cast<uint32_t>(status.st_ino);
    entry.mode = GIT_FILEMODE_BLOB;
    entry.uid = status.st_uid;
    entry.gid = status.st_gid;
    entry.file_size = static_cast<uint32_t>(status.st_size);
    entry.id = updates[i].id;
    entry.path = changes[i].path.c_str();
    rc = git_index_add(index.get(), &entry);
  }
  if (rc == 0) rc = git_index_write(index.get());
  return rc;
}

}  // namespace

Result<Repository> Repository::open(const fs::path& work_tree) {
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(&raw, work_tree.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  if (rc == GIT_ENOTFOUND)
    return make_error(ErrorCode::not_found, work_tree.string() + " is not a git repository (run `lorsync init` there)");
  if (rc < 0) return git::failure(rc, "cannot open the repository at " + work_tree.string());
  git::Repository repo(raw);
  if (git_repository_is_bare(repo.get()))
    return make_error(ErrorCode::usage, work_tree.string() + " is a bare repository; a plan needs a work tree");
  return Repository(std::move(repo), work_tree);
}

Result<Repository> Repository::create(const fs::path& work_tree) {
  git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  options.initial_head = "main";
  git_repository* raw = nullptr;
  int rc = git_repository_init_ext(&raw, work_tree.c_str(), &options);
  if (rc == GIT_EEXISTS) return make_error(ErrorCode::exists, work_tree.string() + " is already a git repository");
  if (rc < 0) return git::failure(rc, "cannot create a repository at " + work_tree.string());
  return Repository(git::Repository(raw), work_tree);
}

Result<git::Signature> Repository::author() {
  git_signature* raw = nullptr;
  // Like the git CLI, the environment wins over the config.
  const char* name = std::getenv("GIT_AUTHOR_NAME");
  const char* email = std::getenv("GIT_AUTHOR_EMAIL");
  int rc = (name && *name && email && *email) ? git_signature_now(&raw, name, email)
                                              : git_signature_default(&raw, repo_.get());
  if (rc == GIT_ENOTFOUND || (rc < 0 && !name))
    return make_error(ErrorCode::no_author,
                      "git does not know who you are, so lorsync cannot commit: run\n"
                      "  git config --global user.name \"Your Name\"\n"
                      "  git config --global user.email \"you@example.com\"");
  if (rc < 0) return git::failure(rc, "cannot make the commit author");
  return git::Signature(raw);
}

std::string Repository::blob_id(std::string_view contents) {
  git_oid oid;
  git_odb_hash(&oid, contents.data(), contents.size(), GIT_OBJECT_BLOB);
  return git::oid_hex(oid);
}

Result<std::optional<std::string>> Repository::head_commit() {
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, repo_.get(), "HEAD");
  if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) return std::optional<std::string>();
  if (rc < 0) return git::failure(rc, "cannot read HEAD");
  return std::optional<std::string>(git::oid_hex(oid));
}

Result<std::vector<std::string>> Repository::changed_paths() {
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* raw = nullptr;
  if (int rc = git_status_list_new(&raw, repo_.get(), &options); rc < 0)
    return git::failure(rc, "cannot compare the work tree with HEAD");
  git::StatusList list(raw);
  std::vector<std::string> paths;
  for (size_t i = 0, n = git_status_list_entrycount(list.get()); i < n; ++i) {
    const git_status_entry* entry = git_status_byindex(list.get(), i);
    if (entry->status == GIT_STATUS_CURRENT || (entry->status & GIT_STATUS_IGNORED)) continue;
    const git_diff_delta* delta = entry->index_to_workdir ? entry->index_to_workdir : entry->head_to_index;
    if (!delta) continue;
    // A file staged and then restored by hand differs from the index but not from HEAD: still listed, and
    // the caller finds nothing to commit when it compares contents.
    paths.push_back(delta->new_file.path ? delta->new_file.path : delta->old_file.path);
  }
  return paths;
}

bool Repository::at_rest() {
  return git_repository_state(repo_.get()) == GIT_REPOSITORY_STATE_NONE && git_repository_head_detached(repo_.get()) == 0;
}

Result<std::optional<std::string>> Repository::file_at(const std::string& revision, const std::string& path) {
  git_object* raw = nullptr;
  int rc = git_revparse_single(&raw, repo_.get(), (revision + ":" + path).c_str());
  if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) return std::optional<std::string>();
  if (rc < 0) return git::failure(rc, "cannot read " + path + " at " + revision);
  git::Object object(raw);
  if (git_object_type(object.get()) != GIT_OBJECT_BLOB) return std::optional<std::string>();
  const auto* blob = reinterpret_cast<const git_blob*>(object.get());
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob));
  return std::optional<std::string>(std::string(data, static_cast<size_t>(git_blob_rawsize(blob))));
}

Result<bool> Repository::head_contains(const std::string& commit) {
  git_oid head, wanted;
  if (git_oid_fromstr(&wanted, commit.c_str()) < 0) return false;
  int rc = git_reference_name_to_id(&head, repo_.get(), "HEAD");
  if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) return false;
  if (rc < 0) return git::failure(rc, "cannot read HEAD");
  if (git_oid_equal(&head, &wanted)) return true;
  rc = git_graph_descendant_of(repo_.get(), &head, &wanted);
  if (rc < 0) return git::failure(rc, "cannot tell whether HEAD has commit " + commit);
  return rc == 1;
}

Result<std::vector<std::string>> Repository::paths_between(const std::string& old_commit, const std::string& new_commit) {
  auto tree_of = [this](const std::string& commit) -> Result<git::Tree> {
    git_oid oid;
    git_commit* raw_commit = nullptr;
    git_tree* raw_tree = nullptr;
    int rc = git_oid_fromstr(&oid, commit.c_str());
    if (rc == 0) rc = git_commit_lookup(&raw_commit, repo_.get(), &oid);
    git::Commit owned(raw_commit);
    if (rc == 0) rc = git_commit_tree(&raw_tree, owned.get());
    if (rc < 0) return git::failure(rc, "cannot read commit " + commit);
    return git::Tree(raw_tree);
  };
  auto old_tree = tree_of(old_commit);
  if (!old_tree) return old_tree.take_error();
  auto new_tree = tree_of(new_commit);
  if (!new_tree) return new_tree.take_error();
  git_diff* raw = nullptr;
  if (int rc = git_diff_tree_to_tree(&raw, repo_.get(), old_tree->get(), new_tree->get(), nullptr); rc < 0)
    return git::failure(rc, "cannot compare " + old_commit + " with " + new_commit);
  git::Diff diff(raw);
  std::vector<std::string> paths;
  for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    paths.push_back(delta->new_file.path ? delta->new_file.path : delta->old_file.path);
  }
  return paths;
}

Result<std::string> Repository::commit(const std::vector<FileChange>& changes, const std::string& message) {
  auto signature = author();
  if (!signature) return signature.take_error();
  auto head = head_to_build_on(repo_.get());
  if (!head) return head.take_error();
  // Build the new tree from HEAD's, touching only these paths: whatever else
  // the user has staged stays out of this commit.
  auto updates = stored_changes(repo_.get(), changes);
  if (!updates) return updates.take_error();
  auto tree = updated_tree(repo_.get(), head->tree.get(), *updates);
  if (!tree) return tree.take_error();

  const git_commit* parents[] = {head->commit.get()};
  const bool has_parent = head->commit != nullptr;
  git_oid commit_oid;
  int rc = git_commit_create(&commit_oid, repo_.get(), "HEAD", signature->get(), signature->get(), nullptr,
                             message.c_str(), tree->get(), has_parent ? 1 : 0, has_parent ? parents : nullptr);
  if (rc == GIT_ELOCKED)
    return make_error(ErrorCode::locked, "another git command is updating the branch; try again in a moment");
  if (rc < 0) return git::failure(rc, "cannot commit");

  if (index_committed(repo_.get(), work_tree_, changes, *updates) < 0) {
    const git_error* last = git_error_last();
    spdlog::warn("committed, but could not update the git index ({}); `git status` may show the change as unstaged",
                 last && last->message ? last->message : "unknown error");
  }
  return git::oid_hex(commit_oid);
}

Status Repository::recover_after_crash() {
  fs::path git_dir = git_repository_path(repo_.get());
  std::vector<fs::path> locks = {git_dir / "index.lock", git_dir / "HEAD.lock"};
  git_reference* head = nullptr;
  if (git_reference_lookup(&head, repo_.get(), "HEAD") == 0) {
    git::Reference owned(head);
    if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC)
      locks.push_back(git_dir / (std::string(git_reference_symbolic_target(head)) + ".lock"));
  }
  for (const auto& lock : locks) {
    std::error_code ec;
    if (fs::remove(lock, ec)) spdlog::info("removed {} left by a lorsync writer that stopped mid-commit", lock.filename().string());
  }
  // The dead writer may have committed without updating the index: match it to HEAD.
  git_index* raw_index = nullptr;
  int rc = git_repository_index(&raw_index, repo_.get());
  if (rc < 0) return git::failure(rc, "cannot open the index");
  git::Index index(raw_index);
  git_object* raw_head = nullptr;
  rc = git_revparse_single(&raw_head, repo_.get(), "HEAD^{tree}");
  if (rc == GIT_ENOTFOUND) return Ok{};
  if (rc < 0) return git::failure(rc, "cannot read HEAD");
  git::Object head_tree(raw_head);
  if ((rc = git_index_read_tree(index.get(), reinterpret_cast<git_tree*>(head_tree.get()))) < 0 ||
      (rc = git_index_write(index.get())) < 0)
    return git::failure(rc, "cannot reset the index to HEAD");
  return Ok{};
}

void to_json(nlohmann::json& out, const LogEntry& entry) {
  out = {{"commit", entry.commit},
         {"time", entry.time},
         {"offset_minutes", entry.offset_minutes},
         {"date", format_iso_time(entry.time, entry.offset_minutes)},
         {"author", entry.author},
         {"device", entry.device.empty() ? nlohmann::json() : nlohmann::json(entry.device)},
         {"summary", entry.summary}};
}

void from_json(const nlohmann::json& in, LogEntry& entry) {
  entry.commit = string_member(in, "commit");
  entry.time = int64_member(in, "time");
  entry.offset_minutes = int_member(in, "offset_minutes");
  entry.author = string_member(in, "author");
  entry.device = string_member(in, "device");
  entry.summary = string_member(in, "summary");
}

Result<std::vector<LogEntry>> Repository::log(size_t limit) {
  std::vector<LogEntry> entries;
  git_revwalk* raw_walk = nullptr;
  int rc = git_revwalk_new(&raw_walk, repo_.get());
  if (rc < 0) return git::failure(rc, "cannot read history");
  git::RevWalk walk(raw_walk);
  // Parents after children even when clocks tie or disagree (several commits in one second, a device whose
  // clock is behind); time only orders unrelated branches.
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  rc = git_revwalk_push_head(walk.get());
  if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) return entries;
  if (rc < 0) return git::failure(rc, "cannot read history");
  git_oid oid;
  while (entries.size() < limit && (rc = git_revwalk_next(&oid, walk.get())) == 0) {
    git_commit* raw = nullptr;
    if ((rc = git_commit_lookup(&raw, repo_.get(), &oid)) < 0) return git::failure(rc, "cannot read a commit");
    git::Commit commit(raw);
    LogEntry entry;
    entry.commit = git::oid_hex(oid);
    const git_signature* who = git_commit_author(commit.get());
    entry.time = who->when.time;
    entry.offset_minutes = who->when.offset;
    entry.author = who->name ? who->name : "";
    const char* summary = git_commit_summary(commit.get());
    entry.summary = summary ? summary : "";
    entry.device = git::trailer(git_commit_message(commit.get()), "Lorsync-Device");
    entry.request = git::trailer(git_commit_message(commit.get()), "Lorsync-Request");
    if (git_commit_parentcount(commit.get()) > 0) entry.parent = git::oid_hex(*git_commit_parent_id(commit.get(), 0));
    entries.push_back(std::move(entry));
  }
  if (rc < 0 && rc != GIT_ITEROVER) return git::failure(rc, "cannot read history");
  return entries;
}

}  // namespace lorsync
