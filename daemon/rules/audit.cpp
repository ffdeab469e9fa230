#include "rules/audit.hpp"

#include "common/json_members.hpp"
#include "deadlines/schedule.hpp"

#include <algorithm>

namespace lorsync {

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::info: return "info";
  }
  return "";
}

nlohmann::json to_json(const Finding& f) {
  auto refs = nlohmann::json::array();
  for (const auto& r : f.refs) refs.push_back({{"path", r.path}, {"line", r.line}, {"field", r.field}});
  return {{"rule", f.rule},       {"severity", severity_name(f.severity)}, {"message", f.message},
          {"refs", refs},         {"action", f.action},                    {"commands", f.commands},
          {"guide", f.guide},     {"due", f.due ? nlohmann::json(format_date(*f.due)) : nlohmann::json()}};
}

void from_json(const nlohmann::json& in, Finding& f) {
  f = Finding{string_member(in, "rule"), Severity::info, string_member(in, "message"), {},
              string_member(in, "action"), string_member(in, "guide"), parse_date(string_member(in, "due")), {}};
  const std::string severity = string_member(in, "severity");
  for (Severity known : {Severity::error, Severity::warning, Severity::info})
    if (severity == severity_name(known)) f.severity = known;
  if (!in.is_object()) return;
  if (auto refs = in.find("refs"); refs != in.end() && refs->is_array())
    for (const auto& r : *refs)
      f.refs.push_back(SourceRef{string_member(r, "path"), int_member(r, "line"), 0, string_member(r, "field")});
  if (auto commands = in.find("commands"); commands != in.end() && commands->is_array())
    for (const auto& command : *commands)
      if (command.is_string()) f.commands.push_back(command.get<std::string>());
}

void FindingSink::add(Severity severity, std::string message, std::string action, std::vector<SourceRef> refs,
                      std::optional<Date> due, std::vector<std::string> commands) {
  out_.push_back(Finding{rule_, severity, std::move(message), std::move(refs), std::move(action), guide_, due,
                         std::move(commands)});
}

