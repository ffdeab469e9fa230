// store/integrate: the Repository's half of sync — bringing another device's
// commit into HEAD (fast-forward or semantic merge) and moving the work tree
// with the branch, safely against edits not yet committed and against a crash.
#include "merge/tree_merge.hpp"
#include "common/text.hpp"
#include "store/atomic_file.hpp"
#include "store/repository.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

Result<git::Commit> lookup_commit(git_repository* repo, const git_oid& id) {
  git_commit* raw = nullptr;
  if (int rc = git_commit_lookup(&raw, repo, &id); rc < 0) return git::failure(rc, "cannot read commit " + git::oid_hex(id));
  return git::Commit(raw);
}

Result<git::Tree> commit_tree(git_repository* repo, const git_oid& id) {
  auto commit = lookup_commit(repo, id);
  if (!commit) return commit.take_error();
  git_tree* raw = nullptr;
  if (int rc = git_commit_tree(&raw, commit->get()); rc < 0) return git::failure(rc, "cannot read a commit's tree");
  return git::Tree(raw);
}

// A link or a submodule in another device's commit would be checked out as a way out of the plan
// (letters -> /etc): refused before anything moves. Plan files sit at most one folder deep, which is as
// deep as this looks.
Status refuse_links(git_repository* repo, const git_tree* tree, const std::string& folder = "") {
  for (size_t i = 0, n = git_tree_entrycount(tree); i < n; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    const std::string path = folder + git_tree_entry_name(entry);
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT)
      return make_error(ErrorCode::remote, "the remote's plan has " + path + " as a " +
                                               (mode == GIT_FILEMODE_LINK ? "link" : "submodule") +
                                               ", which could lead out of the plan; nothing was taken from it (remove "
                                               "it on the device that added it)");
    if (mode != GIT_FILEMODE_TREE || !folder.empty()) continue;
    git_tree* raw = nullptr;
    if (int rc = git_tree_lookup(&raw, repo, git_tree_entry_id(entry)); rc < 0)
      return git::failure(rc, "cannot read the folder " + path);
    git::Tree subtree(raw);
    if (Status inner = refuse_links(repo, subtree.get(), path + "/"); !inner) return inner;
  }
  return Ok{};
}

// The blob id of the file now in the work tree, nullopt when there is none.
std::optional<git_oid> work_file_id(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  git_oid id;
  git_odb_hash(&id, text.data(), text.size(), GIT_OBJECT_BLOB);
  return id;
}

bool same(const std::optional<git_oid>& a, const git_diff_file& b, bool b_exists) {
  if (!a || !b_exists) return !a && !b_exists;
  return git_oid_equal(&*a, &b.id) != 0;
}

// "laptop", "laptop and desktop", "laptop, desktop and phone".
std::string spoken_list(const std::set<std::string>& names) {
  std::string out;
  size_t i = 0;
  for (const auto& name : names) {
    if (i > 0) out += (i + 1 == names.size()) ? " and " : ", ";
    out += name;
    ++i;
  }
  return out;
}

// The plan's own .git/config, without the user's global settings: the merge driver is registered per plan.
Result<git::Config> local_config(git_repository* repo) {
  git_config* raw = nullptr;
  if (int rc = git_repository_config(&raw, repo); rc < 0) return git::failure(rc, "cannot open .git/config");
  git::Config config(raw);
  git_config* raw_local = nullptr;
  if (int rc = git_config_open_level(&raw_local, config.get(), GIT_CONFIG_LEVEL_LOCAL); rc < 0)
    return git::failure(rc, "cannot open .git/config");
  return git::Config(raw_local);
}

}  // namespace

