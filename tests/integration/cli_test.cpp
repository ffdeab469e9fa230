// The real lorsync binary, as a user runs it: exit codes, output, plan
// discovery, and what lands in git (checked with the git CLI).
#include <catch2/catch.hpp>

#include "integration/programs.hpp"
#include "support/broken_plans.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <git2/version.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

}  // namespace

TEST_CASE("--help on every command explains it with an example") {
  ProcessResult top = run_lorsync({"--help"});
  CHECK(top.exit_code == 0);
  for (const char* command : {"init", "validate", "add", "set", "rm", "record", "log", "commit", "resolve"}) {
    INFO(command);
    CHECK_THAT(top.out, Catch::Contains(command));
    ProcessResult help = run_lorsync({command, "--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("Example"));
  }
}

TEST_CASE("bad usage exits 2 with a message") {
  CHECK(run_lorsync({}).exit_code == 2);
  CHECK(run_lorsync({"frobnicate"}).exit_code == 2);
  TempDir dir;
  fs::path plan = sample(dir);
  ProcessResult bad_kind = run_lorsync({"--plan", plan.string(), "add", "writr", "x"});
  CHECK(bad_kind.exit_code == 2);
  CHECK_THAT(bad_kind.err, Catch::Contains("did you mean \"writer\""));
  ProcessResult no_letter = run_lorsync({"--plan", plan.string(), "record", "nope", "asked"});
  CHECK(no_letter.exit_code == 2);
  CHECK_THAT(no_letter.err, Catch::Contains("no letters/nope.md"));
  ProcessResult bad_date = run_lorsync({"--plan", plan.string(), "record", "delgado-consult", "agreed", "--on", "2026-02-30"});
  CHECK(bad_date.exit_code == 2);
  ProcessResult no_plan = run_lorsync({"--plan", (dir / "nowhere").string(), "validate"});
  CHECK(no_plan.exit_code == 2);
  CHECK_THAT(no_plan.err, Catch::Contains("lorsync init"));
}

TEST_CASE("libgit2 is opened on the first call: what needs none runs without it - what needs it says it cannot load it") {
  TempDir dir;
  fs::path plan = sample(dir);
  // A libgit2 the dynamic loader finds first and cannot load, as after a broken upgrade.
  fs::create_directories(dir / "libs");
  write_file(dir / "libs" / ("libgit2.so." LIBGIT2_SOVERSION), "not a library");
  const std::map<std::string, std::string> broken = {{"LD_LIBRARY_PATH", (dir / "libs").string()}};

  ProcessResult version = run_lorsync({"--version"}, {}, broken);
  CHECK(version.exit_code == 0);
  ProcessResult validate = run_lorsync({"--plan", plan.string(), "validate"}, {}, broken);
  INFO(validate.err);
  CHECK(validate.exit_code == 0);

  ProcessResult log = run_lorsync({"--plan", plan.string(), "log"}, {}, broken);
  INFO(log.out << log.err);
  CHECK(log.exit_code == 127);
  CHECK_THAT(log.err, Catch::Contains("lorsync: cannot load libgit2 from libgit2.so." LIBGIT2_SOVERSION ": "));
  CHECK(run_lorsync({"--plan", plan.string(), "log"}).exit_code == 0);
}

TEST_CASE("lorsync validate reports each kind of bad input and exits 2") {
  for (const auto& broken : broken_plans()) {
    DYNAMIC_SECTION(broken.name) {
      TempDir dir;
      fs::path plan = sample(dir);
      broken.damage(plan);
      ProcessResult result = run_lorsync({"--plan", plan.string(), "validate"});
      INFO(result.out << result.err);
      CHECK(result.exit_code == 2);
      CHECK_THAT(result.out, Catch::Contains(broken.expected));
      ProcessResult json = run_lorsync({"--plan", plan.string(), "validate", "--json"});
      CHECK(json.exit_code == 2);
      auto parsed = nlohmann::json::parse(json.out);
      CHECK(parsed["valid"] == false);
      CHECK_FALSE(parsed["diagnostics"].empty());
    }
  }
}

TEST_CASE("plan discovery: --plan - then the enclosing plan - then XDG_DATA_HOME") {
  TempDir dir;
  std::map<std::string, std::string> env = {{"XDG_DATA_HOME", (dir / "data").string()}};
  ProcessResult init = run_lorsync({"init", "--sample"}, dir.path(), env);
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  CHECK(fs::exists(dir / "data/lorsync/plan/plan.yaml"));
  CHECK(run_lorsync({"validate"}, dir.path(), env).exit_code == 0);

  fs::path other = sample(dir);
  ProcessResult inside = run_lorsync({"record", "delgado-consult", "agreed"}, other / "letters", env);
  INFO(inside.err);
  REQUIRE(inside.exit_code == 0);
  CHECK(run_git(other, {"log", "-1", "--format=%s"}).out == "record: letters/delgado-consult — agreed on 2026-08-15\n");
  CHECK(run_git(dir / "data/lorsync/plan", {"rev-list", "--count", "HEAD"}).out == "1\n");
}

TEST_CASE("add - set - rm and record commit small - honest changes") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--plan", plan.string(), "--json"});
    ProcessResult result = run_lorsync(args);
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
  };
  auto added = run({"add", "writer", "jane-lee", "--set", "name=Dr. Jane Lee", "--set", "title=attending", "--set",
                    "specialty=pmr", "--set", "institution=Lakeshore Rehab", "--set", "country=US", "--set",
                    "relationship.weeks=4", "--body", "Met on 4 West."});
  CHECK(added["message"] == "add: writers/jane-lee — Dr. Jane Lee");
  CHECK(read_file(plan / "writers/jane-lee.md") ==
        "---\nname: Dr. Jane Lee\ntitle: attending\nspecialty: pmr\ninstitution: Lakeshore Rehab\ncountry: US\n"
        "relationship:\n  weeks: 4\n---\nMet on 4 West.\n");

  auto set = run({"set", "letter", "qureshi-home", "waived=true", "eras_letter_id=12345"});
  CHECK(set["message"] == "set: letters/qureshi-home — waived=true, eras_letter_id=\"12345\"");
  CHECK(run_git(plan, {"diff", "--numstat", "HEAD~1"}).out == "2\t1\tletters/qureshi-home.md\n");
  CHECK(set["revision"] == run_git(plan, {"rev-parse", "HEAD:letters/qureshi-home.md"}).out.substr(0, 40));

  auto recorded = run({"record", "delgado-consult", "agreed", "--on", "2026-08-14", "--via", "email", "--note",
                       "Said yes: happy to"});
  CHECK(recorded["message"] == "record: letters/delgado-consult — agreed on 2026-08-14 via email");
  CHECK_THAT(read_file(plan / "letters/delgado-consult.md"),
             Catch::Contains("  - {date: 2026-08-14, event: agreed, note: \"Said yes: happy to\", via: email}\n"));

  auto plan_set = run({"set", "plan", "dates.eras_submit=2026-09-05"});
  CHECK(run_git(plan, {"diff", "--numstat", "HEAD~1"}).out == "1\t1\tplan.yaml\n");
  CHECK_THAT(read_file(plan / "plan.yaml"), Catch::Contains("  eras_submit: 2026-09-05      # when I plan to submit\n"));

  auto unset = run({"set", "writer", "jane-lee", "--unset", "relationship"});
  CHECK_THAT(read_file(plan / "writers/jane-lee.md"), !Catch::Contains("relationship"));

  auto removed = run({"rm", "writer", "jane-lee"});
  CHECK(removed["revision"].is_null());
  CHECK(run_git(plan, {"status", "--porcelain"}).out.empty());

  auto log = run({"log", "-n", "3"});
  REQUIRE(log.size() == 3);
  CHECK(log[0]["summary"] == "rm: writers/jane-lee — removed");
  CHECK(log[0]["device"] == "test-device");
  CHECK(log[0]["author"] == "Test Applicant");
  CHECK(log[0]["commit"].get<std::string>().size() == 40);
}

