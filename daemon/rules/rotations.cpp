// Rules about rotations: enough PM&R, long enough, at the right places, in the US,
// and telling the same story as the personal statement.
#include "rules/audit.hpp"
#include "common/text.hpp"
#include "model/letter_kinds.hpp"

#include <algorithm>

namespace lorsync {
namespace {

// Whole weeks, counting a Monday-to-Friday week as one (a 4-week block may end on a Friday).
int weeks_of(const Rotation& r) { return (days_between(r.start, r.end) + 3) / 7; }

}  // namespace

void check_pmr_rotations(const AuditContext& c, FindingSink& out) {
  std::vector<const Rotation*> pmr;
  for (const auto& [id, r] : c.model.rotations)
    if (r.pmr()) pmr.push_back(&r);
  SourceRef where = ref_to(c.model.settings.document, {"specialty"});
  if (pmr.size() < 2)
    out.add(Severity::warning,
            "You have " + count_of(pmr.size(), "PM&R rotation") +
                "; two give you two PM&R letters and show steady interest.",
            "Schedule another 4-week PM&R rotation at a teaching hospital with a PM&R residency.", {where});
  if (pmr.empty()) return;
  bool inpatient = std::any_of(pmr.begin(), pmr.end(), [](const Rotation* r) { return r->setting == "inpatient-rehab"; });
  bool outpatient_or_consult = std::any_of(pmr.begin(), pmr.end(), [](const Rotation* r) {
    return r->setting == "outpatient" || r->setting == "consult";
  });
  if (!inpatient)
    out.add(Severity::info, "None of your PM&R rotations is on an inpatient rehab unit.",
            "If you can, add an inpatient rehab rotation (brain injury, spinal cord injury, stroke).", {where});
  if (!outpatient_or_consult)
    out.add(Severity::info, "None of your PM&R rotations is outpatient or consult-based.",
            "If you can, add a PM&R consult or outpatient rotation (sports, spasticity, EMG clinics).", {where});
}

void check_rotation_length(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, r] : c.model.rotations) {
    if (!r.pmr() || weeks_of(r) >= 4) continue;
    out.add(Severity::info,
            "The PM&R rotation at " + r.institution + " lasts " + std::to_string(weeks_of(r)) +
                " weeks; writers know you better after 4.",
            "Extend it to 4 weeks if the institution allows, or stay in touch with the attending afterwards.",
            {ref_to(r.document, {"end"})});
  }
}

void check_residency_institution(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, r] : c.model.rotations) {
    if (!r.pmr() || r.pmr_residency.value_or(true)) continue;
    out.add(Severity::info, r.institution + " has no PM&R residency; its faculty may know less of what programs look for.",
            "Prefer rotations at institutions with PM&R residencies for your letters.",
            {ref_to(r.document, {"pmr_residency"})});
  }
}

void check_usce(const AuditContext& c, FindingSink& out) {
  if (c.model.settings.applicant.graduate != "img") return;
  std::vector<const Rotation*> us_clinical;
  for (const auto& [id, r] : c.model.rotations)
    if (r.us() && r.kind != "research") us_clinical.push_back(&r);
  SourceRef where = ref_to(c.model.settings.document, {"applicant", "graduate"});
  if (us_clinical.empty()) {
    out.add(Severity::error, "You have no US clinical experience in your plan.",
            "Seek observerships, externships or hands-on electives with US faculty, PM&R first.", {where});
    return;
  }
  bool only_observerships = std::all_of(us_clinical.begin(), us_clinical.end(),
                                        [](const Rotation* r) { return r->kind == "observership"; });
  if (only_observerships)
    out.add(Severity::warning, "All your US clinical experience is observerships.",
            "Look for a hands-on elective or externship; until then, be visible on rounds so observers can write.",
            {where});
}

void check_narrative_consistency(const AuditContext& c, FindingSink& out) {
  for (size_t i = 0; i < c.model.settings.interests.size(); ++i) {
    const std::string& interest = c.model.settings.interests[i];
    bool supported = false;
    for (const auto& [id, letter] : c.model.letters) {
      if (!letter.active()) continue;
      const Rotation* r = c.model.rotation_of(letter);
      if (r && (r->setting == interest || std::find(r->focus.begin(), r->focus.end(), interest) != r->focus.end()))
        supported = true;
    }
    if (supported) continue;
    out.add(Severity::warning,
            "Your personal statement argues " + interest + ", but none of your letters comes from a rotation in it.",
            "Ask a writer from " + with_article(interest) + " rotation, or make sure your letters and statement tell one story.",
            {ref_to(c.model.settings.document, {"interests", std::to_string(i)})});
  }
}

}  // namespace lorsync
