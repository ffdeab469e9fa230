// git/git: libgit2 handles as RAII types and libgit2 failures as Error values
// carrying git_error_last(). Everything that touches libgit2 includes this
// (libgit2 itself is loaded on the first call: git/libgit2.hpp).
#pragma once

#include "common/diagnostic.hpp"
#include "git/libgit2.hpp"

#include <memory>
#include <string>

namespace lorsync::git {

template <auto FreeFunction>
struct Deleter {
  template <class T>
  void operator()(T* handle) const { FreeFunction(handle); }
};

using Repository = std::unique_ptr<git_repository, Deleter<git_repository_free>>;
using Index = std::unique_ptr<git_index, Deleter<git_index_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit_free>>;
using Signature = std::unique_ptr<git_signature, Deleter<git_signature_free>>;
using Reference = std::unique_ptr<git_reference, Deleter<git_reference_free>>;
using RevWalk = std::unique_ptr<git_revwalk, Deleter<git_revwalk_free>>;
using Config = std::unique_ptr<git_config, Deleter<git_config_free>>;
using ConfigEntry = std::unique_ptr<git_config_entry, Deleter<git_config_entry_free>>;
using Object = std::unique_ptr<git_object, Deleter<git_object_free>>;
using StatusList = std::unique_ptr<git_status_list, Deleter<git_status_list_free>>;
using Diff = std::unique_ptr<git_diff, Deleter<git_diff_free>>;
using Remote = std::unique_ptr<git_remote, Deleter<git_remote_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob_free>>;
using TreeEntry = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry_free>>;

// An Error for libgit2 return code `rc`, naming what was being done.
Error failure(int rc, const std::string& doing);

std::string oid_hex(const git_oid& oid);

// The value of a commit message's trailer `key` (e.g. "Lorsync-Device"); empty when it has none. A peer wrote it,
// so it comes back as one printable UTF-8 line (see printable_line): merge notes, logs and JSON carry it as is.
std::string trailer(const std::string& message, std::string_view key);

}  // namespace lorsync::git
