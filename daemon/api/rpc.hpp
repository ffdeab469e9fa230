// api/rpc: JSON-RPC 2.0 framing, independent of any transport: parses a
// message (single or batch), checks the envelope, enforces authentication,
// routes each call to a method, and turns every failure into the right error
// object, so one bad message never takes a connection (or the daemon) down.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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
  kReplyTooLarge = -32006,
};

// What a method returns instead of a result.
struct RpcError {
  int code;
  std::string message;
  nlohmann::json data;  // null when there is none
};

// A result already serialized (a reply kept for the snapshot it describes), spliced into the response as is.
struct SerializedResult {
  std::shared_ptr<const std::string> text;
};

using MethodResult = std::variant<nlohmann::json, RpcError, SerializedResult>;

// One connection's view: whether it has authenticated, and whether it must be closed.
struct Caller {
  bool authenticated = false;
  bool close_after_reply = false;
  uint64_t id = 0;  // the connection, for subscriptions
  // How many bytes of replies the connection may still have waiting to be sent: a reply (or a batch's
  // replies together) that would exceed it is answered with kReplyTooLarge instead.
  size_t reply_budget = SIZE_MAX;
};

using Method = std::function<MethodResult(const nlohmann::json& params, Caller& caller)>;

struct MethodTraits {
  bool needs_auth = true;  // false only for `auth` and the like
  bool writes = false;     // changes the plan (or reads git): runs on the writer, never on the I/O thread
  bool networked = false;  // talks to the git remote (sync.now): runs on the sync thread, which may wait long
};

// Where a message is answered: on the I/O thread (reads), the writer, or the sync thread.
enum class Placement { io, writer, network };

// A message parsed once: its JSON, or the reply that refuses it outright (not JSON, empty or huge batch).
struct Incoming {
  nlohmann::json message;
  std::optional<std::string> refusal;
};

inline constexpr size_t kMaxBatch = 64;
inline constexpr size_t kMaxIdLength = 256;

class Dispatcher {
 public:
  // `auth` is registered by the caller like any other method; it is the one reachable before authentication.
  void add(std::string name, Method method, MethodTraits traits = {});
  bool has(const std::string& name) const { return methods_.count(name) > 0; }
  std::vector<std::string> names() const;

  Incoming parse(std::string_view message) const;
  // Where answering `incoming` must run: a batch goes where its slowest call must.
  Placement placement(const Incoming& incoming) const;

  // The reply to one message (a response, a batch of them), or nullopt when
  // nothing is to be sent back (notifications only).
  std::optional<std::string> handle(const Incoming& incoming, Caller& caller) const;
  std::optional<std::string> handle(std::string_view message, Caller& caller) const {
    return handle(parse(message), caller);
  }

 private:
  struct Entry {
    Method method;
    MethodTraits traits;
  };
  std::map<std::string, Entry> methods_;

  // One call's response, serialized; nullopt for a notification.
  std::optional<std::string> handle_one(const nlohmann::json& request, Caller& caller) const;
};

nlohmann::json error_response(const nlohmann::json& id, const RpcError& error);
nlohmann::json notification(const std::string& method, nlohmann::json params);
// Serializes a message for the wire; text that is not valid UTF-8 (a cut name, say) is replaced, never thrown on.
std::string wire_text(const nlohmann::json& message);

}  // namespace lorsync::api
