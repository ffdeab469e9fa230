#include "daemon_fixture.hpp"

#include "api/sync_methods.hpp"
#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>

namespace lorsync::fuzz {

DaemonFixture::DaemonFixture(boost::asio::io_context& io, const std::string& plan_name)
    : root_(sample_plan(plan_name)) {
  // A fixed day keeps replies (and the reply cache) the same from one input to the next.
  auto opened = api::PlanService::open(
      root_, StoreOptions{"fuzz", std::chrono::milliseconds(1000)}, [] { return *parse_date("2026-08-15"); },
      [](const nlohmann::json&, const std::vector<uint64_t>&) {});
  if (!opened) {
    std::fprintf(stderr, "lorsync fuzz: cannot open the sample plan: %s\n", opened.error().message.c_str());
    std::abort();
  }
  service_ = std::move(opened.value());
  service_->register_methods(dispatcher_, kToken);
  api::PlanService* plan = service_.get();
  sync_ = std::make_unique<SyncScheduler>(
      io, io.get_executor(), root_, [plan](const std::string& commit) { return plan->integrate(commit); },
      [plan] { return plan->snapshot()->model.conflicts; }, [](const nlohmann::json&) {}, SyncSettings{});
  api::register_sync_methods(dispatcher_, *sync_);
}

}  // namespace lorsync::fuzz
