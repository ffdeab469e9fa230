// cli/output: how the CLI speaks — the contract's exit codes for each kind of error, errors as JSON with their
// diagnostics, and the TerminalGuard that shows plan data's control characters (a terminal title sequence,
// C1 controls, a carriage return) as visible escapes instead of sending them to the terminal. The commands
// themselves run as the real binary in tests/integration/cli_test.cpp. And what status remembers of git's config
// (git_config_cache), against real repositories made by the git CLI.
#include <catch2/catch.hpp>

#include "cli/git_config_cache.hpp"
#include "cli/output.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

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

namespace {

// A repository made by the git CLI in `dir`, with origin at `url`.
void git_repository_with_origin(const std::filesystem::path& dir, const std::string& url) {
  REQUIRE(lorsync::test::run_process({"git", "init", "-q", dir.string()}).exit_code == 0);
  REQUIRE(lorsync::test::run_process({"git", "-C", dir.string(), "remote", "add", "origin", url}).exit_code == 0);
}

}  // namespace

TEST_CASE("status reads origin through libgit2 once - then from .lorsync/git-config.json while git's config is unchanged") {
  lorsync::test::TempDir dir;
  const auto plan = dir / "plan";
  git_repository_with_origin(plan, "https://example.org/first.git");
  CHECK(status_git_config(plan).origin_url == "https://example.org/first.git");
  REQUIRE(std::filesystem::exists(plan / ".lorsync/git-config.json"));

  // A remembered answer is what the next status says: change it behind lorsync's back to see it used.
  auto cache = nlohmann::json::parse(lorsync::test::read_file(plan / ".lorsync/git-config.json"));
  cache["origin_url"] = "remembered";
  lorsync::test::write_file(plan / ".lorsync/git-config.json", cache.dump());
  CHECK(status_git_config(plan).origin_url == "remembered");

  // Any change to git's config, the repository's or the user's, is read again.
  REQUIRE(lorsync::test::run_process({"git", "-C", plan.string(), "remote", "set-url", "origin", "/srv/second.git"})
              .exit_code == 0);
  CHECK(status_git_config(plan).origin_url == "/srv/second.git");
  cache = nlohmann::json::parse(lorsync::test::read_file(plan / ".lorsync/git-config.json"));
  cache["origin_url"] = "remembered";
  lorsync::test::write_file(plan / ".lorsync/git-config.json", cache.dump());
  const auto user_config = lorsync::test::test_home() / ".gitconfig";
  const std::string user_text = lorsync::test::read_file(user_config);
  lorsync::test::write_file(user_config, user_text + "[core]\n\tquotepath = false\n");
  CHECK(status_git_config(plan).origin_url == "/srv/second.git");
  lorsync::test::write_file(user_config, user_text);

  // A cache that is not lorsync's (or is damaged) is read through libgit2 and written anew.
  for (const char* damaged : {"{\"format\": 1, \"digest\": 7, \"origin_url\": []}", "{\"format\": \"1\"}", "[1]", "{", ""}) {
    INFO(damaged);
    lorsync::test::write_file(plan / ".lorsync/git-config.json", damaged);
    CHECK(status_git_config(plan).origin_url == "/srv/second.git");
    CHECK(nlohmann::json::parse(lorsync::test::read_file(plan / ".lorsync/git-config.json"))["origin_url"] ==
          "/srv/second.git");
  }
}

TEST_CASE("what libgit2 could not read is not remembered - status asks again next time") {
  lorsync::test::TempDir dir;
  const auto plan = dir / "plan";
  git_repository_with_origin(plan, "/srv/plan.git");
  // A config libgit2 refuses to parse: status shows no remote, and does not remember that.
  const std::string config = lorsync::test::read_file(plan / ".git/config");
  lorsync::test::write_file(plan / ".git/config", config + "[remote \"broken\n");
  CHECK_FALSE(status_git_config(plan).origin_url);
  CHECK_FALSE(std::filesystem::exists(plan / ".lorsync/git-config.json"));
  lorsync::test::write_file(plan / ".git/config", config);
  CHECK(status_git_config(plan).origin_url == "/srv/plan.git");

  // A URL that is not UTF-8 cannot go into JSON: it is shown, and read again next time.
  std::filesystem::remove(plan / ".lorsync/git-config.json");
  REQUIRE(lorsync::test::run_process({"git", "-C", plan.string(), "remote", "set-url", "origin", "/srv/pl\xff.git"})
              .exit_code == 0);
  CHECK(status_git_config(plan).origin_url == "/srv/pl\xff.git");
  CHECK_FALSE(std::filesystem::exists(plan / ".lorsync/git-config.json"));
}

TEST_CASE("git's config is not remembered when it includes another file - or when .git is not a folder") {
  lorsync::test::TempDir dir;
  const auto plan = dir / "plan";
  git_repository_with_origin(plan, "/srv/plan.git");
  const auto digest = git_config_digest(plan);
  REQUIRE(digest);
  CHECK(git_config_digest(plan) == digest);

  // The included file could change the remote without a byte of .git/config changing.
  const std::string config = lorsync::test::read_file(plan / ".git/config");
  lorsync::test::write_file(plan / ".git/config", config + "[IncludeIf \"gitdir:~/plans/\"]\n\tpath = extra\n");
  CHECK_FALSE(git_config_digest(plan));
  lorsync::test::write_file(plan / ".git/config", config);
  CHECK(git_config_digest(plan) == digest);

  const auto linked = dir / "linked";
  std::filesystem::create_directories(linked);
  lorsync::test::write_file(linked / ".git", "gitdir: " + (plan / ".git").string() + "\n");
  CHECK_FALSE(git_config_digest(linked));
  CHECK_FALSE(git_config_digest(dir / "no-repository"));
  // No digest, no cache: status still reads the remote, through libgit2.
  CHECK(status_git_config(linked).origin_url == "/srv/plan.git");
  CHECK_FALSE(std::filesystem::exists(linked / ".lorsync/git-config.json"));
}
