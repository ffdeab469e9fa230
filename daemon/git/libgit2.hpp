// git/libgit2: libgit2, loaded on its first call rather than when a lorsync
// process starts. Loading it and the sixteen libraries it needs (TLS, SSH,
// Kerberos) costs about 5 ms before main; `lorsync merge-file`, which git runs
// once per merged file, mostly needs none of it. So the programs do not link
// libgit2: each function lorsync calls is a variable of the same name in
// namespace lorsync that opens libgit2 (with dlopen, by the soname the headers
// were made for), initializes it, and calls the real function. Code in namespace
// lorsync calls them as it would call libgit2; a call to a function missing from
// the list below, or from outside namespace lorsync, fails to link.
#pragma once

#include <git2.h>

namespace lorsync {

namespace libgit2 {

// The address of libgit2's function `name`, opening and initializing libgit2 on the first call. A library that
// cannot be opened ends the process with a message, as the dynamic loader would have at start.
void* function(const char* name);

template <class Signature>
struct LazyCall;

template <class Result, class... Arguments>
struct LazyCall<Result(Arguments...)> {
  template <const char* Name>
  static Result call(Arguments... arguments) {
    static const auto real = reinterpret_cast<Result (*)(Arguments...)>(function(Name));
    return real(arguments...);
  }
};

}  // namespace libgit2

// Every libgit2 function lorsync calls; git_libgit2_init and git_libgit2_opts are called by the loader.
#define LORSYNC_LIBGIT2_FUNCTIONS(X) \
  X(git_blob_create_from_buffer) \
  X(git_blob_free) \
  X(git_blob_lookup) \
  X(git_blob_rawcontent) \
  X(git_blob_rawsize) \
  X(git_checkout_tree) \
  X(git_commit_author) \
  X(git_commit_create) \
  X(git_commit_free) \
  X(git_commit_id) \
  X(git_commit_lookup) \
  X(git_commit_message) \
  X(git_commit_parent) \
  X(git_commit_parent_id) \
  X(git_commit_parentcount) \
  X(git_commit_summary) \
  X(git_commit_time) \
  X(git_commit_time_offset) \
  X(git_commit_tree) \
  X(git_config_entry_free) \
  X(git_config_free) \
  X(git_config_get_entry) \
  X(git_config_get_string) \
  X(git_config_open_level) \
  X(git_config_set_string) \
  X(git_credential_ssh_key_from_agent) \
  X(git_credential_ssh_key_new) \
  X(git_credential_username_new) \
  X(git_credential_userpass_plaintext_new) \
  X(git_diff_free) \
  X(git_diff_get_delta) \
  X(git_diff_num_deltas) \
  X(git_diff_tree_to_tree) \
  X(git_error_last) \
  X(git_error_set_str) \
  X(git_graph_ahead_behind) \
  X(git_graph_descendant_of) \
  X(git_index_add) \
  X(git_index_add_bypath) \
  X(git_index_free) \
  X(git_index_read) \
  X(git_index_read_tree) \
  X(git_index_remove_bypath) \
  X(git_index_write) \
  X(git_merge_base) \
  X(git_merge_file) \
  X(git_merge_file_result_free) \
  X(git_object_free) \
  X(git_object_type) \
  X(git_odb_hash) \
  X(git_oid_equal) \
  X(git_oid_fromstr) \
  X(git_oid_tostr) \
  X(git_reference_create) \
  X(git_reference_create_matching) \
  X(git_reference_delete) \
  X(git_reference_free) \
  X(git_reference_lookup) \
  X(git_reference_name) \
  X(git_reference_name_to_id) \
  X(git_reference_symbolic_target) \
  X(git_reference_type) \
  X(git_remote_create_with_opts) \
  X(git_remote_fetch) \
  X(git_remote_free) \
  X(git_remote_ls) \
  X(git_remote_push) \
  X(git_remote_url) \
  X(git_repository_config) \
  X(git_repository_config_snapshot) \
  X(git_repository_free) \
  X(git_repository_head) \
  X(git_repository_head_detached) \
  X(git_repository_head_unborn) \
  X(git_repository_index) \
  X(git_repository_init_ext) \
  X(git_repository_is_bare) \
  X(git_repository_open) \
  X(git_repository_open_ext) \
  X(git_repository_path) \
  X(git_repository_set_head) \
  X(git_repository_state) \
  X(git_repository_workdir) \
  X(git_revparse_single) \
  X(git_revwalk_free) \
  X(git_revwalk_hide) \
  X(git_revwalk_new) \
  X(git_revwalk_next) \
  X(git_revwalk_push) \
  X(git_revwalk_push_head) \
  X(git_revwalk_sorting) \
  X(git_signature_default) \
  X(git_signature_free) \
  X(git_signature_now) \
  X(git_status_byindex) \
  X(git_status_list_entrycount) \
  X(git_status_list_free) \
  X(git_status_list_new) \
  X(git_tree_create_updated) \
  X(git_tree_entry_byindex) \
  X(git_tree_entry_bypath) \
  X(git_tree_entry_filemode) \
  X(git_tree_entry_free) \
  X(git_tree_entry_id) \
  X(git_tree_entry_name) \
  X(git_tree_entry_type) \
  X(git_tree_entrycount) \
  X(git_tree_free) \
  X(git_tree_lookup) \
  X(git_treebuilder_free) \
  X(git_treebuilder_new) \
  X(git_treebuilder_write)

#define LORSYNC_LIBGIT2_LAZY(name)                   \
  namespace libgit2 {                                \
  inline constexpr char name##_name[] = #name;       \
  }                                                  \
  inline constexpr auto name = &libgit2::LazyCall<decltype(::name)>::call<libgit2::name##_name>;
LORSYNC_LIBGIT2_FUNCTIONS(LORSYNC_LIBGIT2_LAZY)
#undef LORSYNC_LIBGIT2_LAZY

}  // namespace lorsync
