// store/store_internal: what the files Store's member functions live in share (store.cpp, commit_pipeline,
// plan_init, outside_edits, conflict_records); not meant for the layers above.
#pragma once

#include "common/file_contents.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace lorsync {

// The device named in commit trailers when StoreOptions names none: $LORSYNC_DEVICE, else the host name.
std::string default_device();

}  // namespace lorsync