Result<std::vector<std::string>> Repository::move_head(const git_oid& from, const git_oid& to, bool resuming) {
  auto from_tree = commit_tree(repo_.get(), from);
  if (!from_tree) return from_tree.take_error();
  auto to_tree = commit_tree(repo_.get(), to);
  if (!to_tree) return to_tree.take_error();
  git_diff* raw_diff = nullptr;
  if (int rc = git_diff_tree_to_tree(&raw_diff, repo_.get(), from_tree->get(), to_tree->get(), nullptr); rc < 0)
    return git::failure(rc, "cannot compare the commits");
  git::Diff diff(raw_diff);

  std::vector<std::string> paths, in_the_way;
  for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    std::string path = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
    auto now = work_file_id(work_tree_ / path);
    bool at_from = same(now, delta->old_file, delta->status != GIT_DELTA_ADDED);
    bool at_to = same(now, delta->new_file, delta->status != GIT_DELTA_DELETED);
    if (at_from || (resuming && at_to)) paths.push_back(path);
    else in_the_way.push_back(path);
  }
  if (resuming) {
    // A writer killed in the middle of writing a file leaves it half written: neither version. It is most
    // likely that, but could be an edit made meanwhile, so its bytes are kept aside before the merge's
    // version replaces it.
    for (const auto& path : in_the_way) {
      fs::path aside = work_tree_ / ".lorsync" / "interrupted-sync" / path;
      std::error_code ec;
      fs::create_directories(aside.parent_path(), ec);
      if (fs::exists(work_tree_ / path, ec)) fs::copy_file(work_tree_ / path, aside, fs::copy_options::overwrite_existing, ec);
      if (ec) return make_error(ErrorCode::io, "cannot keep a copy of " + path + " aside: " + ec.message());
      spdlog::warn("{} was half written when a sync was interrupted; its bytes are kept in {}", path, aside.string());
      paths.push_back(path);
    }
    in_the_way.clear();
  }
  if (!in_the_way.empty()) {
    std::string list;
    for (const auto& path : in_the_way) list += (list.empty() ? "" : ", ") + path;
    return make_error(ErrorCode::conflict, "edits not yet committed are in the way of the sync: " + list +
                                               " (fix them so the plan validates, or undo them; the sync then goes on)");
  }
  if (!paths.empty()) {
    std::vector<char*> specs;
    for (auto& path : paths) specs.push_back(path.data());
    git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
    // SAFE re-checks each file as it writes, so an editor's save since the check above is not overwritten;
    // resuming, the half-written files must be replaced.
    options.checkout_strategy = (resuming ? GIT_CHECKOUT_FORCE : GIT_CHECKOUT_SAFE) | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
    options.paths = git_strarray{specs.data(), specs.size()};
    options.baseline = from_tree->get();
    int rc = git_checkout_tree(repo_.get(), reinterpret_cast<const git_object*>(to_tree->get()), &options);
    if (rc == GIT_ECONFLICT)
      return make_error(ErrorCode::conflict, "a file was edited while the sync was writing it; the sync goes on once the edit is committed");
    if (rc < 0) return git::failure(rc, "cannot update the work tree");
  }
  git_reference* raw_head = nullptr;
  if (int rc = git_repository_head(&raw_head, repo_.get()); rc < 0) return git::failure(rc, "cannot read HEAD");
  git::Reference head(raw_head);
  git_reference* raw_moved = nullptr;
  // Compare-and-swap: if anything moved the branch meanwhile, this fails rather than losing that commit.
  int rc = git_reference_create_matching(&raw_moved, repo_.get(), git_reference_name(head.get()), &to, 1, &from,
                                         "lorsync: sync");
  git::Reference moved(raw_moved);
  if (rc < 0) {
    Error error = git::failure(rc, "cannot move the branch (a commit was made meanwhile?)");
    // The branch stays where it is, so the work tree goes back with it.
    std::vector<char*> specs;
    for (auto& path : paths) specs.push_back(path.data());
    git_checkout_options undo = GIT_CHECKOUT_OPTIONS_INIT;
    undo.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
    undo.paths = git_strarray{specs.data(), specs.size()};
    if (!specs.empty() && git_checkout_tree(repo_.get(), reinterpret_cast<const git_object*>(from_tree->get()), &undo) < 0)
      spdlog::error("could not put the work tree back after a failed sync");
    return error;
  }
  return paths;
}

Result<Integration> Repository::integrate(const std::string& theirs, const std::string& device,
                                          const fs::path& progress_marker) {
  Integration out;
  git_oid their_id, head_id;
  if (int rc = git_oid_fromstr(&their_id, theirs.c_str()); rc < 0) return git::failure(rc, "bad commit id " + theirs);
  if (int rc = git_reference_name_to_id(&head_id, repo_.get(), "HEAD"); rc < 0) return git::failure(rc, "cannot read HEAD");
  out.old_head = out.new_head = git::oid_hex(head_id);
  if (git_oid_equal(&their_id, &head_id) || git_graph_descendant_of(repo_.get(), &head_id, &their_id) == 1) return out;

  auto their_tree = commit_tree(repo_.get(), their_id);
  if (!their_tree) return their_tree.take_error();
  if (Status safe = refuse_links(repo_.get(), their_tree->get()); !safe) return safe.take_error();

  git_oid target = their_id;
  if (git_graph_descendant_of(repo_.get(), &their_id, &head_id) == 1) {
    out.kind = Integration::Kind::fast_forward;
  } else {
    out.kind = Integration::Kind::merged;
    auto ours = lookup_commit(repo_.get(), head_id);
    if (!ours) return ours.take_error();
    auto their_commit = lookup_commit(repo_.get(), their_id);
    if (!their_commit) return their_commit.take_error();
    auto merged = merge_commits(repo_.get(), ours->get(), their_commit->get());
    if (!merged) return merged.take_error();
    out.conflicts = merged->conflicts;

    // Name the devices whose commits come in, for the message.
    std::set<std::string> devices;
    git_revwalk* raw_walk = nullptr;
    if (int rc = git_revwalk_new(&raw_walk, repo_.get()); rc < 0) return git::failure(rc, "cannot walk history");
    git::RevWalk walk(raw_walk);
    git_revwalk_push(walk.get(), &their_id);
    git_revwalk_hide(walk.get(), &head_id);
    git_oid walked;
    for (int seen = 0; seen < 200 && git_revwalk_next(&walked, walk.get()) == 0; ++seen) {
      auto commit = lookup_commit(repo_.get(), walked);
      if (commit && git_commit_parentcount(commit->get()) < 2) devices.insert(device_of(commit->get()));
    }
    git_tree* raw_tree = nullptr;
    if (int rc = git_tree_lookup(&raw_tree, repo_.get(), &merged->tree); rc < 0) return git::failure(rc, "cannot read the merged tree");
    git::Tree tree(raw_tree);
    auto signature = author();
    if (!signature) return signature.take_error();
    std::string summary = "sync: plan — merged changes from " + (devices.empty() ? std::string("another device") : spoken_list(devices));
    if (!out.conflicts.empty())
      summary += " (" + count_of(out.conflicts.size(), "conflict") + ")";
    std::string message = summary + "\n\nLorsync-Device: " + device + "\n";
    const git_commit* parents[] = {ours->get(), their_commit->get()};
    if (int rc = git_commit_create(&target, repo_.get(), nullptr, signature->get(), signature->get(), nullptr,
                                   message.c_str(), tree.get(), 2, parents);
        rc < 0)
      return git::failure(rc, "cannot commit the merge");
  }

  Status marked = write_file_atomically(progress_marker, git::oid_hex(head_id) + " " + git::oid_hex(target) + "\n");
  if (!marked) return marked.take_error();
  auto paths = move_head(head_id, target, false);
  // A move that failed midway keeps its marker, so the next writer finishes it; one refused up front does not.
  std::error_code ec;
  if (paths || paths.error().code == ErrorCode::conflict) fs::remove(progress_marker, ec);
  if (!paths) return paths.take_error();
  out.changed_paths = std::move(*paths);
  out.new_head = git::oid_hex(target);
  return out;
}

