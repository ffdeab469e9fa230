// rules/program_fit: what a program asks of the letters assigned to it (its
// own requirements, else the plan's policy; never more than ERAS's 4), and
// whether a set of letters meets it. Shared by the audit, `programs` and `assign`.
#pragma once

#include "model/entities.hpp"

#include <string>
#include <vector>

namespace lorsync {

inline constexpr int kErasLettersPerProgram = 4;

struct EffectiveRequirements {
  int letters_min = 3, letters_max = 4, pmr_letters_min = 2;
};
EffectiveRequirements requirements_of(const Program& program, const Policy& policy);

// Plain-words problems of assigning `letter_ids` to `program`; empty when it fits.
std::vector<std::string> assignment_problems(const Model& model, const Program& program,
                                             const std::vector<std::string>& letter_ids);

// Whether the program sponsors the applicant's visa: nullopt when unknown or not needed.
std::optional<bool> sponsors_visa(const Program& program, const Applicant& applicant);

// Whether letters uploaded by programs_review arrive before the program's deadline.
bool deadline_before_review(const Program& program, const Settings& settings);

}  // namespace lorsync
