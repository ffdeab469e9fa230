#include "cli/output.hpp"

#include <iostream>

namespace lorsync::cli {

nlohmann::json to_json(const Diagnostic& d) {
  return {{"path", d.where.path}, {"line", d.where.line},       {"column", d.where.column},
          {"field", d.where.field}, {"message", d.message}, {"text", format_diagnostic(d)}};
}

nlohmann::json to_json(const std::vector<Diagnostic>& diagnostics) {
  auto array = nlohmann::json::array();
  for (const auto& d : diagnostics) array.push_back(to_json(d));
  return array;
}

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::io:
    case ErrorCode::git:
    case ErrorCode::locked:
    case ErrorCode::remote: return kExitFailure;
    default: return kExitUsage;
  }
}

int report_error(const Error& error, bool json) {
  if (json) {
    print_json({{"error",
                 {{"code", error_code_name(error.code)},
                  {"message", error.message},
                  {"diagnostics", to_json(error.diagnostics)}}}});
  } else {
    std::cerr << "lorsync: " << error.message << "\n";
    for (const auto& d : error.diagnostics) std::cerr << "  " << format_diagnostic(d) << "\n";
  }
  return exit_code_for(error);
}

void print_json(const nlohmann::json& value) { std::cout << value.dump(2) << std::endl; }

}  // namespace lorsync::cli
