// cli/output: how the CLI speaks: human text on a terminal, stable JSON with
// --json, errors on stderr, and the exit codes of the contract.
#pragma once

#include "common/diagnostic.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace lorsync::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitAuditErrors = 1,
  kExitUsage = 2,    // bad usage or invalid plan
  kExitFailure = 3,  // the environment failed: file system, git, lock held too long
};

int exit_code_for(const Error& error);

// Prints an error (and its diagnostics) as JSON on stdout or as text on stderr; returns its exit code.
int report_error(const Error& error, bool json);

void print_json(const nlohmann::json& value);

// Whether human output on stdout is coloured: a terminal, no NO_COLOR, TERM not "dumb".
bool colour_on_stdout();

// For as long as it lives, text written to std::cout and std::cerr shows control characters instead of
// sending them to the terminal: plan data (a writer's name from another device) could otherwise move the
// cursor, retitle the window or hide lines. "\x1b" and the like are written in their place; only the
// colours lorsync itself uses get through on stdout, and only when colour_on_stdout(). Not for --json,
// whose output escapes control characters itself.
class TerminalGuard {
 public:
  TerminalGuard();
  ~TerminalGuard();
  TerminalGuard(const TerminalGuard&) = delete;
  TerminalGuard& operator=(const TerminalGuard&) = delete;

 private:
  struct Filters;
  std::unique_ptr<Filters> filters_;
};

}  // namespace lorsync::cli
