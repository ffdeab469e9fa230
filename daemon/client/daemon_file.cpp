#include "client/daemon_file.hpp"

#include "common/file_contents.hpp"
#include "common/json_members.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <thread>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

fs::path lock_path(const fs::path& root) { return root / ".lorsync" / "daemon.lock"; }
fs::path info_path(const fs::path& root) { return root / ".lorsync" / "daemon.json"; }

std::optional<DaemonInfo> read_info(const fs::path& root) {
  std::optional<std::string> text = read_whole(info_path(root));
  if (!text) return std::nullopt;
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  // Written by lorsyncd, but read as any file: a member of another type or a port out of range is no daemon.
  const int64_t port = int64_member(parsed, "port");
  if (port <= 0 || port > 65535) return std::nullopt;
  DaemonInfo info;
  info.pid = int_member(parsed, "pid");
  info.port = static_cast<uint16_t>(port);
  info.url = string_member(parsed, "url");
  info.token = string_member(parsed, "token");
  if (info.token.empty()) return std::nullopt;
  return info;
}

}  // namespace

Result<DaemonLock> DaemonLock::acquire(const fs::path& plan_root) {
  std::error_code ec;
  fs::create_directories(plan_root / ".lorsync", ec);
  fs::path path = lock_path(plan_root);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::io, "cannot open " + path.string() + ": " + std::strerror(errno));
  // A client checking whether a daemon runs holds the lock for an instant: try a few times.
  bool locked = false;
  for (int attempt = 0; attempt < 10 && !(locked = ::flock(fd, LOCK_EX | LOCK_NB) == 0) && errno == EWOULDBLOCK; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!locked) {
    int saved = errno;
    ::close(fd);
    if (saved != EWOULDBLOCK) return make_error(ErrorCode::io, "cannot lock " + path.string() + ": " + std::strerror(saved));
    auto other = read_info(plan_root);
    return make_error(ErrorCode::locked,
                      "another lorsyncd already serves this plan" +
                          (other ? " (pid " + std::to_string(other->pid) + ", " + other->url + ")" : std::string()) +
                          "; stop it first, or use it");
  }
  return DaemonLock(fd);
}

DaemonLock::~DaemonLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

Result<std::string> new_token() {
  unsigned char bytes[32];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorCode::io, std::string("cannot get random bytes for the token: ") + std::strerror(errno));
    filled += static_cast<size_t>(n);
  }
  static const char* digits = "0123456789abcdef";
  std::string token;
  for (unsigned char byte : bytes) {
    token.push_back(digits[byte >> 4]);
    token.push_back(digits[byte & 15]);
  }
  return token;
}

Status write_daemon_info(const fs::path& plan_root, const DaemonInfo& info) {
  nlohmann::json body = {{"pid", info.pid}, {"port", info.port}, {"url", info.url}, {"token", info.token}};
  std::string text = body.dump(2) + "\n";
  fs::path path = info_path(plan_root);
  fs::path temp = path;
  temp += ".tmp";
  // Created 0600 from the start: the token is never readable by others, not even for a moment.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::io, "cannot write " + temp.string() + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(temp.c_str());
    return make_error(ErrorCode::io, "cannot write " + path.string() + ": " + std::strerror(saved));
  }
  return Ok{};
}

void remove_daemon_info(const fs::path& plan_root) { ::unlink(info_path(plan_root).c_str()); }

std::optional<DaemonInfo> running_daemon(const fs::path& plan_root) {
  int fd = ::open(lock_path(plan_root).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  if (!held) return std::nullopt;
  return read_info(plan_root);
}

}  // namespace lorsync
