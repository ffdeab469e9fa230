#include "cli/git_config_cache.hpp"

#include "cli/commands.hpp"
#include "store/atomic_file.hpp"
#include "sync/remote.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
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

std::optional<std::string> contents_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<nlohmann::json> remembered(const fs::path& root) {
  auto text = contents_of(cache_path(root));
  if (!text) return std::nullopt;
  nlohmann::json cache = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!cache.is_object() || cache.value("format", 0) != kCacheFormat || !cache.contains("digest") ||
      !cache["digest"].is_string() || !cache.contains("origin_url"))
    return std::nullopt;
  const auto& url = cache["origin_url"];
  if (!url.is_null() && !url.is_string()) return std::nullopt;
  return cache;
}

StatusGitConfig read_through_libgit2(const fs::path& root) {
  upgrade_merge_driver_registration(root);
  StatusGitConfig read;
  if (auto remote = Remote::open(root)) {
    if (auto url = remote->origin_url()) read.origin_url = *url;
  }
  return read;
}

}  // namespace

std::optional<std::string> git_config_digest(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(root / ".git", ec))) return std::nullopt;
  std::string all;
  for (const fs::path& file : config_files(root)) {
    all += file.string();
    all += '\0';
    auto text = contents_of(file);
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
  std::optional<std::string> before = git_config_digest(root);
  if (before) {
    if (auto cache = remembered(root); cache && (*cache)["digest"] == *before) {
      const auto& url = (*cache)["origin_url"];
      return StatusGitConfig{url.is_null() ? std::nullopt : std::optional<std::string>(url.get<std::string>())};
    }
  }
  StatusGitConfig read = read_through_libgit2(root);
  // Taken again: bringing the merge driver up to date may have rewritten .git/config.
  if (std::optional<std::string> after = git_config_digest(root)) {
    nlohmann::json cache{{"format", kCacheFormat},
                         {"digest", *after},
                         {"origin_url", read.origin_url ? nlohmann::json(*read.origin_url) : nlohmann::json()}};
    // Only a cache: a plan on a read-only disk is read through libgit2 each time.
    std::error_code ec;
    fs::create_directories(root / ".lorsync", ec);
    if (!ec) (void)write_file_atomically(cache_path(root), cache.dump() + "\n");
  }
  return read;
}

}  // namespace lorsync::cli
