// deadlines/schedule: the dates the letter strategy implies, computed in one
// place for the deadline list and the audit rules alike: when to ask, send
// the packet, remind, upload, thank, and share the match result.
#pragma once

#include "common/date.hpp"
#include "model/entities.hpp"

#include <optional>
#include <vector>

namespace lorsync {

struct AskWindow {
  Date opens;   // the first day of the rotation's final week
  Date closes;  // ask_window_days after the rotation ends
  Date rotation_end;
};
// The window to ask for a letter about `rotation`.
AskWindow ask_window(const Rotation& rotation, const Policy& policy);

// The day the packet should have been sent, once the writer agreed.
std::optional<Date> packet_due(const Letter& letter, const Policy& policy);

struct ReminderDate {
  int lead_days;
  Date date;
};
// One reminder per reminder_lead_days before programs_review, earliest first.
std::vector<ReminderDate> reminder_dates(const Settings& settings);
// How many reminders are due by `today` and how many were sent since the first was due.
int reminders_due(const Settings& settings, Date today);
int reminders_sent(const Letter& letter, const Settings& settings);

inline constexpr int kThankWithinDays = 7;         // thank a writer within a week of the upload
inline constexpr int kThankOverdueDays = 14;       // the audit speaks up after two weeks
inline constexpr int kShareMatchWithinDays = 7;    // tell writers where you matched within a week

std::optional<Date> thank_due(const Letter& letter);
Date share_match_due(const Settings& settings);

}  // namespace lorsync
