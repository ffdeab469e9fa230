#include "status/status.hpp"

#include "deadlines/schedule.hpp"
#include "rules/audit.hpp"
#include "model/letter_kinds.hpp"

#include <algorithm>
#include <map>

namespace lorsync {
namespace {

// The events a letter can record from where it is, for plugins to offer one click each. A step already
// recorded is not offered again, except asking (the follow-up) and reminders; telling the writer where
// you matched waits for Match Day.
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
  bool agreed = has("agreed") || has("packet-sent");
  if (!agreed) return {"agreed", "declined", "asked"};  // asking again is the follow-up
  std::vector<std::string> next;
  if (!has("packet-sent")) next.push_back("packet-sent");
  next.push_back("reminded");
  next.push_back("uploaded");
  return next;
}

}  // namespace

namespace {

// Uploaded, on track, or neither, for each active letter; see LetterCounts.
struct LetterStanding {
  bool uploaded = false, on_track = false;
};

std::map<std::string, LetterStanding> standing_of_letters(const Model& model, const std::vector<Deadline>& deadlines,
                                                          Date today) {
  std::map<std::string, LetterStanding> standing;
  const bool open = !season_over(model.settings, today);
  for (const auto& [id, letter] : model.letters) {
    if (!letter.active()) continue;
    bool uploaded = letter.first("uploaded") != nullptr;
    bool time_left = days_between(today, letter_due(model, letter).date) > kDueSoonDays;
    standing[id] = LetterStanding{uploaded, open && !uploaded && time_left};
  }
  for (const auto& d : deadlines)
    if (d.state == DeadlineState::overdue && standing.count(d.letter)) standing[d.letter].on_track = false;
  return standing;
}

LetterCounts count_letters(const std::vector<std::string>& letters, int needed,
                           const std::map<std::string, LetterStanding>& standing) {
  LetterCounts counts;
  counts.needed = needed;
  for (const auto& id : letters) {
    auto found = standing.find(id);
    if (found == standing.end()) {
      counts.late.push_back(id);  // declined, or not in the plan: programs will not see a letter
      continue;
    }
    counts.uploaded += found->second.uploaded ? 1 : 0;
    counts.on_track += found->second.on_track ? 1 : 0;
    if (!found->second.uploaded && !found->second.on_track) counts.late.push_back(id);
  }
  return counts;
}

}  // namespace

StatusReport build_status(const Model& model, Date today) {
  StatusReport report;
  report.today = today;
  report.applicant = model.settings.applicant.name;
  report.cycle = model.settings.cycle;
  report.season_over = season_over(model.settings, today);
  report.findings = run_audit(model, today);
  AuditCounts counts = count(report.findings);
  report.errors = counts.errors;
  report.warnings = counts.warnings;
  report.infos = counts.infos;
  report.deadlines = derive_deadlines(model, today);
  std::map<std::string, const Deadline*> next_of_letter;
  for (const auto& d : report.deadlines) {
    if (d.state == DeadlineState::done) continue;
    if (report.next_deadlines.size() < 5) report.next_deadlines.push_back(d);
    if (d.next_step) next_of_letter.emplace(d.letter, &d);
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
      row.next_step = next->second->kind;
      row.next_action = next->second->title;
      row.due = next->second->date;
      row.due_state = next->second->state;
    }
    report.letters.push_back(std::move(row));
  }

  auto standing = standing_of_letters(model, report.deadlines, today);
  std::vector<std::string> active;
  for (const auto& [id, s] : standing) active.push_back(id);
  const Policy& policy = model.settings.policy;
  report.letters_in_hand = count_letters(active, policy.letters_min, standing);
  bool programs_ready = true;
  for (const auto& [id, program] : model.programs) {
    ProgramReadiness p;
    p.program = id;
    p.name = program.name;
    p.assigned = !program.letters.empty();
    int needed = program.requires_.letters_min.value_or(policy.letters_min);
    if (p.assigned) {
      p.letters = count_letters(program.letters, std::max(needed, static_cast<int>(program.letters.size())), standing);
      p.ready = p.letters.late.empty() && p.letters.enough();
    } else {
      p.letters = count_letters(active, needed, standing);
      p.ready = p.letters.enough();
      p.letters.late.clear();  // no letter is promised to a program that has none assigned
    }
    programs_ready = programs_ready && p.ready;
    report.programs.push_back(std::move(p));
  }
  report.ready = !report.season_over && report.errors == 0 && report.letters_in_hand.enough() && programs_ready;
  return report;
}

nlohmann::json to_json(const LetterCounts& c) {
  return {{"uploaded", c.uploaded}, {"on_track", c.on_track}, {"needed", c.needed}, {"late", c.late}};
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
                       {"next_step", row.next_step.empty() ? nlohmann::json() : nlohmann::json(row.next_step)},
                       {"next_action", row.next_action.empty() ? nlohmann::json() : nlohmann::json(row.next_action)},
                       {"due", row.due ? nlohmann::json(format_date(*row.due)) : nlohmann::json()},
                       {"due_state", row.due_state ? nlohmann::json(state_name(*row.due_state)) : nlohmann::json()}});
  auto deadlines = nlohmann::json::array();
  for (const auto& d : r.next_deadlines) deadlines.push_back(to_json(d));
  auto programs = nlohmann::json::array();
  for (const auto& p : r.programs)
    programs.push_back({{"program", p.program},
                        {"name", p.name},
                        {"assigned", p.assigned},
                        {"letters", to_json(p.letters)},
                        {"ready", p.ready}});
  auto findings = nlohmann::json::array();
  for (size_t i = 0; i < r.findings.size() && i < top_findings; ++i) findings.push_back(to_json(r.findings[i]));
  return {{"today", format_date(r.today)},
          {"applicant", r.applicant},
          {"cycle", r.cycle},
          {"season_over", r.season_over},
          {"readiness",
           {{"ready", r.ready},
            {"errors", r.errors},
            {"warnings", r.warnings},
            {"infos", r.infos},
            {"letters", to_json(r.letters_in_hand)},
            {"programs", programs}}},
          {"letters", letters},
          {"next_deadlines", deadlines},
          {"top_findings", findings}};
}

}  // namespace lorsync
