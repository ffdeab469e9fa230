// rules/audit: the PM&R letter strategy as code. One registry lists every
// rule (id, when it fires, whether it retires on Match Day, the guide section
// it comes from, its check); each check is one small function in the file of
// its theme. run_audit runs those that apply on the day.
#pragma once

#include "common/date.hpp"
#include "model/entities.hpp"
#include "rules/finding.hpp"

#include <functional>
#include <string>
#include <vector>

namespace lorsync {

inline constexpr int kActNowDays = 7;
// The command that suggests which letters to assign, named by more than one rule's advice.
inline const std::string kSuggestLettersCommand = "lorsync programs";

struct AuditContext {
  const Model& model;
  Date today;
};

// Hands a rule's findings to the audit, stamped with the rule's id and guide section.
class FindingSink {
 public:
  FindingSink(const char* rule, const char* guide, std::vector<Finding>& out) : rule_(rule), guide_(guide), out_(out) {}
  // `commands`: each lorsync command `action` suggests, verbatim as written there.
  void add(Severity severity, std::string message, std::string action, std::vector<SourceRef> refs,
           std::optional<Date> due = std::nullopt, std::vector<std::string> commands = {});

 private:
  const char* rule_;
  const char* guide_;
  std::vector<Finding>& out_;
};

using RuleCheck = void (*)(const AuditContext&, FindingSink&);

struct Rule {
  const char* id;
  const char* fires_when;  // one line, as in docs/rules.md
  const char* guide;       // the guide's section
  RuleCheck check;
  bool application = true;  // advice for the application, which retires after Match Day
};

const std::vector<Rule>& rule_registry();

// Every finding for the model on `today`: first what must be done within kActNowDays (or is late), by
// the day it is due; then the rest, errors first, then warnings, then info. After Match Day only the
// rules that outlive the application run.
std::vector<Finding> run_audit(const Model& model, Date today);

struct AuditCounts {
  int errors = 0, warnings = 0, infos = 0;
};
AuditCounts count(const std::vector<Finding>& findings);

// The rules, by theme (each registered in rule_registry()).
void check_letters_total(const AuditContext&, FindingSink&);
void check_pmr_letters(const AuditContext&, FindingSink&);
void check_us_pmr_letter(const AuditContext&, FindingSink&);
void check_us_clinical_letter(const AuditContext&, FindingSink&);
void check_letter_relevance(const AuditContext&, FindingSink&);
void check_home_country_supplement(const AuditContext&, FindingSink&);
void check_writer_knows_you(const AuditContext&, FindingSink&);
void check_big_name_weak_tie(const AuditContext&, FindingSink&);
void check_non_clinical_writer(const AuditContext&, FindingSink&);
void check_private_practice_writer(const AuditContext&, FindingSink&);
void check_ask_window(const AuditContext&, FindingSink&);
void check_follow_up(const AuditContext&, FindingSink&);
void check_packet_sent(const AuditContext&, FindingSink&);
void check_img_context(const AuditContext&, FindingSink&);
void check_waiver(const AuditContext&, FindingSink&);
void check_reminder_due(const AuditContext&, FindingSink&);
void check_upload_overdue(const AuditContext&, FindingSink&);
void check_thank_writers(const AuditContext&, FindingSink&);
void check_pmr_rotations(const AuditContext&, FindingSink&);
void check_rotation_length(const AuditContext&, FindingSink&);
void check_residency_institution(const AuditContext&, FindingSink&);
void check_usce(const AuditContext&, FindingSink&);
void check_narrative_consistency(const AuditContext&, FindingSink&);
void check_program_requirements(const AuditContext&, FindingSink&);
void check_program_deadline(const AuditContext&, FindingSink&);
void check_visa_sponsorship(const AuditContext&, FindingSink&);
void check_sync_conflict(const AuditContext&, FindingSink&);

}  // namespace lorsync
