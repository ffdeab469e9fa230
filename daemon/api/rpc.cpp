#include "api/rpc.hpp"

#include "api/params.hpp"

#include "common/limits.hpp"
#include "common/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lorsync::api {

using nlohmann::json;

namespace {
const json kNoParams = json::object();  // by-position params name nothing: the method sees none
}  // namespace

void Dispatcher::add(std::string name, Method method, MethodTraits traits) {
  methods_[std::move(name)] = Entry{std::move(method), traits};
}

std::vector<std::string> Dispatcher::names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : methods_) out.push_back(name);
  return out;
}

json error_response(const json& id, const RpcError& error) {
  json body = {{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) body["data"] = error.data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", body}};
}

std::string wire_text(const json& message) {
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

json notification(const std::string& method, json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

namespace {

// Numbers only where every client reads them back exactly: whole, and within JavaScript's 2^53. A larger one
// would be parsed as a float and echoed as one, which its sender could not match to its request.
bool valid_id(const json& id) {
  constexpr int64_t kLargestExact = int64_t{1} << 53;
  if (id.is_null()) return true;
  if (id.is_number_unsigned()) return id.get<uint64_t>() <= static_cast<uint64_t>(kLargestExact);
  if (id.is_number_integer()) return id.get<int64_t>() >= -kLargestExact && id.get<int64_t>() <= kLargestExact;
  return id.is_string() && id.get_ref<const std::string&>().size() <= kMaxIdLength;
}

// The id a reply to `request` carries: its own when it has a usable one.
json reply_id(const json& request) {
  if (!request.is_object()) return json();
  auto id = request.find("id");
  return id != request.end() && valid_id(*id) ? *id : json();
}

}  // namespace

std::optional<std::string> Dispatcher::handle_one(const json& request, Caller& caller) const {
  if (!request.is_object() || request.value("jsonrpc", json()) != "2.0" || !request.contains("method") ||
      !request["method"].is_string())
    return wire_text(error_response(
        reply_id(request),
        RpcError{kInvalidRequest, "invalid request: expected {\"jsonrpc\": \"2.0\", \"method\": ...}", {}}));
  const bool is_notification = !request.contains("id");
  json id = is_notification ? json() : request["id"];
  if (!valid_id(id)) return wire_text(error_response(json(), RpcError{kInvalidRequest, "invalid request: the id must be a string of at most 256 characters, a whole number of at most 2^53, or null", {}}));
  const json params = request.contains("params") ? request["params"] : json::object();
  if (!params.is_object() && !params.is_array())
    return wire_text(error_response(id, RpcError{kInvalidParams, "params must be an object", {}}));

  const std::string& name = request["method"].get_ref<const std::string&>();
  auto found = methods_.find(name);
  std::optional<RpcError> refusal;
  if (found == methods_.end()) refusal = RpcError{kMethodNotFound, "no method " + name.substr(0, 64), {}};
  else if (found->second.traits.needs_auth && !caller.authenticated)
    refusal = RpcError{kUnauthorized, "not authenticated: call auth with the token from .lorsync/daemon.json", {}};
  if (refusal) return is_notification ? std::nullopt : std::optional<std::string>(wire_text(error_response(id, *refusal)));

  const json& named = params.is_object() ? params : kNoParams;
  MethodResult result;
  try {
    // Methods open before authentication judge their own params: a credential of
    // the wrong shape must read as a wrong credential, not as a schema lesson.
    std::optional<RpcError> invalid = found->second.traits.needs_auth ? params_refusal(name, named) : std::nullopt;
    if (invalid) result = std::move(*invalid);
    else result = found->second.method(named, caller);
  } catch (const std::exception& e) {
    spdlog::error("method {} failed: {}", name, e.what());
    result = RpcError{kInternalError, "internal error", {}};
  }
  if (is_notification) return std::nullopt;
  if (auto* error = std::get_if<RpcError>(&result)) return wire_text(error_response(id, *error));
  if (auto* serialized = std::get_if<SerializedResult>(&result))
    return R"({"id":)" + wire_text(id) + R"(,"jsonrpc":"2.0","result":)" + *serialized->text + "}";
  return wire_text(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(std::get<json>(result))}});
}

Incoming Dispatcher::parse(std::string_view message) const {
  if (json_nests_too_deep(message))
    return Incoming{json(), wire_text(error_response(json(), RpcError{kInvalidRequest,
                                                                      "values nest more than " +
                                                                          std::to_string(kMaxNesting) + " levels deep",
                                                                      {}}))};
  Incoming incoming{json::parse(message, nullptr, false), std::nullopt};
  if (incoming.message.is_discarded())
    incoming.refusal = wire_text(error_response(json(), RpcError{kParseError, "parse error: not valid JSON", {}}));
  else if (incoming.message.is_array() && (incoming.message.empty() || incoming.message.size() > kMaxBatch))
    incoming.refusal = wire_text(error_response(
        json(), RpcError{kInvalidRequest, incoming.message.empty() ? "empty batch" : "batch too large (at most 64)", {}}));
  return incoming;
}

Placement Dispatcher::placement(const Incoming& incoming) const {
  if (incoming.refusal) return Placement::io;
  auto place_one = [this](const json& request) {
    if (!request.is_object()) return Placement::io;
    auto method = request.find("method");
    if (method == request.end() || !method->is_string()) return Placement::io;
    auto found = methods_.find(method->get_ref<const std::string&>());
    if (found == methods_.end()) return Placement::io;
    if (found->second.traits.networked) return Placement::network;
    return found->second.traits.writes ? Placement::writer : Placement::io;
  };
  if (!incoming.message.is_array()) return place_one(incoming.message);
  Placement out = Placement::io;
  for (const auto& request : incoming.message) out = std::max(out, place_one(request));
  return out;
}

namespace {

std::string too_large(const json& request, size_t budget, bool ran) {
  std::string limit = std::to_string(std::max<size_t>(budget >> 20, 1)) + " MiB";
  return wire_text(error_response(
      reply_id(request),
      RpcError{kReplyTooLarge,
               ran ? "reply too large: it would exceed the " + limit + " this connection may have waiting; ask for less"
                   : "not run: the batch's replies reached the " + limit +
                         " this connection may have waiting; send the rest in another message",
               {}}));
}

}  // namespace

std::optional<std::string> Dispatcher::handle(const Incoming& incoming, Caller& caller) const {
  if (incoming.refusal) return incoming.refusal;
  const json& parsed = incoming.message;
  if (!parsed.is_array()) {
    auto reply = handle_one(parsed, caller);
    if (reply && reply->size() > caller.reply_budget) return too_large(parsed, caller.reply_budget, true);
    return reply;
  }
  // Past the budget nothing more is built: the calls left are answered with an error, not run.
  std::vector<std::string> replies;
  size_t bytes = 0;
  bool full = false;
  for (const auto& request : parsed) {
    if (caller.close_after_reply) break;
    if (full) {
      if (request.is_object() && !request.contains("id")) continue;  // a notification: no reply either way
      replies.push_back(too_large(request, caller.reply_budget, false));
      continue;
    }
    auto reply = handle_one(request, caller);
    if (!reply) continue;
    if (bytes + reply->size() + 1 > caller.reply_budget) {
      full = true;
      reply = too_large(request, caller.reply_budget, true);
    }
    bytes += reply->size() + 1;
    replies.push_back(std::move(*reply));
  }
  if (replies.empty()) return std::nullopt;
  return "[" + join(replies, ",") + "]";
}

}  // namespace lorsync::api
