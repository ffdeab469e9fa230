// store/store_internal: what the files Store's member functions live in share (store.cpp, commit_pipeline,
// plan_init, outside_edits, conflict_records); not meant for the layers above.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace lorsync {

// The device named in commit trailers when StoreOptions names none: $LORSYNC_DEVICE, else the host name.
std::string default_device();

// A file's bytes as they are now; nullopt when it cannot be read (absent, say).
std::optional<std::string> read_whole(const std::filesystem::path& path);

}  // namespace lorsync
