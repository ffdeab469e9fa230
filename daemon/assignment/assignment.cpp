#include "assignment/assignment.hpp"

#include "common/text.hpp"
#include "model/letter_kinds.hpp"
#include "rules/program_fit.hpp"

#include <algorithm>

namespace lorsync {
namespace {

struct Candidate {
  LetterFacts facts;
  int tier;
};

// Stronger first: the guide's tier, then a longer supervision, then letters already uploaded.
bool stronger(const Candidate& a, const Candidate& b) {
  bool a_up = a.facts.letter->first("uploaded") != nullptr, b_up = b.facts.letter->first("uploaded") != nullptr;
  return std::make_tuple(a.tier, -a.facts.weeks, !a_up, a.facts.letter->id) <
         std::make_tuple(b.tier, -b.facts.weeks, !b_up, b.facts.letter->id);
}

}  // namespace

std::vector<ChosenLetter> suggest_letters(const Model& model, const Program& program) {
  EffectiveRequirements r = requirements_of(program, model.settings.policy);
  std::vector<Candidate> candidates;
  for (const auto& [id, letter] : model.letters) {
    if (!letter.active()) continue;
    LetterFacts f = facts_of(model, letter);
    if (f.writer) candidates.push_back(Candidate{f, letter_tier(f)});
  }
  std::sort(candidates.begin(), candidates.end(), stronger);
  std::vector<const Candidate*> chosen;
  // PM&R letters first, up to what the program requires; then the strongest of the rest.
  for (const auto& c : candidates)
    if (c.facts.pmr && static_cast<int>(chosen.size()) < std::min(r.pmr_letters_min, r.letters_max)) chosen.push_back(&c);
  for (const auto& c : candidates) {
    if (static_cast<int>(chosen.size()) >= r.letters_max) break;
    if (std::find(chosen.begin(), chosen.end(), &c) == chosen.end()) chosen.push_back(&c);
  }
  std::sort(chosen.begin(), chosen.end(), [](const Candidate* a, const Candidate* b) { return stronger(*a, *b); });
  std::vector<ChosenLetter> out;
  for (const Candidate* c : chosen)
    out.push_back(ChosenLetter{c->facts.letter->id, writer_label(c->facts) + ": " + tier_reason(c->facts)});
  return out;
}

ProgramReport report_program(const Model& model, const Program& program) {
  ProgramReport report;
  report.id = program.id;
  report.name = program.name;
  report.assigned = program.letters;
  if (!program.letters.empty()) report.assigned_problems = assignment_problems(model, program, program.letters);
  report.sponsors_visa = sponsors_visa(program, model.settings.applicant);
  report.deadline = program.deadline;
  report.deadline_ok = !deadline_before_review(program, model.settings);
  report.suggestion = suggest_letters(model, program);
  std::vector<std::string> ids;
  for (const auto& chosen : report.suggestion) ids.push_back(chosen.letter);
  report.suggestion_problems = assignment_problems(model, program, ids);
  return report;
}

std::vector<ProgramReport> report_programs(const Model& model) {
  std::vector<ProgramReport> reports;
  for (const auto& [id, program] : model.programs) reports.push_back(report_program(model, program));
  return reports;
}

nlohmann::json to_json(const ProgramReport& r) {
  auto suggestion = nlohmann::json::array();
  for (const auto& c : r.suggestion) suggestion.push_back({{"letter", c.letter}, {"reason", c.reason}});
  return {{"id", r.id},
          {"name", r.name},
          {"assigned", r.assigned},
          {"assigned_fits", !r.assigned.empty() && r.assigned_problems.empty()},
          {"assigned_problems", r.assigned_problems},
          {"sponsors_visa", r.sponsors_visa ? nlohmann::json(*r.sponsors_visa) : nlohmann::json()},
          {"deadline", r.deadline ? nlohmann::json(format_date(*r.deadline)) : nlohmann::json()},
          {"deadline_ok", r.deadline_ok},
          {"suggestion", suggestion},
          {"suggestion_problems", r.suggestion_problems}};
}

AssignmentCheck check_assignment(const Model& model, const std::string& program_id,
                                 const std::vector<std::string>& letters, bool force) {
  AssignmentCheck check;
  auto program = model.programs.find(program_id);
  if (program == model.programs.end()) {
    std::vector<std::string> ids;
    for (const auto& [id, p] : model.programs) ids.push_back(id);
    check.refusal = make_error(ErrorCode::not_found, "no programs/" + program_id + ".md" + did_you_mean(program_id, ids));
    return check;
  }
  if (static_cast<int>(letters.size()) > kErasLettersPerProgram) {
    check.refusal = make_error(ErrorCode::usage, "ERAS allows at most 4 letters per program; you named " +
                                                     std::to_string(letters.size()));
    return check;
  }
  check.problems = assignment_problems(model, program->second, letters);
  if (!check.problems.empty() && !force)
    check.refusal = make_error(ErrorCode::usage, "this assignment does not meet " + program->second.name +
                                                     "'s requirements: " + join(check.problems, "; ") +
                                                     " (--force, or force: true in the API, records it anyway)");
  return check;
}

}  // namespace lorsync
