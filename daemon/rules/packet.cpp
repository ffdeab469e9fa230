// Rules about what writers receive: the packet, the IMG context, the waiver.
#include "deadlines/schedule.hpp"
#include "rules/audit.hpp"
#include "model/letter_kinds.hpp"

#include <algorithm>
#include <cctype>

namespace lorsync {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return text;
}

// Whole words only ("img" is not "imaging").
bool mentions_any(const std::string& text, const std::vector<std::string>& words) {
  auto letter = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (const std::string& w : words) {
    for (size_t at = text.find(w); at != std::string::npos; at = text.find(w, at + 1)) {
      bool starts = at == 0 || !letter(text[at - 1]);
      bool ends = at + w.size() >= text.size() || !letter(text[at + w.size()]);
      if (starts && ends) return true;
    }
  }
  return false;
}

// The summary's own words: heading lines are the template's prompts, not the applicant's answers.
std::string prose_of(const std::string& markdown) {
  std::string out;
  size_t start = 0;
  while (start < markdown.size()) {
    size_t end = markdown.find('\n', start);
    if (end == std::string::npos) end = markdown.size();
    std::string line = markdown.substr(start, end - start);
    size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] != '#') out += line + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

void check_packet_sent(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, letter] : c.model.letters) {
    if (!letter.active()) continue;
    LetterFacts f = facts_of(c.model, letter);
    auto due = packet_due(letter, c.model.settings.policy);
    if (due && !letter.first("packet-sent") && c.today > *due)
      out.add(Severity::warning,
              writer_label(f) + " agreed on " + format_date(letter.first("agreed")->date) + " and has no packet yet.",
              "Email " + writer_label(f) + " your CV, personal statement and one-page summary today.",
              {ref_to(letter.document, {"events"})});
    if (!letter.first("packet-sent")) continue;
    std::vector<std::string> missing;
    for (const char* item : {"cv", "personal-statement", "summary"})
      if (std::find(letter.packet.begin(), letter.packet.end(), item) == letter.packet.end()) missing.push_back(item);
    if (!missing.empty()) {
      std::string list;
      for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
      out.add(Severity::warning, "The packet sent to " + writer_label(f) + " lacks: " + list + ".",
              "Send " + writer_label(f) + " the missing " + list + " and add them to the letter's packet list.",
              {ref_to(letter.document, {"packet"})});
    }
  }
}

void check_img_context(const AuditContext& c, FindingSink& out) {
  const Applicant& applicant = c.model.settings.applicant;
  if (!applicant.non_us_img()) return;
  std::string text = lowercase(prose_of(c.model.packet_summary.value_or("")));
  // The applicant's own words: a degree, a school, or a home-country place the plan itself names.
  std::vector<std::string> background = {"img", "international medical graduate", "medical school", "medical college",
                                         "faculty of medicine", "graduated", "graduate", "mbbs", "mbchb", "mbbch",
                                         "md", "m.d.", "university"};
  for (const auto& [id, rotation] : c.model.rotations)
    if (!rotation.us() && !rotation.institution.empty()) background.push_back(lowercase(rotation.institution));
  for (const auto& [id, writer] : c.model.writers)
    if (!writer.us() && !writer.institution.empty()) background.push_back(lowercase(writer.institution));
  std::vector<std::string> visa = {"visa", "sponsorship", "ecfmg", "j-1", "j1", "h-1b", "h1b"};
  if (applicant.visa == "j1") visa.insert(visa.end(), {"j 1", "exchange visitor"});
  if (applicant.visa == "h1b") visa.insert(visa.end(), {"h 1b", "h1-b"});
  const std::vector<std::string> goals = {"goal", "goals", "long-term", "long term", "career", "aspire", "hope to",
                                          "plan to", "future", "fellowship"};
  std::vector<std::string> missing;
  if (!mentions_any(text, background)) missing.push_back("your medical school background");
  if (!mentions_any(text, visa)) missing.push_back("your visa situation");
  if (!mentions_any(text, goals)) missing.push_back("your long-term goals");
  if (missing.empty()) return;
  std::string list;
  for (size_t i = 0; i < missing.size(); ++i) list += (i ? (i + 1 == missing.size() ? " and " : ", ") : "") + missing[i];
  out.add(Severity::info,
          c.model.packet_summary ? "Your packet summary says nothing of " + list + "."
                                 : "You have no packet summary (packet/summary.md) to tell writers your context.",
          "Add a short paragraph on " + list + " to packet/summary.md, so writers can frame your achievements.",
          {SourceRef{"packet/summary.md", c.model.packet_summary ? 1 : 0, 0, ""}});
}

void check_waiver(const AuditContext& c, FindingSink& out) {
  for (const auto& [id, letter] : c.model.letters) {
    // Waiving happens in ERAS when the request is made, so it is advice from the ask on, not while planning.
    if (!letter.active() || letter.status == LetterStatus::planned || letter.waived.value_or(false)) continue;
    LetterFacts f = facts_of(c.model, letter);
    const std::string record_waiver = "lorsync set letter " + letter.id + " waived=true";
    out.add(Severity::warning, "You have not waived your right to see " + writer_label(f) + "'s letter.",
            "Waive it when you create the request in ERAS (programs find waived letters more credible), then: " +
                record_waiver,
            {ref_to(letter.document, letter.waived ? std::vector<std::string>{"waived"} : std::vector<std::string>{})},
            std::nullopt, {record_waiver});
  }
}

}  // namespace lorsync