TEST_CASE("values on the command line are validated like file contents") {
  TempDir dir;
  fs::path plan = sample(dir);
  ProcessResult result = run_lorsync({"--plan", plan.string(), "set", "letter", "qureshi-home", "waived=yes"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("letters/qureshi-home.md:4:9: waived: expected true or false, got \"yes\""));
  ProcessResult typo = run_lorsync({"--plan", plan.string(), "set", "letter", "qureshi-home", "waved=true"});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains("did you mean \"waived\""));
  ProcessResult date = run_lorsync({"--plan", plan.string(), "set", "rotation", "riverside-pmr-consult", "end=2026-13-01"});
  CHECK(date.exit_code == 2);
  ProcessResult bad_id = run_lorsync({"--plan", plan.string(), "add", "writer", "Dr Smith", "--set", "name=X"});
  CHECK(bad_id.exit_code == 2);
  CHECK_THAT(bad_id.err, Catch::Contains("not a valid id"));
  CHECK(run_git(plan, {"rev-list", "--count", "HEAD"}).out == "1\n");
  CHECK(run_git(plan, {"status", "--porcelain"}).out.empty());
}

TEST_CASE("setting one field of a CRLF file changes one line and keeps CRLF") {
  TempDir dir;
  fs::path plan = sample(dir);
  std::string text = read_file(plan / "letters/qureshi-home.md");
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  write_file(plan / "letters/qureshi-home.md", crlf);
  REQUIRE(run_git(plan, {"commit", "-qam", "edit: letters/qureshi-home — CRLF"}).exit_code == 0);
  ProcessResult result = run_lorsync({"--plan", plan.string(), "set", "letter", "qureshi-home", "waived=true"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(run_git(plan, {"diff", "--numstat", "HEAD~1"}).out == "1\t1\tletters/qureshi-home.md\n");
  std::string after = read_file(plan / "letters/qureshi-home.md");
  CHECK_THAT(after, Catch::Contains("waived: true\r\n"));
  CHECK(after.substr(after.find("---\r\nPlanned")) == crlf.substr(crlf.find("---\r\nPlanned")));
}

TEST_CASE("without a git author - a change fails with the fix - and nothing is written") {
  TempDir dir;
  fs::path plan = sample(dir);
  TempDir empty_home;
  std::string before = read_file(plan / "letters/delgado-consult.md");
  ProcessResult result = run_lorsync({"--plan", plan.string(), "record", "delgado-consult", "agreed"}, {},
                                 {{"HOME", empty_home.path().string()}, {"XDG_CONFIG_HOME", (empty_home / ".config").string()}});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("git config --global user.name"));
  CHECK(read_file(plan / "letters/delgado-consult.md") == before);
}

TEST_CASE("parallel writers each keep their change: no acknowledged record is lost") {
  TempDir dir;
  fs::path plan = sample(dir);
  std::vector<pid_t> children;
  for (int i = 0; i < 10; ++i) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ProcessResult r = run_lorsync({"--plan", plan.string(), "record", "qureshi-home", "reminded", "--note",
                                     "n" + std::to_string(i)});
      _exit(r.exit_code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  std::string letter = read_file(plan / "letters/qureshi-home.md");
  for (int i = 0; i < 10; ++i) CHECK_THAT(letter, Catch::Contains("note: n" + std::to_string(i) + "}"));
  CHECK(run_git(plan, {"rev-list", "--count", "HEAD"}).out == "11\n");
  CHECK(run_git(plan, {"status", "--porcelain"}).out.empty());
}

TEST_CASE("a number out of range is a problem in the file - not a crash") {
  TempDir dir;
  fs::path plan = sample(dir);
  std::string writer = read_file(plan / "writers/farah-qureshi.md");
  writer.replace(writer.find("weeks: 104"), 10, "weeks: 1e999");
  write_file(plan / "writers/farah-qureshi.md", writer);
  ProcessResult result = run_lorsync({"--plan", plan.string(), "validate"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.out, Catch::Contains("relationship.weeks: expected a whole number"));
  CHECK(run_lorsync({"--plan", plan.string(), "set", "writer", "marcus-delgado", "x-n=1e-400"}).exit_code == 0);
}

TEST_CASE("a failed init leaves nothing behind and a change that changes nothing makes no commit") {
  TempDir dir;
  TempDir empty_home;
  std::map<std::string, std::string> no_author = {{"HOME", empty_home.path().string()},
                                                  {"XDG_CONFIG_HOME", (empty_home / ".config").string()}};
  ProcessResult failed = run_lorsync({"init", "--sample", (dir / "plan").string()}, {}, no_author);
  CHECK(failed.exit_code == 2);
  CHECK_THAT(failed.err, Catch::Contains("git config --global user.name"));
  CHECK_FALSE(fs::exists(dir / "plan"));
  fs::path plan = sample(dir);  // works once an author is known
  ProcessResult same = run_lorsync({"--plan", plan.string(), "set", "letter", "qureshi-home", "waived=false"});
  CHECK(same.exit_code == 2);
  CHECK_THAT(same.err, Catch::Contains("nothing changed"));
  CHECK(run_git(plan, {"rev-list", "--count", "HEAD"}).out == "1\n");
}

TEST_CASE("lorsync commit: hand edits committed without a daemon, one commit per file naming the fields") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto lorsync = lorsync_on(plan);
  CHECK(lorsync({"commit"}).out == "Nothing to commit: the plan's files are as last committed.\n");

  std::string letter = read_file(plan / "letters/delgado-consult.md");
  size_t waived = letter.find("waived: true");
  REQUIRE(waived != std::string::npos);
  letter.replace(waived, 12, "waived: false");
  write_file(plan / "letters/delgado-consult.md", letter);
  fs::create_directories(plan / "templates");
  write_file(plan / "templates/ask.txt", "Subject: May I ask a favour, Dr. {{writer.last_name}}?\n\nDear Dr. {{writer.last_name}},\n");
  ProcessResult committed = lorsync({"commit"});
  INFO(committed.out << committed.err);
  REQUIRE(committed.exit_code == 0);
  CHECK_THAT(committed.out, Catch::Contains("edit: letters/delgado-consult — waived (edited outside lorsync)"));
  CHECK_THAT(committed.out, Catch::Contains("edit: templates/ask — added outside lorsync"));
  CHECK(run_git(plan, {"status", "--porcelain"}).out.empty());
  CHECK(run_git(plan, {"log", "--format=%s", "-2"}).out.find("templates/ask") != std::string::npos);

  // An edit that breaks the plan is not committed; the problem is named.
  write_file(plan / "letters/delgado-consult.md", "---\nwriter: nobody-here\n---\n");
  ProcessResult broken = lorsync({"--json", "commit"});
  CHECK(broken.exit_code == 2);
  CHECK(nlohmann::json::parse(broken.out)["error"]["code"] == "invalid_plan");
  CHECK_FALSE(run_git(plan, {"status", "--porcelain"}).out.empty());
}

TEST_CASE("packet documents: plan.yaml names files of the plan, committed with it, and packet-sent records which went") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto lorsync = lorsync_on(plan);
  // A document that is not there, or outside the plan, is refused with what to do.
  ProcessResult missing = lorsync({"set", "plan", "packet.cv.title=CV, August 2026", "packet.cv.file=packet/cv.pdf"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("plan.yaml"));
  CHECK_THAT(missing.err, Catch::Contains("no packet/cv.pdf in the plan"));
  ProcessResult outside = lorsync({"set", "plan", "packet.cv.title=CV", "packet.cv.file=" + (dir / "cv.pdf").string()});
  CHECK(outside.exit_code == 2);
  CHECK_THAT(outside.err, Catch::Contains("is outside the plan"));
  CHECK_THAT(outside.err, Catch::Contains("name it packet/cv.pdf"));

  write_file(plan / "docs/cv.pdf", "%PDF-1.7");
  ProcessResult elsewhere = lorsync({"set", "plan", "packet.cv.title=CV", "packet.cv.file=docs/cv.pdf"});
  CHECK(elsewhere.exit_code == 2);
  CHECK_THAT(elsewhere.err, Catch::Contains("is not in the plan's packet/ folder"));
  fs::remove_all(plan / "docs");

  const std::string pdf("%PDF-1.7\n\0\x01\x02 cv", 16);
  write_file(plan / "packet/cv.pdf", pdf);
  ProcessResult set = lorsync({"set", "plan", "packet.cv.title=CV, August 2026", "packet.cv.file=packet/cv.pdf"});
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  CHECK_THAT(lorsync({"commit"}).out, Catch::Contains("edit: packet/cv — added outside lorsync"));
  // A clone has the document.
  fs::path clone = dir / "clone";
  REQUIRE(run_process({"git", "clone", "-q", plan.string(), clone.string()}).exit_code == 0);
  CHECK(read_file(clone / "packet/cv.pdf") == pdf);

  // A link is not committed: its target is not the plan's.
  write_file(dir / "photo.jpg", "JPEG");
  fs::create_symlink(dir / "photo.jpg", plan / "packet/photo.jpg");
  ProcessResult linked = lorsync({"commit"});
  CHECK(linked.exit_code == 2);
  CHECK_THAT(linked.err, Catch::Contains("packet/photo.jpg"));
  CHECK_THAT(linked.err, Catch::Contains("is a link"));
  fs::remove(plan / "packet/photo.jpg");

  // packet-sent: by default the documents plan.yaml names; --packet says which; earlier ones stay listed.
  REQUIRE(lorsync({"record", "qureshi-home", "packet-sent", "--on", "2026-08-01"}).exit_code == 0);
  CHECK_THAT(read_file(plan / "letters/qureshi-home.md"), Catch::Contains("packet: [cv]"));
  REQUIRE(lorsync({"record", "qureshi-home", "packet-sent", "--packet", "summary,cv"}).exit_code == 0);
  CHECK_THAT(read_file(plan / "letters/qureshi-home.md"), Catch::Contains("packet: [cv, summary]"));
  CHECK_THAT(run_git(plan, {"log", "-1", "--format=%s"}).out, Catch::Contains("packet-sent on 2026-08-15 (summary, cv)"));
  ProcessResult wrong = lorsync({"record", "qureshi-home", "reminded", "--packet", "cv"});
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.err, Catch::Contains("packet-sent"));
}

TEST_CASE("a change refused for a problem its file already had says whose problem it is and how to fix it") {
  TempDir dir;
  fs::path plan = sample(dir);
  std::string letter = read_file(plan / "letters/delgado-consult.md");
  write_file(plan / "letters/delgado-consult.md", letter.replace(letter.find("waived: true"), 12, "waved: true"));
  ProcessResult refused = run_lorsync({"--plan", plan.string(), "set", "letter", "delgado-consult", "eras_letter_id=L-1"});
  INFO(refused.err);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("letters/delgado-consult.md already has a problem of its own"));
  CHECK_THAT(refused.err, Catch::Contains("lorsync set letter delgado-consult ... --unset waved"));
  CHECK_THAT(refused.err, Catch::Contains("waved: unknown field"));
  // Fixed in the same change, it goes through.
  ProcessResult fixed = run_lorsync({"--plan", plan.string(), "set", "letter", "delgado-consult", "eras_letter_id=L-1",
                                     "waived=true", "--unset", "waved"});
  INFO(fixed.err);
  CHECK(fixed.exit_code == 0);
}

