#include <catch2/catch.hpp>

#include "rules/audit.hpp"
#include "support/fixtures.hpp"
#include "store/store.hpp"
#include "support/temp_dir.hpp"
#include "validation/plan_check.hpp"

#include <regex>
#include <set>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

struct RuleCase {
  std::string fixture;
  std::string today;
  std::string rule;
  bool fires;
  std::string contains;  // a finding of this rule whose message contains this (empty: any)
  std::optional<Severity> severity;
  bool with_conflict = false;
};

// Each rule fires in at least one real plan and stays quiet in at least one;
// boundary days are named by what they test.
const std::vector<RuleCase>& cases() {
  static const std::vector<RuleCase> list = {
      {"weak", "2026-09-10", "letters-total", true, "5 active letters", Severity::info},
      {"thin", "2026-09-10", "letters-total", true, "1 active letter", Severity::error},
      {"weak", "2026-09-10", "pmr-letters", true, "1 PM&R letter", Severity::warning},
      {"thin", "2026-09-10", "pmr-letters", true, "None of your letters", Severity::error},
      {"thin", "2026-09-10", "us-pmr-letter", true, "", Severity::error},
      {"weak", "2026-09-10", "us-pmr-letter", false, "", {}},
      {"thin", "2026-09-10", "us-clinical-letter", true, "", Severity::error},
      {"weak", "2026-09-10", "letter-relevance", true, "Dr. Pat Private", Severity::warning},
      {"weak", "2026-09-10", "letter-relevance", true, "Dr. Bea Science", Severity::warning},
      {"weak", "2026-09-10", "home-country-supplement", true, "2 home-country letters", Severity::warning},
      {"thin", "2026-09-10", "home-country-supplement", true, "stands in for a US PM&R letter", Severity::warning},
      {"weak", "2026-09-10", "writer-knows-you", true, "Dr. Victor Chair worked with you for 1 week, and knows you only from an observership", Severity::warning},
      {"weak", "2026-09-10", "big-name-weak-tie", true, "Dr. Victor Chair is a chair", Severity::warning},
      {"weak", "2026-09-10", "non-clinical-writer", true, "Dr. Bea Science", Severity::warning},
      {"weak", "2026-09-10", "private-practice-writer", true, "Dr. Pat Private", Severity::warning},
      // ask-window: the rotation ends 2026-07-31; ask_window_days is 14.
      {"weak", "2026-07-24", "ask-window", false, "", {}},                                     // a day before its final week
      {"weak", "2026-07-25", "ask-window", true, "last week of your rotation", Severity::info},  // first day of its final week
      {"weak", "2026-07-31", "ask-window", true, "last week of your rotation", Severity::info},  // its last day: the ideal ask
      {"weak", "2026-08-01", "ask-window", true, "ended on 2026-07-31", Severity::info},         // after it, still in the window
      {"weak", "2026-08-14", "ask-window", true, "ended on 2026-07-31", Severity::info},         // exactly 14 days after the end
      {"weak", "2026-08-15", "ask-window", true, "ended 15 days ago", Severity::warning},        // one day past the window
      // follow-up: Dr. Meena Home was asked (not in person) on 2025-03-20; follow_up_days is 7.
      {"weak", "2025-03-26", "follow-up", false, "", {}},
      {"weak", "2025-03-27", "follow-up", true, "Dr. Meena Home has not answered", Severity::warning},
      // packet-sent: Dr. Chair agreed on 2026-07-20; packet_days is 7.
      {"weak", "2026-07-27", "packet-sent", false, "has no packet yet", {}},
      {"weak", "2026-07-28", "packet-sent", true, "has no packet yet", Severity::warning},
      {"weak", "2026-09-10", "packet-sent", true, "lacks: personal-statement, summary", Severity::warning},
      {"weak", "2026-09-10", "img-context", true, "medical school background", Severity::info},
      {"thin", "2026-09-10", "img-context", false, "", {}},
      {"weak", "2026-09-10", "waiver", true, "Dr. Victor Chair", Severity::warning},
      // reminder-due: Dr. Chair's letter is assigned to a program whose deadline (2026-09-15) comes before
      // programs_review (2026-09-24), so it is due then; the first reminder is 28 days before.
      {"weak", "2026-08-17", "reminder-due", false, "", {}},
      {"weak", "2026-08-18", "reminder-due", true, "Dr. Victor Chair's letter is not uploaded and is due on 2026-09-15 for Too Many Letters PM&R", Severity::warning},  // exactly on the lead day
      {"weak", "2026-09-16", "reminder-due", false, "", {}},
      // upload-overdue: not uploaded by the letter's due date, the program's deadline.
      {"weak", "2026-09-15", "upload-overdue", false, "", {}},
      {"weak", "2026-09-16", "upload-overdue", true, "Late for: Too Many Letters PM&R (deadline 2026-09-15)", Severity::error},
      {"weak", "2026-09-25", "upload-overdue", true, "Too Many Letters PM&R (deadline 2026-09-15), programs reviewing since 2026-09-24", Severity::error},
      // thank-writers: Dr. Ravi Home uploaded on 2026-08-01; thank within 7 days.
      {"weak", "2026-08-08", "thank-writers", false, "has not been thanked", {}},
      {"weak", "2026-08-09", "thank-writers", true, "has not been thanked", Severity::info},
      {"weak", "2027-04-01", "thank-writers", true, "where you matched", Severity::info},
      {"weak", "2027-04-01", "thank-writers", true, "has not been thanked", Severity::info},  // thanking outlives Match Day
      // After Match Day the application advice retires.
      {"weak", "2027-03-19", "visa-sponsorship", true, "J-1", Severity::warning},  // Match Day itself
      {"weak", "2027-03-20", "visa-sponsorship", false, "", {}},
      {"weak", "2027-03-20", "upload-overdue", false, "", {}},
      {"weak", "2027-03-20", "letters-total", false, "", {}},
      {"weak", "2027-03-20", "follow-up", false, "", {}},
      {"weak", "2026-09-10", "pmr-rotations", true, "1 PM&R rotation", Severity::warning},
      {"weak", "2026-09-10", "pmr-rotations", true, "inpatient rehab", Severity::info},
      {"weak", "2026-09-10", "rotation-length", true, "lasts 2 weeks", Severity::info},
      {"weak", "2026-09-10", "residency-institution", true, "Eastside Clinic", Severity::info},
      {"thin", "2026-09-10", "usce", true, "no US clinical experience", Severity::error},
      {"weak", "2026-09-10", "usce", true, "observerships", Severity::warning},
      {"weak", "2026-09-10", "narrative-consistency", true, "spinal-cord-injury", Severity::warning},
      {"weak", "2026-09-10", "program-requirements", true, "ERAS allows at most 4", Severity::error},
      {"thin", "2026-09-10", "program-requirements", true, "no letters assigned", Severity::error},
      {"thin", "2026-09-02", "program-requirements", false, "", {}},  // before the planned submission day
      {"weak", "2026-09-10", "program-deadline", true, "not uploaded yet: Dr. Victor Chair, Dr. Bea Science, Dr. Pat Private, Dr. Meena Home", Severity::warning},
      {"weak", "2026-09-16", "program-deadline", false, "", {}},  // past it, the letters are upload-overdue
      {"weak", "2026-09-10", "visa-sponsorship", true, "J-1", Severity::warning},
      {"thin", "2026-09-10", "visa-sponsorship", false, "", {}},
      {"strong", "2026-10-10", "sync-conflict", true, "waived", Severity::warning, true},
  };
  return list;
}

