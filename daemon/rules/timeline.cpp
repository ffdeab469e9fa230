// Rules about timing, each on the day the guide says it matters: asking in the
// rotation's last week, following up on a request, reminding before the letter
// is due, uploading on time, thanking. Dates come from deadlines/schedule, as
// the deadline list's do.
#include "deadlines/schedule.hpp"
#include "rules/audit.hpp"
#include "model/letter_kinds.hpp"

#include <algorithm>

namespace lorsync {
namespace {

std::string draft_command(const Letter& letter, const char* step) {
  return "lorsync draft " + letter.id + " " + step;
}
std::string draft_hint(const std::string& draft) { return " (" + draft + " writes the email)"; }
std::string record_command(const Letter& letter, const char* event) {
  return "lorsync record " + letter.id + " " + event;
}

std::string days_text(int days) { return std::to_string(days) + (days == 1 ? " day" : " days"); }

}  // namespace

void check_ask_window(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, letter] : c.model.letters) {
    if (!letter.active() || letter.first("asked")) continue;
    LetterFacts f = facts_of(c.model, letter);
    AskDate ask = ask_date(c.model, letter);
    std::vector<SourceRef> refs = {ref_to(letter.document, {"writer"})};
    const std::string who = writer_label(f);
    const std::string draft = draft_command(letter, "ask");
    if (!ask.window) {
      if (c.today < add_days(ask.by, -kActNowDays)) continue;
      out.add(Severity::info, "It is time to ask " + who + " for a letter: it is due on " +
                                  format_date(letter_due(c.model, letter).date) + ".",
              "Ask " + who + " by " + format_date(ask.by) + ", in person or by phone if you can, then by email" +
                  draft_hint(draft) + ".",
              refs, ask.by, {draft});
      continue;
    }
    const AskWindow& window = *ask.window;
    refs.push_back(ref_to(f.rotation->document, {"end"}));
    const std::string wording =
        " Ask whether they would feel comfortable writing you a strong letter, so they can decline gently.";
    if (c.today > window.closes) {
      out.add(Severity::warning,
              "You have not asked " + who + "; the rotation ended " + days_text(days_between(window.ideal, c.today)) +
                  " ago, and memories fade.",
              "Ask " + who + " now, by email, naming specific patients you cared for together" +
                  draft_hint(draft) + ".",
              refs, window.ideal, {draft});
    } else if (c.today > window.ideal) {
      out.add(Severity::info,
              "The rotation with " + who + " ended on " + format_date(window.ideal) + " and you have not asked yet.",
              "Ask " + who + " now, before " + format_date(window.closes) + "." + wording + draft_hint(draft),
              refs, window.ideal, {draft});
    } else if (c.today >= window.opens) {
      out.add(Severity::info,
              "This is the last week of your rotation with " + who + " (it ends on " + format_date(window.ideal) +
                  "): the time to ask for a letter.",
              "Ask " + who + " in person by " + format_date(window.ideal) + ", ideally after a strong moment." +
                  wording + " Then follow up by email" + draft_hint(draft) + ".",
              refs, window.ideal, {draft});
    }
  }
}

void check_follow_up(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, letter] : c.model.letters) {
    auto due = follow_up_due(letter, c.model.settings.policy);
    if (!due) continue;
    const LetterEventRecord* asked = letter.last("asked");
    if (c.today < asked->date) continue;
    const std::string who = writer_label(facts_of(c.model, letter));
    std::vector<SourceRef> refs = {ref_to(letter.document, {"events"})};
    const std::string draft = draft_command(letter, "follow-up");
    const std::string record = record_command(letter, "asked") + " --via email";
    if (asked_in_person_only(letter)) {
      out.add(Severity::info, "You asked " + who + " in person on " + format_date(asked->date) + "; the email is next.",
              "Email " + who + " the request with your dates and the letter's due date" +
                  draft_hint(draft) + ", then: " + record,
              refs, *due, {draft, record});
    } else if (c.today >= *due) {
      out.add(Severity::warning,
              who + " has not answered your request of " + format_date(asked->date) + " (" +
                  days_text(days_between(asked->date, c.today)) + " ago).",
              "Send " + who + " a short, polite follow-up" + draft_hint(draft) + ", then: " + record +
                  ". If there is still no answer, ask another writer.",
              refs, *due, {draft, record});
    }
  }
}