TEST_CASE("the README's tour of the CLI runs as written on a fresh plan of one's own and on the sample") {
  // The tour's code blocks, as a user pastes them: continuation lines joined, comments dropped.
  std::string readme = read_file(fs::path(LORSYNC_SOURCE_DIR) / "README.md");
  size_t tour = readme.find("## A quick tour of the CLI");
  REQUIRE(tour != std::string::npos);
  std::string script = "set -e\n";
  size_t at = tour;
  for (int block = 0; block < 2; ++block) {
    at = readme.find("```sh\n", at);
    REQUIRE(at != std::string::npos);
    size_t end = readme.find("```", at + 6);
    std::istringstream lines(readme.substr(at + 6, end - at - 6));
    at = end + 3;
    std::string line, command;
    while (std::getline(lines, line)) {
      if (line.ends_with("\\")) {
        command += line.substr(0, line.size() - 1);
        continue;
      }
      command += line;
      size_t comment = command.find("  #");
      if (comment != std::string::npos) command.erase(comment);
      // The audit exits 1 when it finds errors, as a new plan has; `open` needs a running daemon.
      if (command.starts_with("lorsync audit")) command += " || [ $? = 1 ]";
      if (!command.starts_with("lorsync open")) script += command + "\n";
      command.clear();
    }
  }
  INFO(script);
  for (const char* today : {"2026-08-15", "2026-12-02", "2027-02-20"}) {
    DYNAMIC_SECTION("today " << today) {
      TempDir home;
      write_file(home / ".gitconfig", "[user]\n\tname = Amina Rahman\n\temail = amina@example.org\n");
      fs::path bin = fs::path(LORSYNC_BINARY).parent_path();
      ProcessResult ran = run_process({"bash", "-c", script}, home.path(),
                                      {{"HOME", home.path().string()},
                                       {"XDG_DATA_HOME", (home / "data").string()},
                                       {"XDG_CONFIG_HOME", (home / "config").string()},
                                       {"LORSYNC_TODAY", today},
                                       {"PATH", bin.string() + ":" + std::getenv("PATH")}});
      INFO(ran.out << ran.err);
      CHECK(ran.exit_code == 0);
      CHECK_THAT(ran.out, Catch::Contains("Subject: "));  // the drafts were written
      CHECK(fs::exists(home / "data/lorsync/plan/letters/lee-pmr.md"));
    }
  }
}

