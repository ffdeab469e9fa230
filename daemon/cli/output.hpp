// cli/output: how the CLI speaks: human text on a terminal, stable JSON with
// --json, errors on stderr, and the exit codes of the contract.
#pragma once

#include "common/diagnostic.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lorsync::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitAuditErrors = 1,
  kExitUsage = 2,    // bad usage or invalid plan
  kExitFailure = 3,  // the environment failed: file system, git, lock held too long
};

nlohmann::json to_json(const Diagnostic& diagnostic);
nlohmann::json to_json(const std::vector<Diagnostic>& diagnostics);

int exit_code_for(const Error& error);

// Prints an error (and its diagnostics) as JSON on stdout or as text on stderr; returns its exit code.
int report_error(const Error& error, bool json);

void print_json(const nlohmann::json& value);

}  // namespace lorsync::cli
