#include "common/diagnostic.hpp"

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

nlohmann::json diagnostics_json(const std::vector<Diagnostic>& diagnostics) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : diagnostics)
    out.push_back({{"path", d.where.path}, {"line", d.where.line}, {"column", d.where.column},
                   {"field", d.where.field}, {"message", d.message}});
  return out;
}

}  // namespace lorsync
