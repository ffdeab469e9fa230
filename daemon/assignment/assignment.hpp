// assignment/assignment: which letters go to which program. For each program:
// whether its assigned letters fit, whether it sponsors the applicant's visa,
// whether its deadline can be met, and the strongest set of at most 4 letters
// that meets its requirements, in the guide's order, each choice explained.
#pragma once

#include "common/diagnostic.hpp"
#include "model/entities.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lorsync {

struct ChosenLetter {
  std::string letter;
  std::string reason;  // one line: why this letter
};

struct ProgramReport {
  std::string id, name;
  std::vector<std::string> assigned;
  std::vector<std::string> assigned_problems;  // empty: the assignment fits
  std::optional<bool> sponsors_visa;           // nullopt: unknown or not needed
  bool deadline_ok = true;
  std::optional<Date> deadline;
  std::vector<ChosenLetter> suggestion;
  std::vector<std::string> suggestion_problems;  // what even the best set cannot meet
};

// The strongest set of active letters for `program` (at most its maximum, never over 4).
std::vector<ChosenLetter> suggest_letters(const Model& model, const Program& program);

ProgramReport report_program(const Model& model, const Program& program);
std::vector<ProgramReport> report_programs(const Model& model);

nlohmann::json to_json(const ProgramReport& report);

// Whether `letters` may be recorded as the program's assignment. A refusal when the program is
// unknown, when there are more letters than ERAS takes, or (unless forced) when they break the
// program's requirements; `problems` says which requirements, also when force let them through.
// `lorsync assign` and the API's programs.assign both decide with it.
struct AssignmentCheck {
  std::optional<Error> refusal;
  std::vector<std::string> problems;
};
AssignmentCheck check_assignment(const Model& model, const std::string& program_id,
                                 const std::vector<std::string>& letters, bool force);

}  // namespace lorsync
