// tests/fuzz/daemon_fixture: the daemon's API set up as lorsyncd sets it up
// (PlanService and SyncScheduler methods on one Dispatcher, behind a token),
// over a sample plan in the fuzz process's scratch dir, made once per process.
// The plan has no git remote, so sync.now fails at once without a network.
#pragma once

#include "api/plan_service.hpp"
#include "sync/sync_scheduler.hpp"

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace lorsync::fuzz {

class DaemonFixture {
 public:
  static constexpr const char* kToken = "fuzz-token-0123456789";

  // `io` runs the sync scheduler's timers (it is never started, so it sets none) and, for a server, everything.
  DaemonFixture(boost::asio::io_context& io, const std::string& plan_name);

  api::Dispatcher& dispatcher() { return dispatcher_; }
  api::PlanService& service() { return *service_; }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::unique_ptr<api::PlanService> service_;
  std::unique_ptr<SyncScheduler> sync_;
  api::Dispatcher dispatcher_;
};

}  // namespace lorsync::fuzz
