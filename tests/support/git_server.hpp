// tests/support/git_server: real network remotes for sync tests — a TCP port
// on 127.0.0.1 that nobody listens on, and `git daemon` serving a folder of
// bare repositories over git:// with pushes allowed (so their hooks run as on
// a real server).
#pragma once

#include "support/temp_dir.hpp"

#include <cstdint>
#include <filesystem>

namespace lorsync::test {

// A port on 127.0.0.1 the kernel picked as free and that is closed again: a connection to it is refused.
uint16_t free_port();

// `git daemon` on 127.0.0.1:port serving the bare repositories under `base` (git://127.0.0.1:PORT/NAME.git).
// Ready when constructed; stopped when destroyed.
struct GitServer {
  TempDir dir;
  uint16_t port = free_port();
  std::filesystem::path pid_file = dir / "git-daemon.pid";
  explicit GitServer(const std::filesystem::path& base);
  ~GitServer();
  GitServer(const GitServer&) = delete;
  GitServer& operator=(const GitServer&) = delete;
};

}  // namespace lorsync::test
