// deadlines/deadlines: every dated step of the plan, each {id, date, kind,
// title, refs, state}, sorted by date: ask, follow up, send the packet,
// remind, upload, program deadlines, thank, share the match result. After
// Match Day only thanking and sharing the result are left.
#pragma once

#include "common/date.hpp"
#include "common/diagnostic.hpp"
#include "model/entities.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lorsync {

enum class DeadlineState { done, overdue, due_soon, upcoming };
const char* state_name(DeadlineState state);

inline constexpr int kDueSoonDays = 7;

struct Deadline {
  std::string id;     // stable: "<kind>:<entity>" (reminders: "remind-<lead>:<letter>")
  Date date;
  std::string kind;   // ask | follow-up | packet | remind | upload | program | thank | share-match
  std::string title;  // "Ask Dr. Lee for a letter"
  std::vector<SourceRef> refs;
  DeadlineState state = DeadlineState::upcoming;
  std::string letter;   // the letter it concerns, if any
  std::string program;  // the program it concerns, if any
  bool next_step = false;  // the letter's next step today (see next_step in deadlines/schedule)
};

std::vector<Deadline> derive_deadlines(const Model& model, Date today);

// What `within` DAYS keeps (the CLI's --within, deadlines.list's within): the steps not done that are overdue
// or due in at most that many days. nullopt keeps every deadline.
std::vector<Deadline> deadlines_within(std::vector<Deadline> deadlines, Date today, std::optional<int> within);

// The writers of a program's assigned letters that are not uploaded yet ("Dr. Lee, Dr. Kim"); empty when
// all are in.
std::string late_letters(const Model& model, const Program& program);

nlohmann::json to_json(const Deadline& deadline);

// An iCalendar (RFC 5545) file: one VTODO with DUE and a VALARM per deadline.
std::string to_icalendar(const std::vector<Deadline>& deadlines, Date today);

}  // namespace lorsync