TEST_CASE("control characters in plan data are shown, not sent to the terminal, in a pipe and on a terminal") {
  TempDir dir;
  fs::path plan = sample(dir);
  // As it could arrive from another device by sync: a retitle (OSC), a screen clear, a C1 CSI.
  const std::string hostile = "Dr. \x1b]0;pwned\x07\x1b[2JSam \xc2\x9bX";
  REQUIRE(run_lorsync({"--plan", plan.string(), "set", "writer", "samuel-brennan", "name=" + hostile}).exit_code == 0);
  for (const char* command : {"status", "audit", "deadlines", "programs"}) {
    INFO(command);
    ProcessResult piped = run_lorsync({"--plan", plan.string(), command});
    CHECK(piped.out.find('\x1b') == std::string::npos);
    CHECK(piped.out.find('\x07') == std::string::npos);
    CHECK(piped.out.find("\xc2\x9b") == std::string::npos);
  }
  ProcessResult status = run_lorsync({"--plan", plan.string(), "status"});
  CHECK_THAT(status.out, Catch::Contains("Dr. \\x1b]0;pwned\\x07\\x1b[2JSam \\u009bX"));
  ProcessResult draft = run_lorsync({"--plan", plan.string(), "draft", "brennan-neurology"});
  CHECK(draft.out.find('\x1b') == std::string::npos);
  // --json keeps the data as it is, escaped by JSON.
  ProcessResult json = run_lorsync({"--plan", plan.string(), "--json", "status"});
  CHECK(json.out.find('\x1b') == std::string::npos);
  CHECK(json.out.find("\\u001b]0;pwned") != std::string::npos);
  // On a terminal lorsync's own colours get through, the plan's escapes do not.
  ProcessResult tty = run_process({"script", "-qec", std::string(LORSYNC_BINARY) + " --plan " + plan.string() + " status",
                                   "/dev/null"},
                                  {}, {{"TERM", "xterm"}, {"NO_COLOR", ""}});
  CHECK(tty.out.find("\x1b[1m") != std::string::npos);
  CHECK(tty.out.find("\x1b]0;") == std::string::npos);
  CHECK(tty.out.find("\x1b[2J") == std::string::npos);
  CHECK_THAT(tty.out, Catch::Contains("\\x1b]0;pwned"));
}

