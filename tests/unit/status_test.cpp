// status/: the one-screen summary — letters in hand (uploaded, or on track until a week before they are due),
// each program's readiness against its assigned letters, the events each letter can record next (match-shared
// from Match Day on), and the season's end — over real plans in temp dirs.
#include <catch2/catch.hpp>

#include "status/status.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"
#include "validation/plan_check.hpp"

#include <filesystem>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

Date day(const char* text) {
  auto parsed = parse_date(text);
  REQUIRE(parsed);
  return *parsed;
}

// The strong plan (three letters, all uploaded, assigned to Northlake) with cara's letter replaced.
Model strong_with_cara(const TempDir& dir, const std::string& events) {
  fs::copy(fixture_path("strong"), dir.path(), fs::copy_options::recursive);
  write_file(dir / "letters/cara.md", "---\nwriter: cara-neuro\nrotation: us-neurology\nwaived: true\n"
                                      "packet: [cv, personal-statement, summary]\nevents:\n" + events + "---\n");
  CheckedPlan checked = PlanChecker(dir.path()).check();
  INFO((checked.diagnostics.empty() ? std::string() : format_diagnostic(checked.diagnostics.front())));
  REQUIRE(checked.valid());
  return build_model(checked.plan);
}

const LetterRow& row_of(const StatusReport& report, const std::string& letter) {
  for (const auto& row : report.letters)
    if (row.letter == letter) return row;
  FAIL("no status row for " << letter);
  throw;
}

const std::string kCaraInProgress =
    "  - {date: 2026-07-23, event: asked, via: in-person}\n"
    "  - {date: 2026-07-23, event: agreed, via: in-person}\n"
    "  - {date: 2026-07-23, event: packet-sent, via: email}\n"
    "  - {date: 2026-08-27, event: reminded, via: email}\n"
    "  - {date: 2026-09-03, event: reminded, via: email}\n";

}  // namespace

TEST_CASE("a plan whose letters are all uploaded is ready, until Match Day ends the season") {
  Model model = load_fixture("strong");
  StatusReport before = build_status(model, day("2026-09-10"));
  CHECK(before.applicant == "Strong Applicant");
  CHECK(before.cycle == 2027);
  CHECK(before.letters_in_hand.uploaded == 3);
  CHECK(before.letters_in_hand.needed == 3);
  CHECK(before.letters_in_hand.enough());
  REQUIRE(before.programs.size() == 1);
  CHECK(before.programs[0].assigned);
  CHECK(before.programs[0].ready);
  CHECK_FALSE(before.season_over);
  CHECK(before.ready == (before.errors == 0));
  CHECK(row_of(before, "ana").status == "thanked");
  CHECK(row_of(before, "ana").next_events.empty());  // nothing to record until Match Day

  StatusReport match_day = build_status(model, day("2027-03-19"));
  CHECK(row_of(match_day, "ana").next_events == std::vector<std::string>{"match-shared"});
  StatusReport after = build_status(model, day("2027-03-20"));
  CHECK(after.season_over);
  CHECK_FALSE(after.ready);
  nlohmann::json json = to_json(after);
  CHECK(json["season_over"] == true);
  CHECK(json["readiness"]["ready"] == false);
  CHECK(json["today"] == "2027-03-20");
}

TEST_CASE("a letter not yet uploaded is on track until a week before it is due, then it is late") {
  TempDir dir;
  Model model = strong_with_cara(dir, kCaraInProgress);
  // cara is due on programs review, 2026-09-24 (Northlake's own deadline, 2026-10-15, is later).
  StatusReport eight_days = build_status(model, day("2026-09-16"));
  CHECK(eight_days.letters_in_hand.uploaded == 2);
  CHECK(eight_days.letters_in_hand.on_track == 1);
  CHECK(eight_days.letters_in_hand.late.empty());
  CHECK(eight_days.letters_in_hand.enough());
  REQUIRE(eight_days.programs.size() == 1);
  CHECK(eight_days.programs[0].ready);
  const LetterRow& cara = row_of(eight_days, "cara");
  CHECK(cara.status == "reminded");
  CHECK(cara.next_events == std::vector<std::string>{"reminded", "uploaded"});  // the packet went out already

  StatusReport seven_days = build_status(model, day("2026-09-17"));
  CHECK(seven_days.letters_in_hand.on_track == 0);
  CHECK(seven_days.letters_in_hand.late == std::vector<std::string>{"cara"});
  CHECK_FALSE(seven_days.letters_in_hand.enough());
  CHECK(seven_days.programs[0].letters.late == std::vector<std::string>{"cara"});
  CHECK_FALSE(seven_days.programs[0].ready);
  CHECK_FALSE(seven_days.ready);
  CHECK(to_json(seven_days.letters_in_hand)["late"] == nlohmann::json::array({"cara"}));
}

TEST_CASE("a declined letter assigned to a program leaves it short, and the writer can still be thanked") {
  TempDir dir;
  Model model = strong_with_cara(dir, "  - {date: 2026-07-23, event: asked, via: in-person}\n"
                                      "  - {date: 2026-07-24, event: declined, via: email}\n");
  StatusReport report = build_status(model, day("2026-09-10"));
  CHECK(row_of(report, "cara").status == "declined");
  CHECK(row_of(report, "cara").next_events == std::vector<std::string>{"thanked"});
  CHECK(report.letters_in_hand.needed == 3);
  CHECK(report.letters_in_hand.uploaded == 2);  // only active letters count
  CHECK_FALSE(report.letters_in_hand.enough());
  REQUIRE(report.programs.size() == 1);
  CHECK(report.programs[0].letters.late == std::vector<std::string>{"cara"});
  CHECK_FALSE(report.programs[0].ready);
  CHECK_FALSE(report.ready);
}

TEST_CASE("the next events follow the letter's steps: ask, then agree or decline or ask again") {
  TempDir dir;
  SECTION("asked, no answer yet") {
    Model model = strong_with_cara(dir, "  - {date: 2026-07-23, event: asked, via: email}\n");
    StatusReport report = build_status(model, day("2026-07-25"));
    CHECK(row_of(report, "cara").status == "asked");
    CHECK(row_of(report, "cara").next_events == std::vector<std::string>{"agreed", "declined", "asked"});
    CHECK_FALSE(row_of(report, "cara").next_step.empty());
  }
  SECTION("agreed, no packet yet") {
    Model model = strong_with_cara(dir, "  - {date: 2026-07-23, event: asked, via: in-person}\n"
                                        "  - {date: 2026-07-23, event: agreed, via: in-person}\n");
    StatusReport report = build_status(model, day("2026-07-25"));
    CHECK(row_of(report, "cara").next_events == std::vector<std::string>{"packet-sent", "reminded", "uploaded"});
  }
}
