#include "deadlines/deadlines.hpp"

#include "deadlines/schedule.hpp"
#include "model/letter_kinds.hpp"

#include <algorithm>

namespace lorsync {
namespace {

DeadlineState state_for(Date date, bool done, Date today) {
  if (done) return DeadlineState::done;
  int days = days_between(today, date);
  if (days < 0) return DeadlineState::overdue;
  if (days <= kDueSoonDays) return DeadlineState::due_soon;
  return DeadlineState::upcoming;
}

}  // namespace

std::string late_letters(const Model& model, const Program& program) {
  std::string names;
  for (const auto& letter_id : program.letters) {
    auto letter = model.letters.find(letter_id);
    if (letter == model.letters.end() || letter->second.first("uploaded")) continue;
    names += (names.empty() ? "" : ", ") + writer_label(facts_of(model, letter->second));
  }
  return names;
}

const char* state_name(DeadlineState state) {
  switch (state) {
    case DeadlineState::done: return "done";
    case DeadlineState::overdue: return "overdue";
    case DeadlineState::due_soon: return "due-soon";
    case DeadlineState::upcoming: return "upcoming";
  }
  return "";
}

std::vector<Deadline> derive_deadlines(const Model& model, Date today) {
  std::vector<Deadline> out;
  const Settings& settings = model.settings;
  const Policy& policy = settings.policy;
  const bool application_open = !season_over(settings, today);
  auto add = [&](std::string id, Date date, std::string kind, std::string title, std::vector<SourceRef> refs, bool done,
                 std::string letter, std::string program) {
    out.push_back(Deadline{std::move(id), date, std::move(kind), std::move(title), std::move(refs),
                           state_for(date, done, today), std::move(letter), std::move(program)});
  };

  for (const auto& [id, letter] : model.letters) {
    if (!letter.active()) continue;
    LetterFacts f = facts_of(model, letter);
    std::string who = writer_label(f);
    SourceRef events = ref_to(letter.document, {"events"});
    const size_t first_of_letter = out.size();
    LetterDue due = letter_due(model, letter);
    if (application_open) {
      AskDate ask = ask_date(model, letter);
      std::vector<SourceRef> ask_refs = {ref_to(letter.document, {"writer"})};
      if (ask.window) ask_refs.push_back(ref_to(f.rotation->document, {"end"}));
      add("ask:" + id, ask.by, "ask",
          ask.window ? "Ask " + who + " for a letter, in person, in the rotation's last week (late after " +
                           format_date(ask.window->closes) + ")"
                     : "Ask " + who + " for a letter",
          std::move(ask_refs), letter.first("asked") != nullptr, id, "");
      if (auto follow_up = follow_up_due(letter, policy))
        add("follow-up:" + id, *follow_up, "follow-up",
            asked_in_person_only(letter) ? "Email " + who + " your request, after asking in person"
                                         : "Follow up with " + who + " if there is no answer",
            {events}, false, id, "");
      if (auto packet = packet_due(letter, policy))
        add("packet:" + id, *packet, "packet", "Send " + who + " your packet (CV, personal statement, summary)",
            {events}, letter.first("packet-sent") != nullptr, id, "");
      bool uploaded = letter.first("uploaded") != nullptr;
      if (letter.first("agreed")) {
        int sent = reminders_sent(letter, due.date, policy);
        int index = 0;
        for (const auto& reminder : reminder_dates(due.date, policy)) {
          ++index;
          add("remind-" + std::to_string(reminder.lead_days) + ":" + id, reminder.date, "remind",
              "Remind " + who + " (" + std::to_string(reminder.lead_days) + " days before the letter is due)",
              {events}, uploaded || sent >= index, id, "");
        }
      }
      add("upload:" + id, due.date, "upload",
          who + "'s letter uploaded to ERAS" + (due.program ? " (due by " + due.program->name + "'s deadline)" : ""),
          {events}, uploaded, id, due.program ? due.program->id : "");
    }
    if (auto thank = thank_due(letter))
      add("thank:" + id, *thank, "thank", "Thank " + who, {events}, letter.first("thanked") != nullptr, id, "");
    if (letter.first("uploaded"))
      add("share-match:" + id, share_match_due(settings), "share-match", "Tell " + who + " where you matched", {events},
          letter.first("match-shared") != nullptr, id, "");
    if (auto step = next_step(model, letter, today)) {
      // The step's deadline: the first of its kind not done (reminders come in several).
      for (size_t i = first_of_letter; i < out.size(); ++i)
        if (out[i].kind == step_name(*step) && out[i].state != DeadlineState::done) {
          out[i].next_step = true;
          break;
        }
    }
  }
  if (application_open) {
    for (const auto& [id, program] : model.programs) {
      if (!program.deadline) continue;
      std::string missing = late_letters(model, program);
      add("program:" + id, *program.deadline, "program",
          program.name + " application deadline" + (missing.empty() ? "" : " (letters not in: " + missing + ")"),
          {ref_to(program.document, {"deadline"})}, !program.letters.empty() && missing.empty(), "", id);
    }
  }
  std::sort(out.begin(), out.end(), [](const Deadline& a, const Deadline& b) {
    return std::tie(a.date, a.id) < std::tie(b.date, b.id);
  });
  return out;
}

std::vector<Deadline> deadlines_within(std::vector<Deadline> deadlines, Date today, std::optional<int> within) {
  if (!within) return deadlines;
  std::erase_if(deadlines, [&](const Deadline& d) {
    return d.state == DeadlineState::done || days_between(today, d.date) > *within;
  });
  return deadlines;
}

nlohmann::json to_json(const Deadline& d) {
  auto refs = nlohmann::json::array();
  for (const auto& r : d.refs) refs.push_back({{"path", r.path}, {"line", r.line}, {"field", r.field}});
  nlohmann::json out = {{"id", d.id},       {"date", format_date(d.date)}, {"kind", d.kind},
                        {"title", d.title}, {"refs", refs},               {"state", state_name(d.state)}};
  out["letter"] = d.letter.empty() ? nlohmann::json() : nlohmann::json(d.letter);
  out["program"] = d.program.empty() ? nlohmann::json() : nlohmann::json(d.program);
  return out;
}

}  // namespace lorsync
