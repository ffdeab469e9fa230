// status/status: the one-screen summary of a plan: who and which cycle,
// readiness (letters in hand against what programs need), each letter's
// status and next step, the next deadlines, the top findings. The CLI renders
// it; the API serves the same data.
#pragma once

#include "deadlines/deadlines.hpp"
#include "model/entities.hpp"
#include "rules/finding.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lorsync {

struct LetterRow {
  std::string letter, writer, specialty;
  bool us = false;
  std::string status;
  std::vector<std::string> next_events;  // the events that can sensibly be recorded next
  std::string next_step;    // the step's name (deadlines/schedule); empty when nothing is left to do
  std::string next_action;  // the step in words
  std::optional<Date> due;
  std::optional<DeadlineState> due_state;
};

// Letters in hand: uploaded, or on track (nothing late and more than kDueSoonDays before the letter is due).
struct LetterCounts {
  int uploaded = 0, on_track = 0, needed = 0;
  std::vector<std::string> late;  // letters the count needs that are neither uploaded nor on track
  bool enough() const { return uploaded + on_track >= needed; }
};

struct ProgramReadiness {
  std::string program, name;
  bool assigned = false;  // counts its assigned letters; otherwise the plan's best active letters
  LetterCounts letters;
  bool ready = false;
};

struct StatusReport {
  Date today;
  std::string applicant;
  int cycle = 0;
  bool season_over = false;  // Match Day has passed
  bool ready = false;        // see docs/rules.md, "Readiness"
  LetterCounts letters_in_hand;  // overall, against letters_min
  std::vector<ProgramReadiness> programs;
  int errors = 0, warnings = 0, infos = 0;
  std::vector<LetterRow> letters;
  std::vector<Deadline> next_deadlines;  // the next five not done
  std::vector<Finding> findings;         // all, most serious first
  std::vector<Deadline> deadlines;       // all
};

StatusReport build_status(const Model& model, Date today);

nlohmann::json to_json(const LetterCounts& counts);
nlohmann::json to_json(const StatusReport& report, size_t top_findings = 5);

}  // namespace lorsync
