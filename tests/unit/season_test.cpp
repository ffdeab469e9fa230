// A season walked day by day: the strong plan (a J-1 applicant, three US rotations, three writers, one
// program) with one letter, Dr. Ana Pérez's (rotation us-inpatient, 2026-05-04 to 2026-05-29), moved
// through its life, asking on each day what lorsync advises.
#include <catch2/catch.hpp>

#include "deadlines/deadlines.hpp"
#include "deadlines/schedule.hpp"
#include "rules/audit.hpp"
#include "status/status.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"
#include "validation/plan_check.hpp"

#include <algorithm>
#include <regex>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

class Season {
 public:
  Season() { fs::copy(fixture_path("strong"), dir_.path(), fs::copy_options::recursive); }

  // Replaces a field's line in a file: `key: ...` becomes `key: value` (added when absent).
  void set(const std::string& file, const std::string& key, const std::string& value) {
    std::string text = read_file(dir_ / file);
    std::regex line("(^|\n)" + key + ":[^\n]*");
    std::string replaced = std::regex_replace(text, line, "$1" + key + ": " + value);
    if (replaced == text) replaced.insert(text.find("\n") + 1, key + ": " + value + "\n");
    write_file(dir_ / file, replaced);
  }
  // A letter's events, as YAML flow mappings ("{date: 2026-05-28, event: asked, via: in-person}").
  void events(const std::string& letter, const std::vector<std::string>& events) {
    const fs::path file = dir_ / "letters" / (letter + ".md");
    std::string text = read_file(file);
    size_t start = text.find("events:");
    size_t end = text.find("---", start);
    std::string list = events.empty() ? "events: []\n" : "events:\n";
    for (const auto& e : events) list += "  - " + e + "\n";
    write_file(file, text.substr(0, start) + list + text.substr(end));
  }
  void remove(const std::string& file) { fs::remove(dir_ / file); }
  void write(const std::string& file, const std::string& text) { write_file(dir_ / file, text); }

  Model model() const {
    CheckedPlan checked = PlanChecker(dir_.path()).check();
    for (const auto& d : checked.diagnostics) INFO(format_diagnostic(d));
    REQUIRE(checked.valid());
    return build_model(checked.plan);
  }
  StatusReport status(const char* day) const { return build_status(model(), *parse_date(day)); }

 private:
  TempDir dir_;
};

const Finding* find(const std::vector<Finding>& findings, const std::string& rule, const std::string& text = "") {
  for (const auto& f : findings)
    if (f.rule == rule && (f.message + " " + f.action).find(text) != std::string::npos) return &f;
  return nullptr;
}

const Deadline* deadline(const std::vector<Deadline>& deadlines, const std::string& id) {
  for (const auto& d : deadlines)
    if (d.id == id) return &d;
  return nullptr;
}

const LetterRow& row(const StatusReport& report, const std::string& letter) {
  auto found = std::find_if(report.letters.begin(), report.letters.end(), [&](const auto& r) { return r.letter == letter; });
  REQUIRE(found != report.letters.end());
  return *found;
}

}  // namespace

TEST_CASE("season: in the rotation's last week, asking comes first, dated on its last day") {
  Season season;
  season.events("ana", {});
  season.set("letters/ana.md", "waived", "false");
  season.remove("letters/cara.md");  // two letters: letters-total is an error, and still asking comes first
  season.set("programs/northlake.md", "letters", "[ana, ben]");

  SECTION("the day before the last week: not yet") {
    StatusReport report = season.status("2026-05-22");
    CHECK_FALSE(find(report.findings, "ask-window", "Dr. Ana"));
    const Deadline* ask = deadline(report.deadlines, "ask:ana");
    REQUIRE(ask);
    CHECK(format_date(ask->date) == "2026-05-29");
    CHECK(deadline(season.status("2026-05-21").deadlines, "ask:ana")->state == DeadlineState::upcoming);
  }
  for (const char* day : {"2026-05-23", "2026-05-29"}) {
    DYNAMIC_SECTION("on " << day << ", in the last week") {
      StatusReport report = season.status(day);
      REQUIRE_FALSE(report.findings.empty());
      REQUIRE(report.errors > 0);
      CHECK(report.findings.front().rule == "ask-window");
      CHECK(report.findings.front().message.find("last week of your rotation with Dr. Ana") != std::string::npos);
      CHECK(format_date(*report.findings.front().due) == "2026-05-29");
      auto json = to_json(report);
      CHECK(json["top_findings"][0]["rule"] == "ask-window");
      CHECK(json["next_deadlines"][0]["id"] == "ask:ana");
      const Deadline* ask = deadline(report.deadlines, "ask:ana");
      REQUIRE(ask);
      CHECK(ask->state == DeadlineState::due_soon);  // what `deadlines --within 7` shows
      CHECK(days_between(*parse_date(day), ask->date) <= 7);
      CHECK(row(report, "ana").next_step == "ask");
      CHECK(format_date(*row(report, "ana").due) == "2026-05-29");
      CHECK_FALSE(find(report.findings, "waiver", "Dr. Ana"));  // not requested yet
    }
  }
  SECTION("after the last day the window's end is the late warning") {
    StatusReport in_window = season.status("2026-06-12");
    const Finding* ask = find(in_window.findings, "ask-window", "Dr. Ana");
    REQUIRE(ask);
    CHECK(ask->severity == Severity::info);
    CHECK(ask->action.find("before 2026-06-12") != std::string::npos);
    StatusReport late = season.status("2026-06-13");
    ask = find(late.findings, "ask-window", "Dr. Ana");
    REQUIRE(ask);
    CHECK(ask->severity == Severity::warning);
  }
}

