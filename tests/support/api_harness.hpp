// tests/support/api_harness: the API's methods over a fresh sample plan (dated
// 2026-08-15), in process and without sockets, recording what is published.
#pragma once

#include <catch2/catch.hpp>

#include "api/plan_service.hpp"
#include "support/temp_dir.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lorsync::test {

struct ApiHarness {
  static constexpr const char* kToken = "secret-token";
  TempDir dir;
  std::unique_ptr<api::PlanService> service;
  api::Dispatcher dispatcher;
  std::vector<std::pair<nlohmann::json, std::vector<uint64_t>>> published;  // notification, to whom

  ApiHarness() {
    InitOptions init;
    init.sample = true;
    init.today = *parse_date("2026-08-15");
    REQUIRE(Store::init(dir / "plan", init).ok());
    auto opened = api::PlanService::open(
        dir / "plan", StoreOptions{"api-test", std::chrono::milliseconds(1000)}, [] { return *parse_date("2026-08-15"); },
        [this](const nlohmann::json& n, const std::vector<uint64_t>& to) { published.emplace_back(n, to); });
    REQUIRE(opened.ok());
    service = std::move(opened.value());
    service->register_methods(dispatcher, kToken);
  }

  nlohmann::json call(api::Caller& caller, const std::string& message) {
    auto reply = dispatcher.handle(message, caller);
    REQUIRE(reply.has_value());
    return nlohmann::json::parse(*reply);
  }
  nlohmann::json call(api::Caller& caller, const std::string& method, nlohmann::json params, int id = 1) {
    return call(caller, nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump());
  }
  // A connection that has called auth with the right token.
  api::Caller authenticated(uint64_t id = 1) {
    api::Caller caller;
    caller.id = id;
    REQUIRE(call(caller, "auth", {{"token", kToken}})["result"]["authenticated"] == true);
    return caller;
  }
};

}  // namespace lorsync::test
