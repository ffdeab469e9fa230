// client/rpc_client: a small blocking WebSocket JSON-RPC client for lorsyncd
// (Boost.Beast behind a pimpl), every wait bounded by a timeout. The CLI uses
// it to send its changes through a running daemon; the tests and the bench use
// it as a real client.
#pragma once

#include "common/diagnostic.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lorsync {

struct ConnectOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  std::string bearer;       // sent as `Authorization: Bearer ...` when not empty
  std::string origin;       // sent as `Origin` when not empty
  std::string host_header;  // the `Host` sent; empty: ADDRESS:PORT
  std::chrono::milliseconds timeout{5000};
};

struct CloseInfo {
  int code = 0;  // 1000 normal, 1001 going away, 1008 policy, 1009 too big, ...
  std::string reason;
};

class RpcClient {
 public:
  // Connects and upgrades to /rpc. A refused upgrade is an error whose message holds the HTTP status.
  static Result<RpcClient> connect(const ConnectOptions& options);
  RpcClient(RpcClient&&) noexcept;
  RpcClient& operator=(RpcClient&&) noexcept;
  ~RpcClient();

  Status send(std::string_view text);
  // The next message, whatever it is; a timeout leaves the connection usable.
  Result<std::string> receive(std::chrono::milliseconds timeout);
  // Sends a request with a fresh id and returns the whole response (with `result` or `error`);
  // notifications that arrive meanwhile are kept for next_notification.
  Result<nlohmann::json> call(const std::string& method, nlohmann::json params = nlohmann::json::object(),
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  Result<nlohmann::json> next_notification(std::chrono::milliseconds timeout);
  // Set once the server has closed the connection.
  std::optional<CloseInfo> closed() const;
  void close();

 private:
  struct Impl;
  explicit RpcClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lorsync
