#include "deadlines/schedule.hpp"

namespace lorsync {

AskWindow ask_window(const Rotation& rotation, const Policy& policy) {
  return AskWindow{add_days(rotation.end, -6), add_days(rotation.end, policy.ask_window_days), rotation.end};
}

std::optional<Date> packet_due(const Letter& letter, const Policy& policy) {
  const LetterEventRecord* agreed = letter.first("agreed");
  if (!agreed) return std::nullopt;
  return add_days(agreed->date, policy.packet_days);
}

std::vector<ReminderDate> reminder_dates(const Settings& settings) {
  std::vector<ReminderDate> out;
  for (int lead : settings.policy.reminder_lead_days)  // sorted longest lead first
    out.push_back(ReminderDate{lead, add_days(settings.programs_review, -lead)});
  return out;
}

int reminders_due(const Settings& settings, Date today) {
  int due = 0;
  for (const auto& reminder : reminder_dates(settings)) due += reminder.date <= today ? 1 : 0;
  return due;
}

int reminders_sent(const Letter& letter, const Settings& settings) {
  auto dates = reminder_dates(settings);
  if (dates.empty()) return 0;
  int sent = 0;
  for (const auto& e : letter.events) sent += (e.event == "reminded" && dates.front().date <= e.date) ? 1 : 0;
  return sent;
}

std::optional<Date> thank_due(const Letter& letter) {
  const LetterEventRecord* uploaded = letter.first("uploaded");
  if (!uploaded) return std::nullopt;
  return add_days(uploaded->date, kThankWithinDays);
}

Date share_match_due(const Settings& settings) { return add_days(settings.match_day, kShareMatchWithinDays); }

}  // namespace lorsync