TEST_CASE("json output stays JSON whatever the bytes of a file name or of the plan's path") {
  TempDir dir;
  fs::path plan = dir / "plan\xff";
  REQUIRE(run_lorsync({"init", "--sample", plan.string()}).exit_code == 0);
  write_file(plan / "letters/q\xff.md", "---\nwriter: farah-qureshi\n---\n");
  for (const char* command : {"validate", "status", "audit"}) {
    INFO(command);
    ProcessResult result = run_lorsync({"--plan", plan.string(), "--json", command});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("internal error") == std::string::npos);
    nlohmann::json parsed = nlohmann::json::parse(result.out);  // throws, failing the test, unless it is JSON
    CHECK(parsed.dump().find("letters/q\xef\xbf\xbd.md") != std::string::npos);  // U+FFFD for the byte
  }
  // A value that is not UTF-8 (one the fuzzer found: it needs quoting) is refused, with JSON and without.
  fs::remove(plan / "letters/q\xff.md");
  const std::string before = read_file(plan / "writers/marcus-delgado.md");
  for (const char* value : {"name=[Marcus \xff", "name=Marcus\xff", "x-\xff=1"}) {
    INFO(value);
    ProcessResult json_run = run_lorsync({"--plan", plan.string(), "--json", "set", "writer", "marcus-delgado", value});
    CHECK(json_run.exit_code == 2);
    CHECK(json_run.err.find("internal error") == std::string::npos);
    nlohmann::json parsed = nlohmann::json::parse(json_run.out);
    CHECK_THAT(parsed.dump(), Catch::Contains("is not UTF-8 text"));
    ProcessResult plain = run_lorsync({"--plan", plan.string(), "set", "writer", "marcus-delgado", value});
    CHECK(plain.exit_code == 2);
    CHECK_THAT(plain.err, Catch::Contains("is not UTF-8 text; lorsync keeps plan files in UTF-8"));
  }
  CHECK(read_file(plan / "writers/marcus-delgado.md") == before);
}

