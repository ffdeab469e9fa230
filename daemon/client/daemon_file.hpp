// client/daemon_file: how a daemon and its clients find each other through the
// plan folder: `.lorsync/daemon.lock` (held by the one daemon serving the plan;
// the kernel releases it if the daemon dies, so a crash leaves no stale lock)
// and `.lorsync/daemon.json` (mode 0600: pid, port, url, token).
#pragma once

#include "common/diagnostic.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lorsync {

struct DaemonInfo {
  int pid = 0;
  uint16_t port = 0;
  std::string url;    // http://127.0.0.1:PORT/
  std::string token;  // 64 hex digits; a secret
};

// The daemon's claim on a plan, held for its lifetime.
class DaemonLock {
 public:
  // Fails (ErrorCode::locked) if another daemon serves the plan, naming it.
  static Result<DaemonLock> acquire(const std::filesystem::path& plan_root);
  DaemonLock(DaemonLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DaemonLock& operator=(DaemonLock&&) = delete;
  DaemonLock(const DaemonLock&) = delete;
  ~DaemonLock();

 private:
  explicit DaemonLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// A new token: 256 bits from the kernel's random source, as hex.
Result<std::string> new_token();

Status write_daemon_info(const std::filesystem::path& plan_root, const DaemonInfo& info);
void remove_daemon_info(const std::filesystem::path& plan_root);

// The daemon serving the plan, if one is running and has published where it listens.
std::optional<DaemonInfo> running_daemon(const std::filesystem::path& plan_root);

}  // namespace lorsync
