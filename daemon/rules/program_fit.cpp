#include "rules/program_fit.hpp"
#include "common/text.hpp"

#include "model/letter_kinds.hpp"

#include <algorithm>

namespace lorsync {

EffectiveRequirements requirements_of(const Program& program, const Policy& policy) {
  EffectiveRequirements r;
  r.letters_min = program.requires_.letters_min.value_or(policy.letters_min);
  r.letters_max = std::min(program.requires_.letters_max.value_or(policy.letters_max), kErasLettersPerProgram);
  r.pmr_letters_min = program.requires_.pmr_letters_min.value_or(policy.pmr_letters_min);
  return r;
}

std::vector<std::string> assignment_problems(const Model& model, const Program& program,
                                             const std::vector<std::string>& letter_ids) {
  std::vector<std::string> problems;
  EffectiveRequirements r = requirements_of(program, model.settings.policy);
  if (static_cast<int>(letter_ids.size()) > kErasLettersPerProgram)
    problems.push_back(std::to_string(letter_ids.size()) + " letters assigned; ERAS allows at most 4 per program");
  int active = 0, pmr = 0;
  for (const auto& id : letter_ids) {
    auto found = model.letters.find(id);
    if (found == model.letters.end()) {
      problems.push_back("no letter " + id);
      continue;
    }
    if (!found->second.active()) {
      problems.push_back(id + " was declined");
      continue;
    }
    ++active;
    pmr += facts_of(model, found->second).pmr ? 1 : 0;
  }
  if (active < r.letters_min)
    problems.push_back(count_of(active, "usable letter") + " assigned; it requires " +
                       std::to_string(r.letters_min));
  else if (active > r.letters_max && static_cast<int>(letter_ids.size()) <= kErasLettersPerProgram)
    problems.push_back(std::to_string(active) + " letters assigned; it accepts at most " + std::to_string(r.letters_max));
  if (pmr < r.pmr_letters_min)
    problems.push_back(count_of(pmr, "PM&R letter") + " assigned; it requires " +
                       std::to_string(r.pmr_letters_min));
  return problems;
}

std::optional<bool> sponsors_visa(const Program& program, const Applicant& applicant) {
  if (applicant.visa != "j1" && applicant.visa != "h1b") return std::nullopt;
  if (!program.visa) return std::nullopt;
  return std::find(program.visa->begin(), program.visa->end(), applicant.visa) != program.visa->end();
}

bool deadline_before_review(const Program& program, const Settings& settings) {
  return program.deadline && *program.deadline < settings.programs_review;
}

}  // namespace lorsync
