// store/atomic_file: replaces a file so that a crash leaves either the old or
// the new contents, never a mix: write a temp file beside it, fsync, rename,
// fsync the directory.
#pragma once

#include "common/diagnostic.hpp"

#include <filesystem>
#include <string_view>

namespace lorsync {

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents);
Status remove_file_durably(const std::filesystem::path& path);

// Removes temp files that a writer killed mid-write left in the plan's folders.
void remove_stale_temp_files(const std::filesystem::path& plan_root);

}  // namespace lorsync
