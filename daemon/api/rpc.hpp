// api/rpc: JSON-RPC 2.0 framing, independent of any transport: parses a
// message (single or batch), checks the envelope, enforces authentication,
// routes each call to a method, and turns every failure into the right error
// object, so one bad message never takes a connection (or the daemon) down.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lorsync::api {

enum RpcCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kUnauthorized = -32001,
  kNotFound = -32002,
  kRevisionConflict = -32003,
  kInvalidPlan = -32004,
  kSyncFailed = -32005,
};

// What a method returns instead of a result.
struct RpcError {
  int code;
  std::string message;
  nlohmann::json data;  // null when there is none
};

using MethodResult = std::variant<nlohmann::json, RpcError>;

// One connection's view: whether it has authenticated, and whether it must be closed.
struct Caller {
  bool authenticated = false;
  bool close_after_reply = false;
  uint64_t id = 0;  // the connection, for subscriptions
};

using Method = std::function<MethodResult(const nlohmann::json& params, Caller& caller)>;

inline constexpr size_t kMaxBatch = 64;
inline constexpr size_t kMaxIdLength = 256;

class Dispatcher {
 public:
  // `auth` is registered by the caller like any other method; it is the one reachable before authentication.
  void add(std::string name, Method method, bool needs_auth = true);
  bool has(const std::string& name) const { return methods_.count(name) > 0; }
  std::vector<std::string> names() const;

  // The reply to one message (a response, a batch of them), or nullopt when
  // nothing is to be sent back (notifications only).
  std::optional<std::string> handle(std::string_view message, Caller& caller) const;

 private:
  struct Entry {
    Method method;
    bool needs_auth;
  };
  std::map<std::string, Entry> methods_;

  std::optional<nlohmann::json> handle_one(const nlohmann::json& request, Caller& caller) const;
};

nlohmann::json error_response(const nlohmann::json& id, const RpcError& error);
nlohmann::json notification(const std::string& method, nlohmann::json params);

}  // namespace lorsync::api
