// Rules about programs: assigned letters, deadlines, visa sponsorship.
#include "deadlines/deadlines.hpp"
#include "rules/audit.hpp"
#include "rules/program_fit.hpp"

#include <algorithm>

namespace lorsync {
namespace {

std::string assign_command(const std::string& program_id) { return "lorsync assign " + program_id + " LETTER..."; }

}  // namespace

void check_program_requirements(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, program] : c.model.programs) {
    if (program.letters.empty()) {
      if (c.today < c.model.settings.eras_submit) continue;  // assigning comes with submitting
      out.add(Severity::error, program.name + " has no letters assigned, and you planned to submit on " +
                                   format_date(c.model.settings.eras_submit) + ".",
              "Assign letters: " + kSuggestLettersCommand + " shows a suggestion, " + assign_command(id) + " records it.",
              {ref_to(program.document, {"name"})}, std::nullopt, {kSuggestLettersCommand, assign_command(id)});
      continue;
    }
    auto problems = assignment_problems(c.model, program, program.letters);
    if (problems.empty()) continue;
    std::string text;
    for (size_t i = 0; i < problems.size(); ++i) text += (i ? "; " : "") + problems[i];
    out.add(Severity::error, program.name + ": " + text + ".",
            "Change the letters assigned to " + program.name + " (" + kSuggestLettersCommand + " suggests a set that fits).",
            {ref_to(program.document, {"letters"})}, std::nullopt, {kSuggestLettersCommand});
  }
}

void check_program_deadline(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, program] : c.model.programs) {
    if (!deadline_before_review(program, c.model.settings) || c.today > *program.deadline) continue;
    const std::string deadline = format_date(*program.deadline);
    std::vector<SourceRef> refs = {ref_to(program.document, {"deadline"})};
    if (program.letters.empty()) {
      out.add(Severity::warning,
              program.name + "'s deadline (" + deadline + ") comes before programs review (" +
                  format_date(c.model.settings.programs_review) + "), and no letters are assigned to it yet.",
              "Assign letters that will be uploaded by " + deadline + ": " + assign_command(id), refs,
              *program.deadline, {assign_command(id)});
      continue;
    }
    std::string late = late_letters(c.model, program);
    if (late.empty()) continue;  // its letters are in already
    out.add(Severity::warning,
            program.name + "'s deadline is " + deadline + ", before programs review; not uploaded yet: " + late + ".",
            "Ask " + late + " to upload by " + deadline + ", or assign letters already uploaded to " + program.name + ".",
            refs, *program.deadline);
  }
}

void check_visa_sponsorship(const AuditContext& c, FindingSink& out) {
  const Applicant& applicant = c.model.settings.applicant;
  for (const auto& [id, program] : c.model.programs) {
    auto sponsors = sponsors_visa(program, applicant);
    if (!sponsors || *sponsors) continue;
    std::string visa = applicant.visa == "j1" ? "J-1" : "H-1B";
    out.add(Severity::warning, program.name + " does not sponsor the " + visa + " visa you need.",
            "Confirm on the program's website; if it does not sponsor " + visa + ", spend this application elsewhere.",
            {ref_to(program.document, {"visa"})});
  }
}

void check_sync_conflict(const AuditContext& c, FindingSink& out) {
  for (const auto& conflict : c.model.conflicts) {
    bool both_kept = conflict.field == "notes" || conflict.field == "text";
    const std::string resolve = "lorsync resolve " + conflict.path + " " + conflict.field;
    out.add(Severity::warning, describe(conflict) + ".",
            std::string(both_kept ? "Keep one of the two texts" : "Check the kept value") + " and settle it with " +
                resolve + ".",
            {SourceRef{conflict.path, 0, 0, conflict.field}}, std::nullopt, {resolve});
  }
}

}  // namespace lorsync
