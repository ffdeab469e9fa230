#include <catch2/catch.hpp>

#include "assignment/assignment.hpp"
#include "deadlines/deadlines.hpp"
#include "status/status.hpp"
#include "support/fixtures.hpp"

#include <set>

using namespace lorsync;
using namespace lorsync::test;

namespace {

const Deadline* find(const std::vector<Deadline>& deadlines, const std::string& id) {
  for (const auto& d : deadlines)
    if (d.id == id) return &d;
  return nullptr;
}

}  // namespace

TEST_CASE("deadlines are derived, sorted by date and have unique stable ids") {
  Model model = load_fixture("weak");
  auto deadlines = derive_deadlines(model, *parse_date("2026-09-10"));
  REQUIRE_FALSE(deadlines.empty());
  std::set<std::string> ids;
  for (size_t i = 0; i < deadlines.size(); ++i) {
    ids.insert(deadlines[i].id);
    if (i) CHECK_FALSE(deadlines[i].date < deadlines[i - 1].date);
    CHECK_FALSE(deadlines[i].refs.empty());
  }
  CHECK(ids.size() == deadlines.size());
  auto again = derive_deadlines(load_fixture("weak"), *parse_date("2026-09-12"));
  for (const auto& d : again) CHECK(ids.count(d.id) == 1);

  const Deadline* ask = find(deadlines, "ask:lab-letter");
  REQUIRE(ask);
  CHECK(format_date(ask->date) == "2026-07-31");  // the rotation's last day, the ideal day to ask
  CHECK(ask->state == DeadlineState::overdue);
  const Deadline* packet = find(deadlines, "packet:chair-letter");
  REQUIRE(packet);
  CHECK(format_date(packet->date) == "2026-07-27");
  CHECK(packet->state == DeadlineState::overdue);
  CHECK(find(deadlines, "packet:private-letter")->state == DeadlineState::done);
  const Deadline* remind = find(deadlines, "remind-28:chair-letter");
  REQUIRE(remind);
  // Due by too-many's deadline (2026-09-15), which comes before programs_review: reminders 28 and 21 days before.
  CHECK(format_date(remind->date) == "2026-08-18");
  CHECK(format_date(find(deadlines, "remind-21:chair-letter")->date) == "2026-08-25");
  CHECK(format_date(find(deadlines, "upload:chair-letter")->date) == "2026-09-15");
  CHECK(find(deadlines, "upload:chair-letter")->program == "too-many");
  const Deadline* follow_up = find(deadlines, "follow-up:home-two-letter");  // asked 2025-03-20, no answer
  REQUIRE(follow_up);
  CHECK(format_date(follow_up->date) == "2025-03-27");
  CHECK(follow_up->kind == "follow-up");
  CHECK(find(deadlines, "upload:home-one-letter")->state == DeadlineState::done);
  CHECK(format_date(find(deadlines, "thank:home-one-letter")->date) == "2026-08-08");
  CHECK(format_date(find(deadlines, "share-match:home-one-letter")->date) == "2027-03-26");
  CHECK(find(deadlines, "program:too-many"));
}

TEST_CASE("deadline states: overdue, due-soon within 7 days, upcoming, done") {
  Model model = load_fixture("weak");  // too-many's deadline is 2026-09-15
  auto state_on = [&](const char* today) { return find(derive_deadlines(model, *parse_date(today)), "program:too-many")->state; };
  CHECK(state_on("2026-09-07") == DeadlineState::upcoming);
  CHECK(state_on("2026-09-08") == DeadlineState::due_soon);
  CHECK(state_on("2026-09-15") == DeadlineState::due_soon);
  CHECK(state_on("2026-09-16") == DeadlineState::overdue);
  CHECK(find(derive_deadlines(load_fixture("strong"), *parse_date("2026-10-20")), "program:northlake")->state ==
        DeadlineState::done);
}

TEST_CASE("declined letters have no deadlines and recorded reminders mark reminders done") {
  Model model = load_fixture("weak");
  auto& chair = model.letters.at("chair-letter");
  chair.events.push_back(LetterEventRecord{*parse_date("2026-08-28"), "reminded", "", "", 9});
  auto deadlines = derive_deadlines(model, *parse_date("2026-09-10"));
  CHECK(find(deadlines, "remind-28:chair-letter")->state == DeadlineState::done);
  CHECK(find(deadlines, "remind-21:chair-letter")->state == DeadlineState::overdue);
  chair.status = LetterStatus::declined;
  CHECK_FALSE(find(derive_deadlines(model, *parse_date("2026-09-10")), "upload:chair-letter"));
}

