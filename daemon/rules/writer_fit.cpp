// Rules about each writer: how well they know you and whether programs trust them.
#include "rules/audit.hpp"
#include "common/text.hpp"
#include "model/letter_kinds.hpp"

#include <algorithm>

namespace lorsync {
namespace {

template <class Check>
void for_each_active_writer(const AuditContext& c, Check&& check) {
  for (const auto& [id, letter] : c.model.letters) {
    if (!letter.active()) continue;
    LetterFacts f = facts_of(c.model, letter);
    if (f.writer) check(f);
  }
}

// The writer saw you only on observerships: their letter's worth depends on how present you were.
bool knew_you_only_observing(const Model& model, const LetterFacts& f) {
  std::vector<const Rotation*> shared;
  if (const Rotation* r = model.rotation(f.letter->rotation_id)) shared.push_back(r);
  for (const auto& id : f.writer->rotations)
    if (const Rotation* r = model.rotation(id)) shared.push_back(r);
  return !shared.empty() &&
         std::all_of(shared.begin(), shared.end(), [](const Rotation* r) { return r->kind == "observership"; });
}

}  // namespace

void check_writer_knows_you(const AuditContext& c, FindingSink& out) {
  for_each_active_writer(c, [&](const LetterFacts& f) {
    bool observing = knew_you_only_observing(c.model, f);
    bool short_time = f.weeks < 2;
    if (!observing && !short_time && f.direct) return;
    std::string why = !f.writer->weeks ? "has no recorded time working with you (relationship.weeks)"
                      : short_time   ? "worked with you for " + count_of(f.weeks, "week")
                      : !f.writer->direct_supervision ? "has no recorded direct supervision of your work"
                      : !f.direct                     ? "did not supervise your work directly"
                                                      : "";
    if (observing) why += std::string(why.empty() ? "" : ", and ") + "knows you only from an observership";
    std::string action =
        observing ? "An observership letter is strong only if they saw enough of you: while you observe, be "
                    "consistently present and engaged on rounds, ask case-based questions and offer to help with a "
                    "literature review, presentation or small project; then send " +
                        writer_label(f) + " a detailed packet naming the patients you discussed."
                  : "Prefer a writer who supervised you for several weeks; if you keep this one, send a detailed packet.";
    out.add(Severity::warning, writer_label(f) + " " + why + "; the letter may be generic.", action,
            {ref_to(f.writer->document, short_time ? std::vector<std::string>{"relationship", "weeks"}
                                                   : std::vector<std::string>{"relationship", "direct_supervision"})});
  });
}

void check_big_name_weak_tie(const AuditContext& c, FindingSink& out) {
  for_each_active_writer(c, [&](const LetterFacts& f) {
    const std::string& title = f.writer->title;
    if ((title != "chair" && title != "program-director") || f.strong_tie()) return;
    out.add(Severity::warning,
            writer_label(f) + " is a " + (title == "chair" ? "chair" : "program director") +
                " with a weak tie to you (" + count_of(f.weeks, "week") +
                (f.direct ? "" : ", no direct supervision") + ").",
            "A detailed letter from a faculty member who supervised you closely beats a famous name: ask one instead.",
            {ref_to(f.writer->document, {"title"})});
  });
}

void check_non_clinical_writer(const AuditContext& c, FindingSink& out) {
  for_each_active_writer(c, [&](const LetterFacts& f) {
    if (f.clinical || f.research) return;
    out.add(Severity::warning, writer_label(f) + " is not a clinician and has no research relationship with you.",
            "Use a non-clinical writer only for substantial research work; otherwise ask a clinician.",
            {ref_to(f.writer->document, {"clinical"})});
  });
}

void check_private_practice_writer(const AuditContext& c, FindingSink& out) {
  for_each_active_writer(c, [&](const LetterFacts& f) {
    if (f.writer->practice != "private" || f.writer->teaches.value_or(false)) return;
    out.add(Severity::warning,
            writer_label(f) + " is in private practice and does not teach; programs may not know how to read the letter.",
            "Make this at most a supplementary letter; ask academic faculty who train residents.",
            {ref_to(f.writer->document, {"practice"})});
  });
}

}  // namespace lorsync
