#include "status/status.hpp"

#include "rules/audit.hpp"
#include "rules/letter_kinds.hpp"

#include <map>

namespace lorsync {
namespace {

// The steps a letter can take from where it is, for plugins to offer one click each. A step already
// recorded is not offered again, except reminders; telling the writer where you matched waits for
// Match Day.
std::vector<std::string> next_events(const Letter& letter, Date today, const Settings& settings) {
  auto has = [&letter](const char* event) { return letter.first(event) != nullptr; };
  switch (letter.status) {
    case LetterStatus::planned: return {"asked"};
    case LetterStatus::declined: return has("thanked") ? std::vector<std::string>{} : std::vector<std::string>{"thanked"};
    case LetterStatus::uploaded: return {"thanked"};
    case LetterStatus::thanked:
      if (today >= settings.match_day && !has("match-shared")) return {"match-shared"};
      return {};
    default: break;
  }
  std::vector<std::string> next;
  bool agreed = has("agreed") || has("packet-sent");
  if (!agreed) next = {"agreed", "declined"};
  else if (!has("packet-sent")) next.push_back("packet-sent");
  next.push_back("reminded");
  if (agreed) next.push_back("uploaded");
  return next;
}

}  // namespace

StatusReport build_status(const Model& model, Date today) {
  StatusReport report;
  report.today = today;
  report.applicant = model.settings.applicant.name;
  report.cycle = model.settings.cycle;
  report.findings = run_audit(model, today);
  AuditCounts counts = count(report.findings);
  report.errors = counts.errors;
  report.warnings = counts.warnings;
  report.infos = counts.infos;
  report.deadlines = derive_deadlines(model, today);
  // Deadlines are sorted by date: the first open one of a letter is its next step.
  std::map<std::string, const Deadline*> next_of_letter;
  for (const auto& d : report.deadlines) {
    if (d.state == DeadlineState::done) continue;
    if (report.next_deadlines.size() < 5) report.next_deadlines.push_back(d);
    if (!d.letter.empty()) next_of_letter.emplace(d.letter, &d);
  }
  for (const auto& [id, letter] : model.letters) {
    LetterFacts f = facts_of(model, letter);
    LetterRow row;
    row.letter = id;
    row.writer = writer_label(f);
    row.specialty = f.writer ? f.writer->specialty : "";
    row.us = f.us;
    row.status = status_name(letter.status);
    row.next_events = next_events(letter, today, model.settings);
    if (auto next = next_of_letter.find(id); next != next_of_letter.end()) {
      row.next_action = next->second->title;
      row.due = next->second->date;
      row.due_state = next->second->state;
    }
    report.letters.push_back(std::move(row));
  }
  return report;
}

nlohmann::json to_json(const StatusReport& r, size_t top_findings) {
  auto letters = nlohmann::json::array();
  for (const auto& row : r.letters)
    letters.push_back({{"letter", row.letter},
                       {"writer", row.writer},
                       {"specialty", row.specialty},
                       {"origin", row.us ? "us" : "home"},
                       {"status", row.status},
                       {"next_events", row.next_events},
                       {"next_action", row.next_action.empty() ? nlohmann::json() : nlohmann::json(row.next_action)},
                       {"due", row.due ? nlohmann::json(format_date(*row.due)) : nlohmann::json()},
                       {"due_state", row.due_state ? nlohmann::json(state_name(*row.due_state)) : nlohmann::json()}});
  auto deadlines = nlohmann::json::array();
  for (const auto& d : r.next_deadlines) deadlines.push_back(to_json(d));
  auto findings = nlohmann::json::array();
  for (size_t i = 0; i < r.findings.size() && i < top_findings; ++i) findings.push_back(to_json(r.findings[i]));
  return {{"today", format_date(r.today)},
          {"applicant", r.applicant},
          {"cycle", r.cycle},
          {"readiness", {{"ready", r.errors == 0}, {"errors", r.errors}, {"warnings", r.warnings}, {"infos", r.infos}}},
          {"letters", letters},
          {"next_deadlines", deadlines},
          {"top_findings", findings}};
}

}  // namespace lorsync
