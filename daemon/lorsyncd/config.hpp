// lorsyncd/config: the daemon's settings from $XDG_CONFIG_HOME/lorsync/config.yaml
// (every key optional), checked strictly so that a typo is an error that names
// the line, not a setting silently ignored.
#pragma once

#include "common/diagnostic.hpp"
#include "sync/sync_settings.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lorsync::daemon {

struct DaemonConfig {
  uint16_t port = 23231;
  std::vector<std::string> allowed_origins;  // besides http://127.0.0.1:PORT and http://localhost:PORT
  std::chrono::milliseconds debounce{150};   // how long an outside edit must settle before it is committed
  std::string log_level = "info";            // trace, debug, info, warn, error, off
  size_t max_connections = 256;             // authenticated connections
  size_t max_unauthenticated = 16;          // connections not yet authenticated; past it the oldest is dropped
  std::chrono::seconds auth_timeout{5};     // a WebSocket client must authenticate within this
  std::chrono::seconds idle_timeout{60};     // WebSocket keep-alive: ping after half, close after all of it
  SyncSettings sync;
};

std::filesystem::path default_config_path();  // $XDG_CONFIG_HOME/lorsync/config.yaml (~/.config/...)

// A missing file gives the defaults; a file that cannot be read or has unknown keys is an error.
Result<DaemonConfig> load_config(const std::filesystem::path& path);

}  // namespace lorsync::daemon
