#include "store/plan_lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

namespace lorsync {

Result<PlanLock> PlanLock::acquire(const std::filesystem::path& plan_root, std::chrono::milliseconds patience,
                                   const std::string& name) {
  std::error_code ec;
  std::filesystem::create_directories(plan_root / ".lorsync", ec);
  std::filesystem::path path = plan_root / ".lorsync" / name;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::io, "cannot open " + path.string() + ": " + std::strerror(errno));
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int saved = errno;
      ::close(fd);
      return make_error(ErrorCode::io, "cannot lock " + path.string() + ": " + std::strerror(saved));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      char buffer[32] = {};
      ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
      ::close(fd);
      std::string holder = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "another process";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return make_error(ErrorCode::locked, "the plan is being changed by process " + holder +
                                               " (a lorsync daemon or command); try again, or stop it");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // A pid left in the file means its writer never released the lock: it died.
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  bool crashed = n > 0 && std::atoi(buffer) > 0;
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    int saved = errno;
    ::close(fd);
    return make_error(ErrorCode::io, "cannot write " + path.string() + ": " + std::strerror(saved));
  }
  return PlanLock(fd, crashed);
}

PlanLock::PlanLock(PlanLock&& other) noexcept : fd_(other.fd_), predecessor_crashed_(other.predecessor_crashed_) {
  other.fd_ = -1;
}

PlanLock::~PlanLock() {
  if (fd_ < 0) return;
  // Empty the file before unlocking: an empty lock file means a clean release.
  if (::ftruncate(fd_, 0) != 0) { /* the next holder will assume a crash and clean up harmlessly */ }
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace lorsync