std::vector<Finding> audit(const RuleCase& c) {
  Model model = load_fixture(c.fixture);
  if (c.with_conflict)
    model.conflicts.push_back(SyncConflict{"letters/ana.md", "waived", "true", "false", "laptop", "phone"});
  return run_audit(model, *parse_date(c.today));
}

}  // namespace

TEST_CASE("the strong fixture follows the guide: no rule fires") {
  for (const char* today : {"2026-05-01", "2026-08-26", "2026-10-10"}) {
    INFO(today);
    auto findings = run_audit(load_fixture("strong"), *parse_date(today));
    for (const auto& f : findings) INFO(f.rule << ": " << f.message);
    if (std::string(today) == "2026-10-10") CHECK(findings.empty());
  }
}

TEST_CASE("each rule fires where the guide says and stays quiet where it does not") {
  for (const auto& c : cases()) {
    DYNAMIC_SECTION(c.rule << " on " << c.fixture << " at " << c.today << (c.fires ? " fires" : " is quiet")) {
      auto findings = audit(c);
      std::vector<const Finding*> matching;
      for (const auto& f : findings)
        if (f.rule == c.rule && f.message.find(c.contains) != std::string::npos) matching.push_back(&f);
      for (const auto& f : findings) INFO(f.rule << ": " << f.message);
      if (!c.fires) {
        CHECK(matching.empty());
        continue;
      }
      REQUIRE_FALSE(matching.empty());
      const Finding& f = *matching.front();
      if (c.severity) CHECK(f.severity == *c.severity);
      CHECK_FALSE(f.action.empty());
      CHECK_FALSE(f.guide.empty());
      REQUIRE_FALSE(f.refs.empty());
      CHECK_FALSE(f.refs.front().path.empty());
    }
  }
}

TEST_CASE("every rule in the registry has a case where it fires and the strong plan where it does not") {
  std::set<std::string> fires;
  for (const auto& c : cases())
    if (c.fires) fires.insert(c.rule);
  for (const auto& rule : rule_registry()) {
    INFO(rule.id);
    CHECK(fires.count(rule.id) == 1);
  }
}

