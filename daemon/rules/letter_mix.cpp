// Rules about the set of letters: how many, from whom, from where.
#include "rules/audit.hpp"
#include "common/text.hpp"
#include "model/letter_kinds.hpp"

namespace lorsync {
namespace {

std::vector<LetterFacts> active_letters(const Model& model) {
  std::vector<LetterFacts> out;
  for (const auto& [id, letter] : model.letters)
    if (letter.active()) out.push_back(facts_of(model, letter));
  return out;
}

SourceRef plan_ref(const AuditContext& c, std::vector<std::string> field) { return ref_to(c.model.settings.document, field); }

}  // namespace

void check_letters_total(const AuditContext& c, FindingSink& out) {
  const Policy& policy = c.model.settings.policy;
  int active = static_cast<int>(active_letters(c.model).size());
  if (active < policy.letters_min)
    out.add(Severity::error,
            "You have " + count_of(active, "active letter") + "; programs expect " +
                std::to_string(policy.letters_min) + " to " + std::to_string(policy.letters_max) + ".",
            "Add " + std::to_string(policy.letters_min - active) +
                " more: ask a PM&R attending who supervised you, then a US clinician from a related specialty.",
            {plan_ref(c, {"policy"})});
  else if (active > policy.letters_max)
    out.add(Severity::info,
            "You have " + std::to_string(active) + " active letters; each program receives at most " +
                std::to_string(policy.letters_max) + ".",
            "Choose the strongest " + std::to_string(policy.letters_max) + " for each program (" + kSuggestLettersCommand +
                " suggests them).",
            {plan_ref(c, {"policy"})}, std::nullopt, {kSuggestLettersCommand});
}

void check_pmr_letters(const AuditContext& c, FindingSink& out) {
  int pmr = 0;
  for (const auto& f : active_letters(c.model)) pmr += f.pmr ? 1 : 0;
  int wanted = c.model.settings.policy.pmr_letters_min;
  if (pmr == 0)
    out.add(Severity::error, "None of your letters is from a PM&R physician; programs may doubt your commitment to PM&R.",
            "Ask a PM&R attending who supervised you on an inpatient rehab or consult rotation.", {plan_ref(c, {"policy"})});
  else if (pmr < wanted)
    out.add(Severity::warning,
            "You have " + count_of(pmr, "PM&R letter") + "; aim for at least " +
                std::to_string(wanted) + ".",
            "Ask another PM&R attending, ideally from a different setting (inpatient, consult or outpatient).",
            {plan_ref(c, {"policy"})});
}

void check_us_pmr_letter(const AuditContext& c, FindingSink& out) {
  if (!c.model.settings.applicant.non_us_img()) return;
  for (const auto& f : active_letters(c.model))
    if (f.us && f.pmr) return;
  out.add(Severity::error, "You have no letter from a US PM&R physician; program directors look for at least one.",
          "Plan a US PM&R rotation (hands-on if you can) and ask the attending who supervises you in its final week.",
          {plan_ref(c, {"applicant", "citizenship"})});
}

void check_us_clinical_letter(const AuditContext& c, FindingSink& out) {
  if (!c.model.settings.applicant.non_us_img()) return;
  for (const auto& f : active_letters(c.model))
    if (f.us && f.clinical) return;
  out.add(Severity::error, "You have no letter from a US clinician; programs want to know how you work in a US clinical team.",
          "Ask a US attending who supervised your clinical work (PM&R or a related specialty).",
          {plan_ref(c, {"applicant", "citizenship"})});
}

void check_letter_relevance(const AuditContext& c, FindingSink& out) {
  for (const auto& f : active_letters(c.model)) {
    if (!f.writer || f.pmr || f.related || f.research) continue;
    out.add(Severity::warning,
            writer_label(f) + " (" + f.writer->specialty + ") is outside PM&R and its related specialties.",
            "Keep this letter only if it speaks to your clinical skills; prefer PM&R, neurology, orthopedics, internal "
            "or family medicine, neurosurgery or a research mentor.",
            {ref_to(f.letter->document, {"writer"}), ref_to(f.writer->document, {"specialty"})});
  }
}

void check_home_country_supplement(const AuditContext& c, FindingSink& out) {
  std::vector<LetterFacts> home;
  bool us_pmr = false;
  for (const auto& f : active_letters(c.model)) {
    if (f.writer && !f.us) home.push_back(f);
    us_pmr = us_pmr || (f.us && f.pmr);
  }
  if (home.size() > 1) {
    std::vector<SourceRef> refs;
    for (const auto& f : home) refs.push_back(ref_to(f.letter->document, {"writer"}));
    out.add(Severity::warning,
            "You have " + count_of(home.size(), "home-country letter") + "; programs weigh US letters more.",
            "Keep at most one home-country letter, from a PM&R mentor who knows you over years.", refs);
  } else if (home.size() == 1 && !us_pmr) {
    out.add(Severity::warning,
            "The home-country letter from " + writer_label(home[0]) + " stands in for a US PM&R letter.",
            "Use it as a supplement only: get a US PM&R letter first.", {ref_to(home[0].letter->document, {"writer"})});
  }
}

}  // namespace lorsync
