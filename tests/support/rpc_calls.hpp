// tests/support/rpc_calls: calling a real lorsyncd from a test and requiring
// what came back (a result, an error code, a notification within a time).
#pragma once

#include <catch2/catch.hpp>

#include "client/rpc_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace lorsync::test {

inline int error_code(const nlohmann::json& response) {
  return response.contains("error") ? response["error"].value("code", 0) : 0;
}

inline nlohmann::json call_ok(RpcClient& client, const std::string& method,
                              nlohmann::json params = nlohmann::json::object(),
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto response = client.call(method, std::move(params), timeout);
  INFO(method);
  REQUIRE(response);
  INFO(response->dump());
  REQUIRE(response->contains("result"));
  return (*response)["result"];
}

inline int call_error(RpcClient& client, const std::string& method, nlohmann::json params = nlohmann::json::object()) {
  auto response = client.call(method, std::move(params));
  REQUIRE(response);
  return error_code(response.value());
}

// The next notification named `method`, skipping others; fails after `timeout`.
inline nlohmann::json wait_for(RpcClient& client, const std::string& method,
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    INFO("waiting for " << method);
    REQUIRE(left.count() > 0);
    auto next = client.next_notification(left);
    REQUIRE(next);
    if ((*next)["method"] == method) return (*next)["params"];
  }
}

}  // namespace lorsync::test
