#include "cli/git_config_cache.hpp"

#include "cli/commands.hpp"
#include "common/file_contents.hpp"
#include "common/json_members.hpp"
#include "common/text.hpp"
#include "store/atomic_file.hpp"
#include "sync/remote.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <vector>

namespace lorsync::cli {
namespace fs = std::filesystem;

namespace {

// Bump when what is remembered changes meaning, so that an older lorsync's file is read again.
constexpr int kCacheFormat = 1;

fs::path cache_path(const fs::path& root) { return root / ".lorsync" / "git-config.json"; }

// Where libgit2 looks for config, in its order of levels (the worktree level needs the repository's own
// config to name it, and is covered by that file's digest: a repository that enables it includes nothing new
// until its config changes).
std::vector<fs::path> config_files(const fs::path& root) {
  std::vector<fs::path> files{"/etc/gitconfig"};
  const char* home = std::getenv("HOME");
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) files.push_back(fs::path(xdg) / "git" / "config");
  else if (home && *home) files.push_back(fs::path(home) / ".config" / "git" / "config");
  if (home && *home) files.push_back(fs::path(home) / ".gitconfig");
  files.push_back(root / ".git" / "config");
  files.push_back(root / ".git" / "config.worktree");
  return files;
}

// What an earlier status remembered under `digest`; nullopt for any other file, whatever it holds (it is only a
// cache: a damaged one is read again and replaced, never an error).
std::optional<StatusGitConfig> remembered(const fs::path& root, const std::string& digest) {
  auto text = read_whole(cache_path(root));
  if (!text) return std::nullopt;
  const nlohmann::json cache = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (int_member(cache, "format") != kCacheFormat || string_member(cache, "digest") != digest) return std::nullopt;
  auto url = cache.find("origin_url");
  if (url == cache.end() || !(url->is_null() || url->is_string())) return std::nullopt;
  return StatusGitConfig{url->is_null() ? std::nullopt : std::optional<std::string>(url->get<std::string>())};
}

// nullopt when libgit2 could not say (a repository it refuses to open, a config it cannot read): not worth
// remembering, since the next status may succeed with the same config.
std::optional<StatusGitConfig> read_through_libgit2(const fs::path& root) {
  auto remote = Remote::open(root);
  if (!remote) return std::nullopt;
  auto url = remote->origin_url();
  if (!url) return std::nullopt;
  return StatusGitConfig{*url};
}

}  // namespace

std::optional<std::string> git_config_digest(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(root / ".git", ec))) return std::nullopt;
  // Without HOME libgit2 finds the user's config through the password database: not followed here.
  if (const char* home = std::getenv("HOME"); !home || !*home) return std::nullopt;
  std::string all;
  for (const fs::path& file : config_files(root)) {
    all += file.string();
    all += '\0';
    auto text = read_whole(file);
    if (!text) {
      all += "absent";
    } else {
      // Case-insensitively, as git reads section names: [include], [includeIf "..."].
      std::string lower = *text;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower.find("include") != std::string::npos) return std::nullopt;
      all += std::to_string(text->size()) + ':' + *text;
    }
    all += '\0';
  }
  return std::to_string(std::hash<std::string>{}(all)) + "-" + std::to_string(all.size());
}

StatusGitConfig status_git_config(const fs::path& root) {
  if (std::optional<std::string> digest = git_config_digest(root)) {
    if (auto cached = remembered(root, *digest)) return *cached;
  }
  // A registration that could not be brought up to date is tried (and warned about) again next time.
  const bool driver_current = upgrade_merge_driver_registration(root);
  // Taken around the read, after the upgrade (which may rewrite .git/config): a change another process makes
  // meanwhile (`lorsync remote`, the daemon) is not remembered under a digest that does not match what was read.
  std::optional<std::string> before = git_config_digest(root);
  std::optional<StatusGitConfig> read = read_through_libgit2(root);
  if (!read) return StatusGitConfig{};
  std::optional<std::string> after = git_config_digest(root);
  // JSON holds only UTF-8: a URL of other bytes is read through libgit2 each time.
  const bool storable = !read->origin_url || !find_invalid_utf8(*read->origin_url);
  if (driver_current && before && before == after && storable) {
    nlohmann::json cache{{"format", kCacheFormat},
                         {"digest", *after},
                         {"origin_url", read->origin_url ? nlohmann::json(*read->origin_url) : nlohmann::json()}};
    // Only a cache: a plan on a read-only disk is read through libgit2 each time.
    std::error_code ec;
    fs::create_directories(root / ".lorsync", ec);
    if (!ec) (void)write_file_atomically(cache_path(root), cache.dump() + "\n");
  }
  return *read;
}

}  // namespace lorsync::cli