Status Repository::start_from(const std::string& commit) {
  git_oid id;
  if (int rc = git_oid_fromstr(&id, commit.c_str()); rc < 0) return git::failure(rc, "bad commit id " + commit);
  auto tree = commit_tree(repo_.get(), id);
  if (!tree) return tree.take_error();
  if (Status safe = refuse_links(repo_.get(), tree->get()); !safe) return safe;
  git_reference* raw_head = nullptr;
  if (int rc = git_reference_lookup(&raw_head, repo_.get(), "HEAD"); rc < 0) return git::failure(rc, "cannot read HEAD");
  git::Reference head(raw_head);
  git_reference* raw_branch = nullptr;
  if (int rc = git_reference_create(&raw_branch, repo_.get(), git_reference_symbolic_target(head.get()), &id, 0,
                                    "lorsync: clone");
      rc < 0)
    return git::failure(rc, "cannot create the branch");
  git::Reference branch(raw_branch);
  git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
  options.checkout_strategy = GIT_CHECKOUT_SAFE;
  if (int rc = git_checkout_tree(repo_.get(), reinterpret_cast<const git_object*>(tree->get()), &options); rc < 0)
    return git::failure(rc, "cannot check out the plan");
  return Ok{};
}

Status Repository::configure_merge_driver(const std::string& command) {
  auto local = local_config(repo_.get());
  if (!local) return local.take_error();
  int rc = git_config_set_string(local->get(), "merge.lorsync.name", "lorsync: merge plan files field by field");
  if (rc == 0) rc = git_config_set_string(local->get(), "merge.lorsync.driver", command.c_str());
  if (rc < 0) return git::failure(rc, "cannot register the merge driver in .git/config");
  return Ok{};
}

Status Repository::upgrade_merge_driver(const std::string& command) {
  auto local = local_config(repo_.get());
  if (!local) return local.take_error();
  git_config_entry* raw = nullptr;
  int rc = git_config_get_entry(&raw, local->get(), "merge.lorsync.driver");
  if (rc == GIT_ENOTFOUND) return Ok{};
  if (rc < 0) return git::failure(rc, "cannot read the merge driver from .git/config");
  git::ConfigEntry entry(raw);
  // The older form: an absolute path (shell-quoted), then the same arguments as `command`.
  const std::string_view registered = entry->value;
  const size_t arguments = command.find(' ');
  const bool by_path = registered.starts_with('/') || registered.starts_with("'/");
  if (!by_path || arguments == std::string::npos || !registered.ends_with(std::string_view(command).substr(arguments)))
    return Ok{};
  return configure_merge_driver(command);
}

Status Repository::finish_interrupted_integration(const fs::path& progress_marker) {
  std::ifstream in(progress_marker);
  if (!in) return Ok{};
  std::string from_hex, to_hex;
  in >> from_hex >> to_hex;
  git_oid from, to, head;
  std::error_code ec;
  if (git_oid_fromstr(&from, from_hex.c_str()) < 0 || git_oid_fromstr(&to, to_hex.c_str()) < 0 ||
      git_reference_name_to_id(&head, repo_.get(), "HEAD") < 0) {
    fs::remove(progress_marker, ec);  // unreadable: the branch never moved, nothing to finish
    return Ok{};
  }
  if (git_oid_equal(&head, &from)) {
    spdlog::info("finishing a sync that was interrupted");
    auto moved = move_head(from, to, true);
    if (!moved) return moved.take_error();
  }
  fs::remove(progress_marker, ec);
  return Ok{};
}

}  // namespace lorsync