const std::vector<Rule>& rule_registry() {
  static const std::vector<Rule> rules = {
      {"letters-total", "fewer than letters_min active letters (error) / more than letters_max (info)",
       "How Many Letters You Need and What Types to Aim For", check_letters_total},
      {"pmr-letters", "no active PM&R letter (error) / fewer than pmr_letters_min (warning)",
       "How Many Letters You Need and What Types to Aim For", check_pmr_letters},
      {"us-pmr-letter", "a non-US IMG with no US-based PM&R letter (error)",
       "US Clinical Experience (USCE) and LOR Strength", check_us_pmr_letter},
      {"us-clinical-letter", "a non-US IMG with no US-based clinical letter (error)",
       "US Clinical Experience (USCE) and LOR Strength", check_us_clinical_letter},
      {"letter-relevance", "a letter from outside PM&R, its related specialties and research mentors (warning)",
       "Mistake 2: Collecting Only Non-PM&R Letters", check_letter_relevance},
      {"home-country-supplement",
       "more than one home-country letter, or one standing in for a missing US PM&R letter (warning)",
       "Home-Country LORs: When and How to Use Them", check_home_country_supplement},
      {"writer-knows-you", "a writer who worked with you under 2 weeks, or without direct supervision (warning)",
       "Ideal Letter Writers for PM&R Applicants", check_writer_knows_you},
      {"big-name-weak-tie", "a chair or program director with a weak tie to you (warning)",
       "Mistake 3: Choosing \"Big Names\" Over Strong Advocates", check_big_name_weak_tie},
      {"non-clinical-writer", "a basic-science or non-clinical writer without a research relationship (warning)",
       "Who Not To Rely On", check_non_clinical_writer},
      {"private-practice-writer", "a private-practice writer not involved in teaching (warning)", "Who Not To Rely On",
       check_private_practice_writer},
      {"ask-window",
       "a rotation in its final week or ask window and the letter not asked (info) / ended over ask_window_days ago "
       "and not asked (warning)",
       "Mistake 1: Waiting Too Long to Ask", check_ask_window},
      {"follow-up",
       "asked in person and the request not yet sent by email (info) / asked and no answer after follow_up_days "
       "(warning)",
       "3. Ask for a Letter the Right Way", check_follow_up},
      {"packet-sent",
       "agreed over packet_days ago and no packet sent; or a packet without CV, personal statement or summary "
       "(warning)",
       "4. Provide Helpful Materials for the Letter Writer", check_packet_sent},
      {"img-context", "a non-US IMG whose packet summary says nothing of IMG background, visa or long-term goals (info)",
       "Mistake 4: Not Explaining Your IMG Context", check_img_context},
      {"waiver", "a requested (asked or later) letter without waived: true (warning)", "5. Respect Cultural and System Differences", check_waiver},
      {"reminder-due",
       "agreed, not uploaded, a reminder due (reminder_lead_days before the letter is due) and not sent (warning)",
       "Action Plan: Ask early and follow up politely", check_reminder_due},
      {"upload-overdue", "a letter not uploaded by its due date, programs_review or an assigned program's deadline (error)",
       "Action Plan: Ask early and follow up politely", check_upload_overdue},
      {"thank-writers", "uploaded over 7 days ago and not thanked; after match day, result not shared (info)",
       "Action Plan: Ask early and follow up politely", check_thank_writers, false},
      {"pmr-rotations",
       "fewer than 2 PM&R rotations (warning); none inpatient, or none outpatient or consult (info)",
       "1. Plan Your Rotations Strategically", check_pmr_rotations},
      {"rotation-length", "a PM&R rotation shorter than 4 weeks (info)", "1. Plan Your Rotations Strategically",
       check_rotation_length},
      {"residency-institution", "a PM&R rotation at an institution without a PM&R residency (info)",
       "1. Plan Your Rotations Strategically", check_residency_institution},
      {"usce", "an IMG with no US clinical experience (error) / only observerships (warning)",
       "US Clinical Experience (USCE) and LOR Strength", check_usce},
      {"narrative-consistency",
       "an interest in plan.yaml that no letter's rotation setting or focus supports (warning)",
       "Mistake 5: Inconsistent Story Between LORs and Application", check_narrative_consistency},
      {"program-requirements", "a program's assigned letters break its requirements, or are more than 4 (error)",
       "Basic Requirements", check_program_requirements},
      {"program-deadline",
       "a program's deadline falls before programs_review and letters assigned to it are not uploaded (warning)",
       "Action Plan: Ask early and follow up politely", check_program_deadline},
      {"visa-sponsorship", "a program that does not sponsor your visa (warning)",
       "Special Considerations for Non-US Citizen IMGs and Visa Issues", check_visa_sponsorship},
      {"sync-conflict", "a field two devices changed differently; the losing value is shown until resolved (warning)",
       "lorsync: sync between devices", check_sync_conflict, false},
  };
  return rules;
}

std::vector<Finding> run_audit(const Model& model, Date today) {
  std::vector<Finding> findings;
  AuditContext context{model, today};
  const bool over = season_over(model.settings, today);
  for (const Rule& rule : rule_registry()) {
    if (over && rule.application) continue;
    FindingSink sink(rule.id, rule.guide, findings);
    rule.check(context, sink);
  }
  const Date act_by = add_days(today, kActNowDays);
  auto act_now = [&](const Finding& f) { return f.due && *f.due <= act_by; };
  std::stable_sort(findings.begin(), findings.end(), [&](const Finding& a, const Finding& b) {
    if (act_now(a) != act_now(b)) return act_now(a);
    if (act_now(a) && *a.due != *b.due) return *a.due < *b.due;
    return a.severity < b.severity;
  });
  return findings;
}

AuditCounts count(const std::vector<Finding>& findings) {
  AuditCounts counts;
  for (const auto& f : findings) {
    if (f.severity == Severity::error) ++counts.errors;
    else if (f.severity == Severity::warning) ++counts.warnings;
    else ++counts.infos;
  }
  return counts;
}

}  // namespace lorsync
