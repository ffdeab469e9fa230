// common/file_contents: a file's bytes read whole, for every layer that reads small files as they are now
// (plan files, daemon.json, templates, git's config).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace lorsync {

// nullopt when it cannot be opened (absent, say).
std::optional<std::string> read_whole(const std::filesystem::path& path);

}  // namespace lorsync
