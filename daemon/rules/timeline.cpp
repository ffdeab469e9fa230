// Rules about timing: asking in the window, reminding before programs review,
// uploading on time, thanking.
#include "deadlines/schedule.hpp"
#include "rules/audit.hpp"
#include "rules/letter_kinds.hpp"

namespace lorsync {

void check_ask_window(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, letter] : c.model.letters) {
    if (!letter.active() || letter.first("asked")) continue;
    LetterFacts f = facts_of(c.model, letter);
    if (!f.rotation || f.longitudinal()) continue;
    AskWindow window = ask_window(*f.rotation, c.model.settings.policy);
    std::vector<SourceRef> refs = {ref_to(letter.document, {"writer"}), ref_to(f.rotation->document, {"end"})};
    if (c.today > window.closes) {
      out.add(Severity::warning,
              "You have not asked " + writer_label(f) + "; the rotation ended " +
                  std::to_string(days_between(window.rotation_end, c.today)) + " days ago.",
              "Ask " + writer_label(f) + " now, by email, reminding them of specific patients you cared for together.",
              refs);
    } else if (c.today >= window.opens) {
      out.add(Severity::info,
              "Now is the time to ask " + writer_label(f) + ": the window closes on " + format_date(window.closes) + ".",
              "Ask " + writer_label(f) + " this week, in person, then follow up by email.", refs);
    }
  }
}

void check_reminder_due(const AuditContext& c, FindingSink& out) {
  const Settings& settings = c.model.settings;
  if (c.today > settings.programs_review) return;  // then it is upload-overdue's business
  int due = reminders_due(settings, c.today);
  if (due == 0) return;
  for (const auto& [id, letter] : c.model.letters) {
    if (!letter.active() || !letter.first("agreed") || letter.first("uploaded")) continue;
    if (reminders_sent(letter, settings) >= due) continue;
    LetterFacts f = facts_of(c.model, letter);
    out.add(Severity::warning,
            writer_label(f) + "'s letter is not uploaded and programs review letters from " +
                format_date(settings.programs_review) + ".",
            "Send " + writer_label(f) + " a polite reminder today, then record it: lorsync record " + letter.id +
                " reminded",
            {ref_to(letter.document, {"events"})});
  }
}

void check_upload_overdue(const AuditContext& c, FindingSink& out) {
  const Settings& settings = c.model.settings;
  if (c.today <= settings.programs_review) return;
  for (const auto& [id, letter] : c.model.letters) {
    if (!letter.active() || letter.first("uploaded")) continue;
    LetterFacts f = facts_of(c.model, letter);
    out.add(Severity::error,
            writer_label(f) + "'s letter is not uploaded; programs began reviewing on " +
                format_date(settings.programs_review) + ".",
            "Contact " + writer_label(f) + " today; if the letter cannot come soon, assign another letter in ERAS.",
            {ref_to(letter.document, {"events"})});
  }
}

void check_thank_writers(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, letter] : c.model.letters) {
    const LetterEventRecord* uploaded = letter.first("uploaded");
    if (!uploaded) continue;
    LetterFacts f = facts_of(c.model, letter);
    if (!letter.first("thanked") && days_between(uploaded->date, c.today) > kThankOverdueDays)
      out.add(Severity::info, writer_label(f) + " uploaded your letter on " + format_date(uploaded->date) +
                                  " and has not been thanked.",
              "Send " + writer_label(f) + " a short thank-you note, then: lorsync record " + letter.id + " thanked",
              {ref_to(letter.document, {"events"})});
    if (c.today > c.model.settings.match_day && !letter.first("match-shared"))
      out.add(Severity::info, "Match day has passed and " + writer_label(f) + " does not know where you matched.",
              "Tell " + writer_label(f) + " where you matched; they can help you again for fellowships and jobs.",
              {ref_to(letter.document, {"events"})});
  }
}

}  // namespace lorsync