TEST_CASE("season: each status has its own next step") {
  Season season;
  struct Step {
    std::vector<std::string> events;
    const char* day;
    const char* next_step;
    const char* due;
    const char* title_has;
  };
  const std::vector<Step> steps = {
      {{}, "2026-05-20", "ask", "2026-05-29", "in person"},
      {{"{date: 2026-05-28, event: asked, via: in-person}"}, "2026-05-28", "follow-up", "2026-05-29", "Email"},
      {{"{date: 2026-05-28, event: asked, via: email}"}, "2026-05-28", "follow-up", "2026-06-04", "no answer"},
      {{"{date: 2026-05-28, event: asked, via: in-person}", "{date: 2026-05-29, event: asked, via: email}"},
       "2026-05-29", "follow-up", "2026-06-05", "no answer"},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}"}, "2026-05-30", "packet", "2026-06-05",
       "packet"},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}", "{date: 2026-05-30, event: packet-sent}"},
       "2026-06-10", "remind", "2026-08-27", "Remind"},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}", "{date: 2026-05-30, event: packet-sent}",
        "{date: 2026-08-27, event: reminded}"},
       "2026-08-28", "upload", "2026-09-24", "uploaded to ERAS"},
      // The second reminder (21 days before) is due: remind again.
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}", "{date: 2026-05-30, event: packet-sent}",
        "{date: 2026-08-27, event: reminded}"},
       "2026-09-03", "remind", "2026-09-03", "21 days"},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}", "{date: 2026-05-30, event: packet-sent}",
        "{date: 2026-09-01, event: uploaded}"},
       "2026-09-02", "thank", "2026-09-08", "Thank"},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}", "{date: 2026-05-30, event: packet-sent}",
        "{date: 2026-09-01, event: uploaded}", "{date: 2026-09-02, event: thanked}"},
       "2027-03-20", "share-match", "2027-03-26", "where you matched"},
  };
  for (const auto& step : steps) {
    DYNAMIC_SECTION(step.next_step << " on " << step.day << " after " << step.events.size() << " events") {
      season.events("ana", step.events);
      StatusReport report = season.status(step.day);
      const LetterRow& ana = row(report, "ana");
      CHECK(ana.next_step == step.next_step);
      CHECK(ana.next_action.find(step.title_has) != std::string::npos);
      REQUIRE(ana.due);
      CHECK(format_date(*ana.due) == step.due);
      CHECK(to_json(report)["letters"][0]["next_step"] == step.next_step);
    }
  }
  SECTION("after Match Day a letter that never reached ERAS has no next step") {
    season.events("ana", {"{date: 2026-05-28, event: asked}"});
    StatusReport after_match = season.status("2027-03-20");
    const LetterRow& ana = row(after_match, "ana");
    CHECK(ana.next_step.empty());
    CHECK_FALSE(ana.due);
  }
}

