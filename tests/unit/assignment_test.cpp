// assignment/: which letters go to which program — whether an assignment fits and, when it does not, why;
// check_assignment's refusals (unknown program with a did-you-mean, more than ERAS takes, requirements unmet
// unless forced); visa sponsorship and deadlines in the report; the suggested strongest set.
#include <catch2/catch.hpp>

#include "assignment/assignment.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"
#include "validation/plan_check.hpp"

#include <algorithm>
#include <filesystem>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

bool has(const std::vector<std::string>& problems, const std::string& text) {
  return std::find(problems.begin(), problems.end(), text) != problems.end();
}

std::vector<std::string> letters_of(const std::vector<ChosenLetter>& chosen) {
  std::vector<std::string> ids;
  for (const auto& c : chosen) ids.push_back(c.letter);
  return ids;
}

Model load_copy(const TempDir& dir) {
  CheckedPlan checked = PlanChecker(dir.path()).check();
  INFO((checked.diagnostics.empty() ? std::string() : format_diagnostic(checked.diagnostics.front())));
  REQUIRE(checked.valid());
  return build_model(checked.plan);
}

}  // namespace

TEST_CASE("an assignment that meets the program's requirements fits, sponsors the visa, and meets the deadline") {
  Model model = load_fixture("strong");
  ProgramReport report = report_program(model, model.programs.at("northlake"));
  CHECK(report.assigned == std::vector<std::string>{"ana", "ben", "cara"});
  CHECK(report.assigned_problems.empty());
  REQUIRE(report.sponsors_visa.has_value());
  CHECK(*report.sponsors_visa);  // the applicant needs a J-1; Northlake sponsors J-1 and H-1B
  CHECK(report.deadline_ok);     // 2026-10-15 is after programs review on 2026-09-24
  nlohmann::json json = to_json(report);
  CHECK(json["assigned_fits"] == true);
  CHECK(json["deadline"] == "2026-10-15");
  CHECK(json["sponsors_visa"] == true);
}

TEST_CASE("an assignment that does not fit says which requirement it misses") {
  Model model = load_fixture("strong");
  SECTION("too few letters, too few of them PM&R") {
    AssignmentCheck check = check_assignment(model, "northlake", {"cara"}, false);
    CHECK(has(check.problems, "1 usable letter assigned; it requires 3"));
    CHECK(has(check.problems, "0 PM&R letters assigned; it requires 2"));
    REQUIRE(check.refusal);
    CHECK(check.refusal->code == ErrorCode::usage);
    CHECK(check.refusal->message.starts_with("this assignment does not meet Northlake PM&R's requirements: "));
    CHECK(check.refusal->message.find("--force") != std::string::npos);
  }
  SECTION("forced, it is recorded, and the problems are still told") {
    AssignmentCheck check = check_assignment(model, "northlake", {"ana", "ben"}, true);
    CHECK_FALSE(check.refusal);
    CHECK(check.problems == std::vector<std::string>{"2 usable letters assigned; it requires 3"});
  }
  SECTION("a letter that is not in the plan counts for nothing") {
    AssignmentCheck check = check_assignment(model, "northlake", {"ana", "ben", "dora"}, false);
    CHECK(has(check.problems, "no letter dora"));
    CHECK(has(check.problems, "2 usable letters assigned; it requires 3"));
    CHECK(check.refusal);
  }
  SECTION("an assignment that fits is not refused") {
    AssignmentCheck check = check_assignment(model, "northlake", {"cara", "ben", "ana"}, false);
    CHECK(check.problems.empty());
    CHECK_FALSE(check.refusal);
  }
}

TEST_CASE("check_assignment refuses an unknown program with a did-you-mean, and more letters than ERAS takes, even forced") {
  Model model = load_fixture("strong");
  AssignmentCheck unknown = check_assignment(model, "northlak", {"ana"}, true);
  REQUIRE(unknown.refusal);
  CHECK(unknown.refusal->code == ErrorCode::not_found);
  CHECK(unknown.refusal->message == "no programs/northlak.md; did you mean \"northlake\"?");
  AssignmentCheck five = check_assignment(model, "northlake", {"ana", "ben", "cara", "x", "y"}, true);
  REQUIRE(five.refusal);
  CHECK(five.refusal->code == ErrorCode::usage);
  CHECK(five.refusal->message == "ERAS allows at most 4 letters per program; you named 5");
}

TEST_CASE("a program that was given five letters in its file is reported as not fitting ERAS") {
  Model model = load_fixture("weak");
  ProgramReport report = report_program(model, model.programs.at("too-many"));
  CHECK(report.assigned.size() == 5);
  CHECK(has(report.assigned_problems, "5 letters assigned; ERAS allows at most 4 per program"));
  CHECK(to_json(report)["assigned_fits"] == false);
  // The suggestion never goes over 4, whatever the plan holds.
  CHECK(report.suggestion.size() <= 4);
}

TEST_CASE("a deadline before programs review and a visa the program does not sponsor are reported") {
  TempDir dir;
  fs::copy(fixture_path("strong"), dir.path(), fs::copy_options::recursive);
  write_file(dir / "programs/early.md",
             "---\nname: Early PM&R\nstate: OH\ndeadline: 2026-09-23\nvisa: [h1b]\n---\n");
  write_file(dir / "programs/unknown-visa.md", "---\nname: Quiet PM&R\nstate: OH\ndeadline: 2026-09-24\n---\n");
  Model model = load_copy(dir);
  ProgramReport early = report_program(model, model.programs.at("early"));
  CHECK_FALSE(early.deadline_ok);  // a day before programs review
  REQUIRE(early.sponsors_visa.has_value());
  CHECK_FALSE(*early.sponsors_visa);  // the applicant needs a J-1
  CHECK(early.assigned.empty());
  CHECK(to_json(early)["assigned_fits"] == false);  // nothing assigned is not a fit
  ProgramReport quiet = report_program(model, model.programs.at("unknown-visa"));
  CHECK(quiet.deadline_ok);  // on the day of programs review is in time
  CHECK_FALSE(quiet.sponsors_visa.has_value());  // the program has not said
  CHECK(to_json(quiet)["sponsors_visa"].is_null());
}

TEST_CASE("the suggestion takes the program's PM&R letters first, leaves declined letters out, and explains each") {
  Model model = load_fixture("strong");
  std::vector<ChosenLetter> chosen = suggest_letters(model, model.programs.at("northlake"));
  std::vector<std::string> ids = letters_of(chosen);
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"ana", "ben", "cara"});
  for (const auto& c : chosen) {
    INFO(c.letter);
    CHECK_FALSE(c.reason.empty());
  }

  TempDir dir;
  fs::copy(fixture_path("strong"), dir.path(), fs::copy_options::recursive);
  write_file(dir / "letters/ben.md",
             "---\nwriter: ben-pmr\nrotation: us-consult\nevents:\n"
             "  - {date: 2026-06-25, event: asked}\n  - {date: 2026-06-26, event: declined}\n---\n");
  Model declined = load_copy(dir);
  std::vector<std::string> without_ben = letters_of(suggest_letters(declined, declined.programs.at("northlake")));
  CHECK(std::find(without_ben.begin(), without_ben.end(), "ben") == without_ben.end());
  AssignmentCheck check = check_assignment(declined, "northlake", {"ana", "ben", "cara"}, false);
  CHECK(has(check.problems, "ben was declined"));
  CHECK(has(check.problems, "1 PM&R letter assigned; it requires 2"));
  ProgramReport report = report_program(declined, declined.programs.at("northlake"));
  CHECK_FALSE(report.suggestion_problems.empty());  // even the best set lacks a second PM&R letter
}
