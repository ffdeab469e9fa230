// cli/git_config_cache: what `lorsync status` reads from git's config (origin's URL, after bringing the merge
// driver's registration up to date), remembered in .lorsync/git-config.json under a digest of every config
// file git reads for the plan. Reading git config means starting libgit2, and libgit2 starts by parsing the
// system's whole CA bundle (about 10 ms, more than the rest of a status), so status starts it only when one of
// those files changed. A config that includes another file is never remembered: the digest would not see the
// included file change.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace lorsync::cli {

struct StatusGitConfig {
  std::optional<std::string> origin_url;  // nullopt: no remote yet, or no repository
};

StatusGitConfig status_git_config(const std::filesystem::path& root);

// A digest of the config files git reads for the repository at `root` (system, XDG, global, the repository's
// own), present or absent; nullopt when what they say cannot be remembered: one includes another file, or
// .git is not a folder (a linked worktree or a gitfile, whose config lives elsewhere).
std::optional<std::string> git_config_digest(const std::filesystem::path& root);

}  // namespace lorsync::cli
