// store/plan_lock: one writer at a time per plan. An flock on .lorsync/lock,
// which the kernel releases when its holder dies, so a crashed writer never
// blocks the plan; the pid written inside tells the next writer that its
// predecessor crashed (and that git lock files it left may be cleaned up).
#pragma once

#include "common/diagnostic.hpp"

#include <chrono>
#include <filesystem>
#include <string>

namespace lorsync {

class PlanLock {
 public:
  // Waits up to `patience` for the lock. `name`: the writers' lock, or another one (sync's network side).
  static Result<PlanLock> acquire(const std::filesystem::path& plan_root, std::chrono::milliseconds patience,
                                  const std::string& name = "lock");

  PlanLock(PlanLock&& other) noexcept;
  PlanLock& operator=(PlanLock&&) = delete;
  PlanLock(const PlanLock&) = delete;
  ~PlanLock();

  // The previous holder died while holding the lock (it did not release it cleanly).
  bool predecessor_crashed() const { return predecessor_crashed_; }

 private:
  PlanLock(int fd, bool crashed) : fd_(fd), predecessor_crashed_(crashed) {}
  int fd_ = -1;
  bool predecessor_crashed_ = false;
};

}  // namespace lorsync
