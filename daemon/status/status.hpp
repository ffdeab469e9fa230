// status/status: the one-screen summary of a plan: who and which cycle,
// readiness, each letter's status and next step, the next deadlines, the top
// findings. The CLI renders it; the API will serve the same data.
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
  std::string next_action;  // empty when nothing is left to do
  std::optional<Date> due;
  std::optional<DeadlineState> due_state;
};

struct StatusReport {
  Date today;
  std::string applicant;
  int cycle = 0;
  int errors = 0, warnings = 0, infos = 0;
  std::vector<LetterRow> letters;
  std::vector<Deadline> next_deadlines;  // the next five not done
  std::vector<Finding> findings;         // all, most serious first
  std::vector<Deadline> deadlines;       // all
};

StatusReport build_status(const Model& model, Date today);

nlohmann::json to_json(const StatusReport& report, size_t top_findings = 5);

}  // namespace lorsync
