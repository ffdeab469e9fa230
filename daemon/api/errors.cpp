#include "api/errors.hpp"

#include "common/json_members.hpp"

#include <array>
#include <optional>

namespace lorsync::api {
using nlohmann::json;

namespace {

struct Row {
  ErrorCode kind;
  int code;
};

// Read back by code, the first row with the code wins: a bare -32602 is a usage error, a bare -32603 an io one.
constexpr std::array kTable = {
    Row{ErrorCode::usage, kInvalidParams},       Row{ErrorCode::exists, kInvalidParams},
    Row{ErrorCode::invalid_plan, kInvalidPlan},  Row{ErrorCode::not_found, kNotFound},
    Row{ErrorCode::conflict, kRevisionConflict}, Row{ErrorCode::remote, kSyncFailed},
    Row{ErrorCode::io, kInternalError},          Row{ErrorCode::locked, kInternalError},
    Row{ErrorCode::git, kInternalError},         Row{ErrorCode::no_author, kInternalError},
};

std::optional<ErrorCode> kind_named(const std::string& name) {
  for (const Row& row : kTable)
    if (name == error_code_name(row.kind)) return row.kind;
  return std::nullopt;
}

}  // namespace

RpcError to_rpc_error(const Error& error) {
  int code = kInternalError;
  for (const Row& row : kTable)
    if (row.kind == error.code) code = row.code;
  json data = {{"error", error_code_name(error.code)}};
  if (!error.diagnostics.empty() || error.code == ErrorCode::invalid_plan) data["diagnostics"] = error.diagnostics;
  if (error.remote_failure != RemoteFailure::none) data["failure"] = remote_failure_name(error.remote_failure);
  return RpcError{code, error.message, std::move(data)};
}

Error from_rpc_error(const json& error) {
  const std::string message = string_member(error, "message");
  const int code = int_member(error, "code");
  const json data = error.is_object() && error.contains("data") && error["data"].is_object() ? error["data"] : json::object();
  std::vector<Diagnostic> diagnostics;
  if (data.contains("diagnostics") && data["diagnostics"].is_array())
    for (const auto& diagnostic : data["diagnostics"])
      if (diagnostic.is_object()) diagnostics.push_back(diagnostic.get<Diagnostic>());

  std::optional<ErrorCode> kind;
  if (std::string name = string_member(data, "error"); !name.empty()) kind = kind_named(name);
  for (const Row& row : kTable)
    if (!kind && row.code == code) kind = row.kind;
  // Not an error a plan gives (no such method, unauthorized, a reply too large): the daemon failed us.
  if (!kind) return make_error(ErrorCode::io, "lorsyncd refused the request: " + message, std::move(diagnostics));
  Error decoded = make_error(*kind, message, std::move(diagnostics));
  if (auto failure = remote_failure_named(string_member(data, "failure")); failure && *kind == ErrorCode::remote)
    decoded.remote_failure = *failure;
  return decoded;
}

}  // namespace lorsync::api