TEST_CASE("hostile and mistaken small inputs are refused with a clear message") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto lorsync = lorsync_on(plan);
  ProcessResult empty_on = lorsync({"record", "delgado-consult", "agreed", "--on", ""});
  CHECK(empty_on.exit_code == 2);
  CHECK_THAT(empty_on.err, Catch::Contains("--on \"\" is not a date"));
  ProcessResult negative = lorsync({"log", "-n", "-5"});
  CHECK(negative.exit_code == 2);
  CHECK_THAT(negative.err, Catch::Contains("not in range 1 to 10000"));
  ProcessResult words = lorsync({"deadlines", "--within", "abc"});
  CHECK(words.exit_code == 2);
  CHECK(words.err.size() < 200);  // not a 309-digit range
  CHECK_THAT(words.err, Catch::Contains("0 to 3650"));

  std::string letter = read_file(plan / "letters/delgado-consult.md");
  size_t end = letter.find("\n---", 3);
  write_file(plan / "letters/delgado-consult.md",
             letter.substr(0, end) + "\nx-run: !!python/object/apply:os.system [\"ls\"]" + letter.substr(end));
  ProcessResult tagged = lorsync({"validate"});
  CHECK(tagged.exit_code == 2);
  CHECK_THAT(tagged.out, Catch::Contains("tags like tag:yaml.org,2002:python/object/apply:os.system are not supported"));
  write_file(plan / "letters/delgado-consult.md", letter);
  for (const char* date : {"0000-01-01", "9999-12-31"}) {
    ProcessResult far = lorsync({"record", "delgado-consult", "agreed", "--on", date});
    CHECK(far.exit_code == 2);
  }
  std::string dated = letter;
  size_t first_date = dated.find("date: 20");
  REQUIRE(first_date != std::string::npos);
  dated.replace(first_date + 6, 4, "0000");
  write_file(plan / "letters/delgado-consult.md", dated);
  CHECK_THAT(lorsync({"validate"}).out, Catch::Contains("is not a real calendar date from 1900 to 2199"));
}

