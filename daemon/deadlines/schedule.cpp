#include "deadlines/schedule.hpp"

#include "model/letter_kinds.hpp"

#include <algorithm>

namespace lorsync {

LetterDue letter_due(const Model& model, const Letter& letter) {
  LetterDue due{model.settings.programs_review, nullptr};
  for (const auto& [id, program] : model.programs) {
    if (!program.deadline || *program.deadline >= due.date) continue;
    if (std::find(program.letters.begin(), program.letters.end(), letter.id) == program.letters.end()) continue;
    due = LetterDue{*program.deadline, &program};
  }
  return due;
}

AskWindow ask_window(const Rotation& rotation, const Policy& policy) {
  return AskWindow{add_days(rotation.end, -6), rotation.end, add_days(rotation.end, policy.ask_window_days)};
}

AskDate ask_date(const Model& model, const Letter& letter) {
  LetterFacts facts = facts_of(model, letter);
  if (facts.rotation && !facts.longitudinal()) {
    AskWindow window = ask_window(*facts.rotation, model.settings.policy);
    return AskDate{window.ideal, window};
  }
  const Policy& policy = model.settings.policy;
  int first_lead = policy.reminder_lead_days.empty() ? 0 : policy.reminder_lead_days.front();
  int lead = first_lead + policy.packet_days + policy.follow_up_days;
  return AskDate{add_days(letter_due(model, letter).date, -lead), std::nullopt};
}

bool asked_in_person_only(const Letter& letter) {
  const LetterEventRecord* last = letter.last("asked");
  return last && last->via == "in-person";
}

std::optional<Date> follow_up_due(const Letter& letter, const Policy& policy) {
  const LetterEventRecord* last = letter.last("asked");
  if (!last || letter.first("agreed") || letter.first("declined") || letter.first("packet-sent") ||
      letter.first("uploaded"))
    return std::nullopt;
  return add_days(last->date, asked_in_person_only(letter) ? 1 : policy.follow_up_days);
}

std::optional<Date> packet_due(const Letter& letter, const Policy& policy) {
  const LetterEventRecord* agreed = letter.first("agreed");
  if (!agreed) return std::nullopt;
  return add_days(agreed->date, policy.packet_days);
}

std::vector<ReminderDate> reminder_dates(Date due, const Policy& policy) {
  std::vector<ReminderDate> out;
  for (int lead : policy.reminder_lead_days)  // sorted longest lead first
    out.push_back(ReminderDate{lead, add_days(due, -lead)});
  return out;
}

int reminders_due(Date due, const Policy& policy, Date today) {
  auto dates = reminder_dates(due, policy);
  return static_cast<int>(std::count_if(dates.begin(), dates.end(), [&](const auto& r) { return r.date <= today; }));
}

int reminders_sent(const Letter& letter, Date due, const Policy& policy) {
  auto dates = reminder_dates(due, policy);
  if (dates.empty()) return 0;
  return static_cast<int>(std::count_if(letter.events.begin(), letter.events.end(), [&](const auto& e) {
    return e.event == "reminded" && dates.front().date <= e.date;
  }));
}

std::optional<Date> thank_due(const Letter& letter) {
  const LetterEventRecord* uploaded = letter.first("uploaded");
  if (!uploaded) return std::nullopt;
  return add_days(uploaded->date, kThankWithinDays);
}

Date share_match_due(const Settings& settings) { return add_days(settings.match_day, kShareMatchWithinDays); }

bool season_over(const Settings& settings, Date today) { return today > settings.match_day; }

namespace {
constexpr std::pair<LetterStep, const char*> kStepNames[] = {
    {LetterStep::ask, "ask"},       {LetterStep::follow_up, "follow-up"}, {LetterStep::packet, "packet"},
    {LetterStep::remind, "remind"}, {LetterStep::upload, "upload"},       {LetterStep::thank, "thank"},
    {LetterStep::share_match, "share-match"},
};
}  // namespace

const char* step_name(LetterStep step) {
  for (const auto& [value, name] : kStepNames)
    if (value == step) return name;
  return "";
}

std::optional<LetterStep> parse_step(const std::string& name) {
  for (const auto& [value, step_text] : kStepNames)
    if (name == step_text) return value;
  return std::nullopt;
}

std::optional<LetterStep> next_step(const Model& model, const Letter& letter, Date today) {
  auto has = [&letter](const char* event) { return letter.first(event) != nullptr; };
  if (!letter.active()) return std::nullopt;
  if (has("uploaded")) {
    if (!has("thanked")) return LetterStep::thank;
    if (!has("match-shared")) return LetterStep::share_match;
    return std::nullopt;
  }
  if (season_over(model.settings, today)) return std::nullopt;
  switch (letter.status) {
    case LetterStatus::planned: return LetterStep::ask;
    case LetterStatus::asked: return LetterStep::follow_up;
    case LetterStatus::agreed: return LetterStep::packet;
    case LetterStatus::packet_sent: return LetterStep::remind;
    default: break;
  }
  const Policy& policy = model.settings.policy;
  Date due = letter_due(model, letter).date;
  bool reminder_owed = reminders_sent(letter, due, policy) < reminders_due(due, policy, today);
  return reminder_owed ? LetterStep::remind : LetterStep::upload;
}

}  // namespace lorsync
