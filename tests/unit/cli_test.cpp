// cli/output: how the CLI speaks — the contract's exit codes for each kind of error, errors as JSON with their
// diagnostics, and the TerminalGuard that shows plan data's control characters (a terminal title sequence,
// C1 controls, a carriage return) as visible escapes instead of sending them to the terminal. The commands
// themselves run as the real binary in tests/integration/cli_test.cpp.
#include <catch2/catch.hpp>

#include "cli/output.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

using namespace lorsync;
using namespace lorsync::cli;

namespace {

// What std::cout and std::cerr received while it lived (through a TerminalGuard when `guarded`).
struct Captured {
  std::ostringstream out, err;
  std::streambuf* saved_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* saved_err = std::cerr.rdbuf(err.rdbuf());
  ~Captured() {
    std::cout.rdbuf(saved_out);
    std::cerr.rdbuf(saved_err);
  }
};

// Through a TerminalGuard, with colours off as on any stdout that is not a terminal (NO_COLOR, so that a
// run of the tests in a terminal sees the same).
std::string guarded(const std::string& text) {
  const char* old = std::getenv("NO_COLOR");
  std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  setenv("NO_COLOR", "1", 1);
  Captured captured;
  {
    TerminalGuard guard;
    std::cout << text;
  }
  if (saved) setenv("NO_COLOR", saved->c_str(), 1);
  else unsetenv("NO_COLOR");
  return captured.out.str();
}

}  // namespace

TEST_CASE("the exit code says whether the request or the environment failed") {
  CHECK(exit_code_for(make_error(ErrorCode::usage, "")) == kExitUsage);
  CHECK(exit_code_for(make_error(ErrorCode::invalid_plan, "")) == kExitUsage);
  CHECK(exit_code_for(make_error(ErrorCode::not_found, "")) == kExitUsage);
  CHECK(exit_code_for(make_error(ErrorCode::conflict, "")) == kExitUsage);
  CHECK(exit_code_for(make_error(ErrorCode::io, "")) == kExitFailure);
  CHECK(exit_code_for(make_error(ErrorCode::git, "")) == kExitFailure);
  CHECK(exit_code_for(make_error(ErrorCode::locked, "")) == kExitFailure);
  CHECK(exit_code_for(make_error(ErrorCode::remote, "")) == kExitFailure);
}

TEST_CASE("an error is JSON on stdout with --json and text with its diagnostics on stderr without") {
  Error error = make_error(ErrorCode::invalid_plan, "the plan does not validate",
                           {Diagnostic{{"letters/ana.md", 3, 1, "writer"}, "no writer lee"}});
  {
    Captured captured;
    CHECK(report_error(error, true) == kExitUsage);
    auto json = nlohmann::json::parse(captured.out.str());
    CHECK(json["error"]["code"] == "invalid_plan");
    CHECK(json["error"]["message"] == "the plan does not validate");
    CHECK(json["error"]["diagnostics"][0]["text"] == "letters/ana.md:3:1: writer: no writer lee");
    CHECK(captured.err.str().empty());
  }
  {
    Captured captured;
    CHECK(report_error(error, false) == kExitUsage);
    CHECK(captured.err.str() == "lorsync: the plan does not validate\n  letters/ana.md:3:1: writer: no writer lee\n");
    CHECK(captured.out.str().empty());
  }
}

TEST_CASE("JSON output replaces bytes that are not UTF-8 instead of failing the whole answer") {
  Captured captured;
  print_json({{"path", std::string("letters/\xff.md")}});
  CHECK(nlohmann::json::parse(captured.out.str())["path"] == "letters/\xef\xbf\xbd.md");
}

TEST_CASE("the terminal guard shows control characters from plan data and lets text, tabs and UTF-8 through") {
  // A window-title sequence with BEL, as a hostile writer's name might carry it.
  CHECK(guarded("Dr. \x1b]0;pwned\x07Lee\n") == "Dr. \\x1b]0;pwned\\x07Lee\n");
  CHECK(guarded("a\rb\x7f" "c\td\n") == "a\\x0db\\x7fc\td\n");
  // C1 controls in UTF-8 (CSI as U+009B) are shown; other two-byte characters pass.
  CHECK(guarded("x\xc2\x9b" "2J y") == "x\\u009b2J y");
  CHECK(guarded("P\xc3\xa9rez\xc2\xa0MD") == "P\xc3\xa9rez\xc2\xa0MD");
  // Not a terminal: not even lorsync's own colours go through.
  CHECK(guarded("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  // An escape or a lead byte at the very end is released at the flush, not lost.
  CHECK(guarded("end\x1b") == "end\\x1b");
  CHECK(guarded("end\xc2") == "end\xc2");
}

TEST_CASE("the terminal guard filters stderr too, and puts the streams back when it ends") {
  Captured captured;
  {
    TerminalGuard guard;
    std::cerr << "bad\x1b[2Jname\n";
  }
  std::cerr << "raw\x07";
  CHECK(captured.err.str() == "bad\\x1b[2Jname\nraw\x07");
}