void check_reminder_due(const AuditContext& c, FindingSink& out) {
  const Policy& policy = c.model.settings.policy;
  for (const auto& [id, letter] : c.model.letters) {
    if (!letter.active() || !letter.first("agreed") || letter.first("uploaded")) continue;
    LetterDue due = letter_due(c.model, letter);
    if (c.today > due.date) continue;  // then it is upload-overdue's business
    int owed = reminders_due(due.date, policy, c.today);
    int sent = reminders_sent(letter, due.date, policy);
    if (sent >= owed) continue;
    const std::string who = writer_label(facts_of(c.model, letter));
    const std::string draft = draft_command(letter, "remind");
    const std::string record = record_command(letter, "reminded");
    out.add(Severity::warning,
            who + "'s letter is not uploaded and is due on " + format_date(due.date) +
                (due.program ? " for " + due.program->name + "'s deadline." : ", when programs start reviewing."),
            "Send " + who + " a polite reminder today" + draft_hint(draft) + ", then: " + record,
            {ref_to(letter.document, {"events"})}, reminder_dates(due.date, policy)[sent].date, {draft, record});
  }
}

void check_upload_overdue(const AuditContext& c, FindingSink& out) {
  const Settings& settings = c.model.settings;
  for (const auto& [id, letter] : c.model.letters) {
    if (!letter.active() || letter.first("uploaded")) continue;
    LetterDue due = letter_due(c.model, letter);
    if (c.today <= due.date) continue;
    std::string late_for;
    for (const auto& [program_id, program] : c.model.programs) {
      bool assigned = std::find(program.letters.begin(), program.letters.end(), id) != program.letters.end();
      if (assigned && program.deadline && *program.deadline < c.today)
        late_for += (late_for.empty() ? "" : ", ") + program.name + " (deadline " + format_date(*program.deadline) + ")";
    }
    if (settings.programs_review < c.today)
      late_for += (late_for.empty() ? "" : ", ") + std::string("programs reviewing since ") +
                  format_date(settings.programs_review);
    const std::string who = writer_label(facts_of(c.model, letter));
    out.add(Severity::error, who + "'s letter is not in ERAS; it was due on " + format_date(due.date) +
                                 ". Late for: " + late_for + ".",
            "Contact " + who + " today; if the letter cannot come soon, assign another letter in ERAS.",
            {ref_to(letter.document, {"events"})}, due.date);
  }
}

void check_thank_writers(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, letter] : c.model.letters) {
    const LetterEventRecord* uploaded = letter.first("uploaded");
    if (!uploaded) continue;
    const std::string who = writer_label(facts_of(c.model, letter));
    auto thank_by = thank_due(letter);
    if (!letter.first("thanked") && c.today > *thank_by) {
      const std::string draft = draft_command(letter, "thank");
      const std::string record = record_command(letter, "thanked");
      out.add(Severity::info, who + " uploaded your letter on " + format_date(uploaded->date) + " and has not been thanked.",
              "Send " + who + " a short thank-you note" + draft_hint(draft) + ", then: " + record,
              {ref_to(letter.document, {"events"})}, *thank_by, {draft, record});
    }
    if (c.today > c.model.settings.match_day && !letter.first("match-shared")) {
      const std::string draft = draft_command(letter, "match");
      out.add(Severity::info, "Match day has passed and " + who + " does not know where you matched.",
              "Tell " + who + " where you matched; they can help you again for fellowships and jobs" +
                  draft_hint(draft) + ".",
              {ref_to(letter.document, {"events"})}, share_match_due(c.model.settings), {draft});
    }
  }
}

}  // namespace lorsync