// The findings of every case that fires, and of the weak plan with no letters assigned to its programs
// (the advice that names lorsync assign).
std::vector<Finding> findings_of_all_cases() {
  std::vector<Finding> all;
  for (const auto& c : cases())
    if (c.fires)
      for (auto& f : audit(c)) all.push_back(std::move(f));
  Model unassigned = load_fixture("weak");
  for (auto& [id, program] : unassigned.programs) program.letters.clear();
  for (auto& f : run_audit(unassigned, *parse_date("2026-09-10"))) all.push_back(std::move(f));
  return all;
}

TEST_CASE("a finding's commands are the lorsync commands its action names, verbatim") {
  std::set<std::string> rules_with_commands;
  for (const auto& f : findings_of_all_cases()) {
    INFO(f.rule << ": " << f.action);
    size_t searched_from = 0;
    for (const auto& command : f.commands) {
      CHECK(command.rfind("lorsync ", 0) == 0);
      size_t at = f.action.find(command, searched_from);
      REQUIRE(at != std::string::npos);  // in the action, in the order it is written there
      searched_from = at + command.size();
    }
    // Every command the English names is in the list: no "lorsync " starts outside one.
    size_t named = 0;
    for (size_t at = f.action.find("lorsync "); at != std::string::npos; at = f.action.find("lorsync ", at + 1))
      ++named;
    CHECK(named == f.commands.size());
    if (!f.commands.empty()) rules_with_commands.insert(f.rule);
  }
  CHECK(rules_with_commands == std::set<std::string>{"ask-window", "follow-up", "letters-total", "program-deadline",
                                                     "program-requirements", "reminder-due", "sync-conflict",
                                                     "thank-writers", "waiver"});
}

TEST_CASE("a finding reads back from its JSON as it was written") {
  for (const auto& f : findings_of_all_cases()) {
    INFO(f.rule << ": " << f.message);
    nlohmann::json written = to_json(f);
    CHECK(to_json(written.get<Finding>()) == written);
  }
}

TEST_CASE("findings point at the exact line and field") {
  auto findings = run_audit(load_fixture("weak"), *parse_date("2026-09-10"));
  auto waiver = std::find_if(findings.begin(), findings.end(), [](const Finding& f) { return f.rule == "waiver"; });
  REQUIRE(waiver != findings.end());
  CHECK(waiver->refs.front().path == "letters/chair-letter.md");
  auto big_name = std::find_if(findings.begin(), findings.end(), [](const Finding& f) { return f.rule == "big-name-weak-tie"; });
  REQUIRE(big_name != findings.end());
  CHECK(big_name->refs.front().path == "writers/chair.md");
  CHECK(big_name->refs.front().line == 3);
  CHECK(big_name->refs.front().field == "title");
}

TEST_CASE("img-context reads the applicant's words - not the new plan's template headings") {
  TempDir dir;
  InitOptions init;
  init.today = *parse_date("2026-08-15");
  REQUIRE(Store::init(dir / "plan", init).ok());
  CheckedPlan checked = PlanChecker(dir / "plan").check();
  REQUIRE(checked.valid());
  auto findings = run_audit(build_model(checked.plan), *parse_date("2026-08-15"));
  CHECK(std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.rule == "img-context"; }));
}

TEST_CASE("thresholds come from the plan's policy") {
  TempDir dir;
  fs::copy(fixture_path("strong"), dir.path(), fs::copy_options::recursive);
  std::string plan = read_file(dir / "plan.yaml");
  plan.replace(plan.find("policy: {}"), 10, "policy: {letters_min: 4, pmr_letters_min: 3}");
  write_file(dir / "plan.yaml", plan);
  CheckedPlan checked = PlanChecker(dir.path()).check();
  REQUIRE(checked.valid());
  auto findings = run_audit(build_model(checked.plan), *parse_date("2026-10-10"));
  std::set<std::string> rules;
  for (const auto& f : findings) rules.insert(f.rule);
  CHECK(rules.count("letters-total") == 1);
  CHECK(rules.count("pmr-letters") == 1);
}

TEST_CASE("docs/rules.md describes exactly the rules in the registry") {
  std::string doc = read_file(source_path("docs/rules.md"));
  std::set<std::string> documented;
  std::regex heading("^## `([a-z0-9-]+)`", std::regex::multiline);
  for (std::sregex_iterator it(doc.begin(), doc.end(), heading), end; it != end; ++it) documented.insert((*it)[1].str());
  std::set<std::string> registered;
  for (const auto& rule : rule_registry()) registered.insert(rule.id);
  CHECK(documented == registered);
  CHECK(registered.size() == 27);
}