TEST_CASE("season: asked and no answer after follow_up_days is a follow-up") {
  Season season;
  season.events("ana", {"{date: 2026-05-28, event: asked, via: email}"});
  CHECK_FALSE(find(season.status("2026-06-03").findings, "follow-up"));
  StatusReport a_week_later = season.status("2026-06-04");
  const Finding* follow_up = find(a_week_later.findings, "follow-up", "Dr. Ana");
  REQUIRE(follow_up);
  CHECK(follow_up->severity == Severity::warning);
  season.set("plan.yaml", "policy", "{follow_up_days: 3}");
  CHECK(find(season.status("2026-05-31").findings, "follow-up", "Dr. Ana"));
  SECTION("asked in person: the email follows the same day") {
    season.events("ana", {"{date: 2026-05-28, event: asked, via: in-person}"});
    StatusReport same_day = season.status("2026-05-28");
    const Finding* email = find(same_day.findings, "follow-up", "in person");
    REQUIRE(email);
    CHECK(email->action.find("lorsync draft ana follow-up") != std::string::npos);
  }
}

TEST_CASE("season: a letter is due by the earliest date a program that gets it needs it") {
  Season season;
  season.events("ana", {"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}",
                     "{date: 2026-05-30, event: packet-sent}"});
  season.set("programs/northlake.md", "deadline", "2026-09-10");  // before programs_review (2026-09-24)
  Model model = season.model();
  LetterDue due = letter_due(model, model.letters.at("ana"));
  CHECK(format_date(due.date) == "2026-09-10");
  REQUIRE(due.program);
  CHECK(due.program->id == "northlake");

  auto deadlines = derive_deadlines(model, *parse_date("2026-08-01"));
  CHECK(format_date(deadline(deadlines, "upload:ana")->date) == "2026-09-10");
  CHECK(deadline(deadlines, "upload:ana")->program == "northlake");
  CHECK(format_date(deadline(deadlines, "remind-28:ana")->date) == "2026-08-13");
  CHECK(format_date(deadline(deadlines, "remind-21:ana")->date) == "2026-08-20");

  CHECK_FALSE(find(run_audit(model, *parse_date("2026-08-12")), "reminder-due"));
  auto on_lead_day = run_audit(model, *parse_date("2026-08-13"));
  const Finding* remind = find(on_lead_day, "reminder-due", "Dr. Ana");
  REQUIRE(remind);
  CHECK(remind->message.find("due on 2026-09-10 for Northlake PM&R") != std::string::npos);

  auto before = run_audit(model, *parse_date("2026-09-09"));
  const Finding* program = find(before, "program-deadline", "Northlake");
  REQUIRE(program);
  CHECK(program->message.find("Dr. Ana Pérez") != std::string::npos);
  CHECK_FALSE(find(before, "upload-overdue"));
  auto after = run_audit(model, *parse_date("2026-09-11"));
  const Finding* overdue = find(after, "upload-overdue", "Dr. Ana");
  REQUIRE(overdue);
  CHECK(overdue->message.find("Northlake PM&R (deadline 2026-09-10)") != std::string::npos);
  // Only the late letter is named: the others are uploaded.
  CHECK_FALSE(find(after, "upload-overdue", "Dr. Ben"));
  CHECK(deadline(derive_deadlines(model, *parse_date("2026-09-11")), "program:northlake")->title.find("Dr. Ana Pérez") !=
        std::string::npos);
}

TEST_CASE("season: waiving is advice once the letter is requested") {
  Season season;
  season.set("letters/ana.md", "waived", "false");
  season.events("ana", {});
  CHECK_FALSE(find(season.status("2026-05-01").findings, "waiver"));
  season.events("ana", {"{date: 2026-05-28, event: asked, via: in-person}"});
  CHECK(find(season.status("2026-05-28").findings, "waiver", "Dr. Ana"));
}

TEST_CASE("season: thanking is one rule - the deadline and the audit agree on 7 days") {
  Season season;
  season.events("ana", {"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}",
                     "{date: 2026-05-30, event: packet-sent}", "{date: 2026-08-20, event: uploaded}"});
  StatusReport on_the_day = season.status("2026-08-27");
  const Deadline* thank = deadline(on_the_day.deadlines, "thank:ana");
  REQUIRE(thank);
  CHECK(format_date(thank->date) == "2026-08-27");
  CHECK(thank->state == DeadlineState::due_soon);
  CHECK_FALSE(find(on_the_day.findings, "thank-writers", "Dr. Ana"));
  StatusReport late = season.status("2026-08-28");
  CHECK(deadline(late.deadlines, "thank:ana")->state == DeadlineState::overdue);
  const Finding* audit = find(late.findings, "thank-writers", "Dr. Ana");
  REQUIRE(audit);
  CHECK(format_date(*audit->due) == "2026-08-27");
}