TEST_CASE("ids Windows keeps for devices (con or nul or com1) are refused as ids and file names and references") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto lorsync = lorsync_on(plan);
  for (const char* id : {"con", "nul", "prn", "aux", "com1", "lpt9"}) {
    ProcessResult added = lorsync({"add", "writer", id, "--set", "name=X"});
    INFO(id);
    CHECK(added.exit_code == 2);
    CHECK_THAT(added.err, Catch::Contains("Windows keeps " + std::string(id) + " for a device"));
  }
  for (const char* id : {"con-1", "com10"})
    CHECK(lorsync({"add", "writer", id, "--set", "name=Dr. X", "--set", "title=attending", "--set", "specialty=pmr",
                   "--set", "institution=Lakeshore Rehab", "--set", "country=US"})
              .exit_code == 0);

  fs::copy_file(plan / "writers/con-1.md", plan / "writers/nul.md");
  std::string letter = read_file(plan / "letters/delgado-consult.md");
  size_t writer = letter.find("\nwriter: ");
  REQUIRE(writer != std::string::npos);
  std::string referencing = letter;
  referencing.replace(writer + 9, letter.find('\n', writer + 1) - writer - 9, "aux");
  write_file(plan / "letters/delgado-consult.md", referencing);
  ProcessResult validated = lorsync({"validate"});
  CHECK(validated.exit_code == 2);
  CHECK_THAT(validated.out, Catch::Contains("writers/nul.md: the file name is not a valid id: Windows keeps nul"));
  CHECK_THAT(validated.out, Catch::Contains("\"aux\" is not a valid id; Windows keeps aux for a device"));
}

TEST_CASE("A folder that is not a plan is left as it was by status and validate and by a lorsyncd that refuses it") {
  TempDir dir;
  fs::path folder = dir / "not-a-plan";
  fs::create_directories(folder);
  REQUIRE(run_process({"git", "init", "-q", folder.string()}).exit_code == 0);
  write_file(folder / "notes.md", "mine\n");
  for (std::vector<std::string> args : {std::vector<std::string>{"status"}, {"validate"}, {"--json", "status"}, {"deadlines"}}) {
    args.insert(args.begin(), {"--plan", folder.string()});
    CHECK(run_lorsync(args).exit_code != 0);
  }
  ProcessResult daemon = run_process({LORSYNCD_BINARY, "--plan", folder.string(), "--port", "0"});
  CHECK(daemon.exit_code == 2);
  CHECK_THAT(daemon.err, Catch::Contains("no plan at"));
  CHECK_FALSE(fs::exists(folder / ".lorsync"));
  CHECK(run_git(folder, {"status", "--porcelain"}).out == "?? notes.md\n");
}
