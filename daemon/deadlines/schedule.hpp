// deadlines/schedule: the dates the letter strategy implies, computed in one
// place for the deadline list, the audit rules, the status and the drafts
// alike: when a letter is due, when to ask, follow up, send the packet,
// remind, thank and share the match result, and which of these is a letter's
// next step on a given day.
#pragma once

#include "common/date.hpp"
#include "model/entities.hpp"

#include <optional>
#include <vector>

namespace lorsync {

// The day a letter must be in ERAS: the earlier of programs_review and the deadlines of the programs it
// is assigned to (the earliest such program is named).
struct LetterDue {
  Date date;
  const Program* program = nullptr;  // the program whose deadline sets the date; null: programs_review does
};
LetterDue letter_due(const Model& model, const Letter& letter);

// When to ask for a letter about a rotation: the guide's "toward the final week of the rotation", ideally
// on its last day, and at the latest `ask_window_days` after it ends.
struct AskWindow {
  Date opens;   // the first day of the rotation's final week
  Date ideal;   // the rotation's last day
  Date closes;  // ask_window_days after the rotation ends
};
AskWindow ask_window(const Rotation& rotation, const Policy& policy);

// When to ask, whatever the letter: its rotation's window (ask by its last day), or, for a mentor of
// long standing or a letter without a rotation, early enough for the follow-up, the packet and the first
// reminder to come before the letter is due.
struct AskDate {
  Date by;
  std::optional<AskWindow> window;
};
AskDate ask_date(const Model& model, const Letter& letter);

// The day to follow up on a request with no answer yet (asked, neither agreed nor declined): the day
// after an in-person ask (the request goes out by email), else follow_up_days after the last ask.
std::optional<Date> follow_up_due(const Letter& letter, const Policy& policy);
// Whether the last request was made in person and still needs its email.
bool asked_in_person_only(const Letter& letter);

// The day the packet should have been sent, once the writer agreed.
std::optional<Date> packet_due(const Letter& letter, const Policy& policy);

struct ReminderDate {
  int lead_days;
  Date date;
};
// One reminder per reminder_lead_days before the letter's due date, earliest first.
std::vector<ReminderDate> reminder_dates(Date due, const Policy& policy);
// How many reminders are due by `today`, and how many were sent since the first one fell due.
int reminders_due(Date due, const Policy& policy, Date today);
int reminders_sent(const Letter& letter, Date due, const Policy& policy);

inline constexpr int kThankWithinDays = 7;       // thank a writer within a week of the upload
inline constexpr int kShareMatchWithinDays = 7;  // tell writers where you matched within a week

std::optional<Date> thank_due(const Letter& letter);
Date share_match_due(const Settings& settings);

// After Match Day the application is over: only thanking and sharing the result remain.
bool season_over(const Settings& settings, Date today);

// A step in a letter's life, as the guide tells it. Its name is the deadline's kind and the draft's step.
enum class LetterStep { ask, follow_up, packet, remind, upload, thank, share_match };
const char* step_name(LetterStep step);  // ask | follow-up | packet | remind | upload | thank | share-match
std::optional<LetterStep> parse_step(const std::string& name);

// What the applicant does next for this letter on `today`: planned → ask; asked → follow up; agreed →
// send the packet; packet sent → remind; reminded → upload (or the next reminder once it is due);
// uploaded → thank; thanked → share the result. Nothing for a declined letter, nor, after Match Day,
// for a letter that never reached ERAS.
std::optional<LetterStep> next_step(const Model& model, const Letter& letter, Date today);

}  // namespace lorsync
