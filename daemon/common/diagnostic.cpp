#include "common/diagnostic.hpp"

#include "common/json_members.hpp"

#include <nlohmann/json.hpp>

namespace lorsync {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.where.path;
  if (d.where.line > 0) {
    out += ':' + std::to_string(d.where.line);
    out += ':' + std::to_string(d.where.column > 0 ? d.where.column : 1);
  }
  out += ": ";
  if (!d.where.field.empty()) out += d.where.field + ": ";
  out += d.message;
  return out;
}

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::usage: return "usage";
    case ErrorCode::invalid_plan: return "invalid_plan";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::exists: return "exists";
    case ErrorCode::locked: return "locked";
    case ErrorCode::io: return "io";
    case ErrorCode::git: return "git";
    case ErrorCode::no_author: return "no_author";
    case ErrorCode::remote: return "remote";
  }
  return "unknown";
}

const char* remote_failure_name(RemoteFailure failure) {
  switch (failure) {
    case RemoteFailure::none: return "none";
    case RemoteFailure::unreachable: return "unreachable";
    case RemoteFailure::auth: return "auth";
    case RemoteFailure::certificate: return "certificate";
    case RemoteFailure::not_found: return "not_found";
    case RemoteFailure::unsupported_url: return "unsupported_url";
    case RemoteFailure::rejected: return "rejected";
    case RemoteFailure::kept_moving: return "kept_moving";
    case RemoteFailure::damaged: return "damaged";
    case RemoteFailure::cancelled: return "cancelled";
    case RemoteFailure::other: return "other";
  }
  return "other";
}

std::optional<RemoteFailure> remote_failure_named(std::string_view name) {
  for (int i = static_cast<int>(RemoteFailure::unreachable); i <= static_cast<int>(RemoteFailure::other); ++i)
    if (name == remote_failure_name(static_cast<RemoteFailure>(i))) return static_cast<RemoteFailure>(i);
  return std::nullopt;
}

void to_json(nlohmann::json& out, const Diagnostic& d) {
  out = {{"path", d.where.path},   {"line", d.where.line},   {"column", d.where.column},
         {"field", d.where.field}, {"message", d.message}, {"text", format_diagnostic(d)}};
}

void from_json(const nlohmann::json& in, Diagnostic& d) {
  d = Diagnostic{SourceRef{string_member(in, "path"), int_member(in, "line"), int_member(in, "column"),
                           string_member(in, "field")},
                 string_member(in, "message")};
}

}  // namespace lorsync
