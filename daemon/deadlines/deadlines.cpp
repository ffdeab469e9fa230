#include "deadlines/deadlines.hpp"

#include "deadlines/schedule.hpp"
#include "rules/audit.hpp"
#include "rules/letter_kinds.hpp"

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
    if (f.rotation && !f.longitudinal()) {
      AskWindow window = ask_window(*f.rotation, settings.policy);
      add("ask:" + id, window.closes, "ask", "Ask " + who + " for a letter (window opens " + format_date(window.opens) + ")",
          {ref_to(letter.document, {"writer"}), ref_to(f.rotation->document, {"end"})}, letter.first("asked") != nullptr,
          id, "");
    }
    if (auto due = packet_due(letter, settings.policy))
      add("packet:" + id, *due, "packet", "Send " + who + " your packet (CV, personal statement, summary)", {events},
          letter.first("packet-sent") != nullptr, id, "");
    if (letter.first("agreed")) {
      bool uploaded = letter.first("uploaded") != nullptr;
      int sent = reminders_sent(letter, settings);
      int index = 0;
      for (const auto& reminder : reminder_dates(settings)) {
        ++index;
        add("remind-" + std::to_string(reminder.lead_days) + ":" + id, reminder.date, "remind",
            "Remind " + who + " (" + std::to_string(reminder.lead_days) + " days before programs review)", {events},
            uploaded || sent >= index, id, "");
      }
    }
    add("upload:" + id, settings.programs_review, "upload", who + "'s letter uploaded to ERAS", {events},
        letter.first("uploaded") != nullptr, id, "");
    if (auto due = thank_due(letter))
      add("thank:" + id, *due, "thank", "Thank " + who, {events}, letter.first("thanked") != nullptr, id, "");
    if (letter.first("uploaded"))
      add("share-match:" + id, share_match_due(settings), "share-match", "Tell " + who + " where you matched", {events},
          letter.first("match-shared") != nullptr, id, "");
  }
  for (const auto& [id, program] : model.programs) {
    if (!program.deadline) continue;
    bool all_uploaded = !program.letters.empty() && std::all_of(program.letters.begin(), program.letters.end(), [&](const auto& l) {
      auto found = model.letters.find(l);
      return found != model.letters.end() && found->second.first("uploaded") != nullptr;
    });
    add("program:" + id, *program.deadline, "program", program.name + " application deadline",
        {ref_to(program.document, {"deadline"})}, all_uploaded, "", id);
  }
  std::sort(out.begin(), out.end(), [](const Deadline& a, const Deadline& b) {
    return std::tie(a.date, a.id) < std::tie(b.date, b.id);
  });
  return out;
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
