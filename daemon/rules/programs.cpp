// Rules about programs: assigned letters, deadlines, visa sponsorship.
#include "rules/audit.hpp"
#include "rules/program_fit.hpp"

#include <algorithm>

namespace lorsync {

void check_program_requirements(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, program] : c.model.programs) {
    if (program.letters.empty()) {
      if (c.today < c.model.settings.eras_submit) continue;  // assigning comes with submitting
      out.add(Severity::error, program.name + " has no letters assigned, and you planned to submit on " +
                                   format_date(c.model.settings.eras_submit) + ".",
              "Assign letters: lorsync programs shows a suggestion, lorsync assign " + id + " LETTER... records it.",
              {ref_to(program.document, {"name"})});
      continue;
    }
    auto problems = assignment_problems(c.model, program, program.letters);
    if (problems.empty()) continue;
    std::string text;
    for (size_t i = 0; i < problems.size(); ++i) text += (i ? "; " : "") + problems[i];
    out.add(Severity::error, program.name + ": " + text + ".",
            "Change the letters assigned to " + program.name + " (lorsync programs suggests a set that fits).",
            {ref_to(program.document, {"letters"})});
  }
}

void check_program_deadline(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, program] : c.model.programs) {
    if (!deadline_before_review(program, c.model.settings)) continue;
    bool all_uploaded = !program.letters.empty() &&
                        std::all_of(program.letters.begin(), program.letters.end(), [&](const std::string& id) {
                          auto letter = c.model.letters.find(id);
                          return letter != c.model.letters.end() && letter->second.first("uploaded");
                        });
    if (all_uploaded) continue;  // its letters are in already
    out.add(Severity::warning,
            program.name + "'s deadline (" + format_date(*program.deadline) +
                ") is before your letters are due to be uploaded (" +
                format_date(c.model.settings.programs_review) + ").",
            "Ask your writers to upload before " + format_date(*program.deadline) +
                ", or assign only letters already uploaded to " + program.name + ".",
            {ref_to(program.document, {"deadline"})});
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
    out.add(Severity::warning, describe(conflict) + ".",
            std::string(both_kept ? "Keep one of the two texts" : "Check the kept value") +
                " and settle it with lorsync resolve " + conflict.path + " " + conflict.field + ".",
            {SourceRef{conflict.path, 0, 0, conflict.field}});
  }
}

}  // namespace lorsync