TEST_CASE("iCalendar output: CRLF, folded at 75 octets, escaped, one VTODO with DUE and VALARM each") {
  Model model = load_fixture("weak");
  model.programs.at("too-many").name = "A program; with, commas \\ and a very long name that must be folded across lines — ünïcödé";
  auto deadlines = derive_deadlines(model, *parse_date("2026-09-10"));
  std::string ics = to_icalendar(deadlines, *parse_date("2026-09-10"));
  CHECK(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  CHECK(ics.ends_with("END:VCALENDAR\r\n"));
  size_t todos = 0, alarms = 0, start = 0;
  while (start < ics.size()) {
    size_t end = ics.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    std::string line = ics.substr(start, end - start);
    CHECK(line.size() <= 75);
    CHECK(line.find('\n') == std::string::npos);
    if (line == "BEGIN:VTODO") ++todos;
    if (line == "BEGIN:VALARM") ++alarms;
    start = end + 2;
  }
  CHECK(todos == deadlines.size());
  size_t open = 0;
  for (const auto& d : deadlines) open += d.state == DeadlineState::done ? 0 : 1;
  CHECK(alarms == open);
  std::string unfolded;
  for (size_t i = 0; i < ics.size(); ++i) {
    if (ics.compare(i, 3, "\r\n ") == 0) { i += 2; continue; }
    unfolded += ics[i];
  }
  CHECK_THAT(unfolded, Catch::Contains("SUMMARY:A program\\; with\\, commas \\\\ and a very long name"));
  CHECK_THAT(unfolded, Catch::Contains("ünïcödé application deadline"));
  CHECK_THAT(unfolded, Catch::Contains("UID:program:too-many@lorsync\r\n"));
  CHECK_THAT(unfolded, Catch::Contains("DUE;VALUE=DATE:20260915\r\n"));
}

TEST_CASE("status: readiness, each letter's next step, the next five deadlines") {
  StatusReport report = build_status(load_fixture("weak"), *parse_date("2026-09-10"));
  CHECK(report.applicant == "Weak Applicant");
  CHECK(report.cycle == 2027);
  CHECK(report.errors > 0);
  CHECK(report.letters.size() == 5);
  CHECK(report.next_deadlines.size() == 5);
  for (const auto& d : report.next_deadlines) CHECK(d.state != DeadlineState::done);
  auto chair = std::find_if(report.letters.begin(), report.letters.end(), [](const auto& row) { return row.letter == "chair-letter"; });
  REQUIRE(chair != report.letters.end());
  CHECK(chair->status == "agreed");
  CHECK(chair->writer == "Dr. Victor Chair");
  CHECK(chair->us);
  CHECK_THAT(chair->next_action, Catch::Contains("packet"));
  auto json = to_json(report);
  CHECK(json["readiness"]["ready"] == false);
  CHECK(json["letters"].size() == 5);
  CHECK(json["top_findings"].size() == 5);
}

TEST_CASE("status: each letter offers the steps that can come next, match-shared only after Match Day") {
  auto next_of = [](const StatusReport& report, const std::string& letter) {
    for (const auto& row : report.letters)
      if (row.letter == letter) return row.next_events;
    FAIL("no row for " << letter);
    return std::vector<std::string>{};
  };
  using Events = std::vector<std::string>;
  StatusReport weak = build_status(load_fixture("weak"), *parse_date("2026-09-10"));
  CHECK(next_of(weak, "lab-letter") == Events{"asked"});
  CHECK(next_of(weak, "home-two-letter") == Events{"agreed", "declined", "asked"});  // asking again follows up
  CHECK(next_of(weak, "chair-letter") == Events{"packet-sent", "reminded", "uploaded"});
  CHECK(next_of(weak, "private-letter") == Events{"reminded", "uploaded"});
  CHECK(next_of(weak, "home-one-letter") == Events{"thanked"});
  CHECK(to_json(weak)["letters"][0]["next_events"].is_array());

  Model strong = load_fixture("strong");
  CHECK(next_of(build_status(strong, *parse_date("2027-03-18")), "ana").empty());
  CHECK(next_of(build_status(strong, *parse_date("2027-03-19")), "ana") == Events{"match-shared"});
}

TEST_CASE("the suggested assignment takes PM&R letters first, then the guide's order, at most 4") {
  Model model = load_fixture("weak");
  const Program& program = model.programs.at("too-many");
  auto chosen = suggest_letters(model, program);
  REQUIRE(chosen.size() == 4);
  CHECK(chosen[0].letter == "chair-letter");  // the only PM&R letter
  for (const auto& c : chosen) CHECK_FALSE(c.reason.empty());
  ProgramReport report = report_program(model, program);
  CHECK_FALSE(report.assigned_problems.empty());  // five assigned
  CHECK(report.sponsors_visa == std::optional<bool>(false));
  CHECK_FALSE(report.deadline_ok);

  Model strong = load_fixture("strong");
  auto best = suggest_letters(strong, strong.programs.at("northlake"));
  REQUIRE(best.size() == 3);
  CHECK(best[0].letter == "ana");
  CHECK(best[2].letter == "cara");  // the neurology letter after both PM&R letters
  CHECK(report_program(strong, strong.programs.at("northlake")).suggestion_problems.empty());
}