TEST_CASE("season: after Match Day the application advice retires") {
  Season season;
  season.events("ana", {"{date: 2026-05-28, event: asked}"});  // never uploaded
  season.set("programs/northlake.md", "visa", "[h1b]");      // does not sponsor the J-1
  StatusReport on_match_day = season.status("2027-03-19");
  CHECK_FALSE(on_match_day.season_over);
  CHECK(find(on_match_day.findings, "visa-sponsorship"));
  StatusReport after = season.status("2027-03-20");
  CHECK(after.season_over);
  CHECK(to_json(after)["season_over"] == true);
  CHECK_FALSE(after.ready);
  for (const auto& f : after.findings) {
    INFO(f.rule << ": " << f.message);
    CHECK((f.rule == "thank-writers" || f.rule == "sync-conflict"));
  }
  CHECK(find(after.findings, "thank-writers", "where you matched"));
  REQUIRE_FALSE(after.deadlines.empty());
  for (const auto& d : after.deadlines) {
    INFO(d.id);
    CHECK((d.kind == "thank" || d.kind == "share-match"));
  }
}

TEST_CASE("season: readiness means letters in hand") {
  Season season;
  const std::vector<std::string> agreed = {"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}",
                                           "{date: 2026-05-30, event: packet-sent}"};
  SECTION("everything uploaded: ready, per program too") {
    StatusReport report = season.status("2026-09-20");
    CHECK(report.ready);
    CHECK(report.letters_in_hand.uploaded == 3);
    CHECK(report.letters_in_hand.needed == 3);
    REQUIRE(report.programs.size() == 1);
    CHECK(report.programs[0].ready);
    auto json = to_json(report)["readiness"];
    CHECK(json["letters"]["uploaded"] == 3);
    CHECK(json["programs"][0]["program"] == "northlake");
    CHECK(json["programs"][0]["ready"] == true);
  }
  SECTION("a letter agreed and weeks from due is on track") {
    season.events("ana", agreed);
    StatusReport report = season.status("2026-08-01");
    CHECK(report.letters_in_hand.uploaded == 2);
    CHECK(report.letters_in_hand.on_track == 1);
    CHECK(report.ready);
  }
  SECTION("five days before review with nothing uploaded is not ready, whatever the error count") {
    std::vector<std::string> reminded = agreed;
    reminded.push_back("{date: 2026-08-27, event: reminded}");
    reminded.push_back("{date: 2026-09-03, event: reminded}");
    for (const char* letter : {"ana", "ben", "cara"}) season.events(letter, reminded);
    StatusReport report = season.status("2026-09-19");
    CHECK(report.errors == 0);
    CHECK_FALSE(report.ready);
    CHECK(report.letters_in_hand.uploaded == 0);
    CHECK(report.letters_in_hand.on_track == 0);
    CHECK(report.letters_in_hand.late.size() == 3);
    REQUIRE(report.programs.size() == 1);
    CHECK_FALSE(report.programs[0].ready);
    CHECK(report.programs[0].letters.late == std::vector<std::string>{"ana", "ben", "cara"});
  }
  SECTION("a letter with a late step is not on track") {
    season.events("ana", {"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}"});  // no packet
    StatusReport report = season.status("2026-08-01");
    CHECK(report.letters_in_hand.on_track == 0);
    CHECK_FALSE(report.ready);
  }
}

TEST_CASE("season: img-context reads the applicant's own words and the plan's places") {
  Season season;
  auto fires = [&](const std::string& summary) {
    season.write("packet/summary.md", "# Packet summary\n" + summary + "\n");
    return find(season.status("2026-08-01").findings, "img-context") != nullptr;
  };
  CHECK_FALSE(fires("MBBS, University of Lagos, 2021. I will need a J-1 through ECFMG. Long-term I aim to lead a "
                    "spinal cord injury program."));
  CHECK(fires("I love rehabilitation and teamwork."));
  CHECK(fires("MBBS, University of Lagos. Long-term I aim to lead a spinal cord injury program."));  // no visa
}

TEST_CASE("season: a writer who knew you only through an observership gets the guide's advice for that case") {
  Season season;
  season.set("rotations/us-neurology.md", "kind", "observership");
  StatusReport report = season.status("2026-08-01");
  const Finding* f = find(report.findings, "writer-knows-you", "Dr. Cara Lind");
  REQUIRE(f);
  CHECK(f->message.find("observership") != std::string::npos);
  CHECK(f->action.find("present and engaged") != std::string::npos);
  CHECK(f->action.find("detailed packet") != std::string::npos);
}
