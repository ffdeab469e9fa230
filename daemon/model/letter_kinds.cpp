#include "model/letter_kinds.hpp"
#include "common/text.hpp"

namespace lorsync {

bool related_specialty(const std::string& specialty) {
  return specialty == "neurology" || specialty == "orthopedics" || specialty == "internal-medicine" ||
         specialty == "family-medicine" || specialty == "neurosurgery" || specialty == "trauma-surgery";
}

LetterFacts facts_of(const Model& model, const Letter& letter) {
  LetterFacts f;
  f.letter = &letter;
  f.writer = model.writer_of(letter);
  f.rotation = model.rotation_of(letter);
  if (!f.writer) return f;
  f.us = f.writer->us();
  f.pmr = f.writer->pmr();
  f.related = related_specialty(f.writer->specialty);
  f.clinical = f.writer->is_clinical();
  bool research_rotation = f.rotation && (f.rotation->kind == "research" || f.rotation->setting == "research");
  f.research = f.writer->title == "research-mentor" || research_rotation;
  f.direct = f.writer->direct_supervision.value_or(false);
  f.weeks = f.writer->weeks.value_or(0);
  return f;
}

std::string writer_label(const LetterFacts& facts) {
  if (facts.writer && !facts.writer->name.empty()) return facts.writer->name;
  return facts.letter ? facts.letter->id : std::string("the writer");
}

int letter_tier(const LetterFacts& f) {
  if (!f.us) return f.research && !f.clinical ? 5 : 6;
  if (f.pmr && f.clinical) return f.strong_tie() ? 1 : 2;
  if (f.clinical && f.related) return 3;
  if (f.clinical) return 4;
  return 5;
}

std::string tier_reason(const LetterFacts& f) {
  std::string who = f.writer ? f.writer->title : "writer";
  std::string tie = f.direct ? "supervised you directly for " + count_of(f.weeks, "week")
                             : "knew you for " + count_of(f.weeks, "week") + " without direct supervision";
  switch (letter_tier(f)) {
    case 1: return "US PM&R " + who + " who " + tie;
    case 2: return "US PM&R " + who + " who " + tie;
    case 3: return "US clinical letter from " + (f.writer ? f.writer->specialty : std::string("a related specialty")) + " (related to PM&R)";
    case 4: return "US clinical letter from " + (f.writer ? f.writer->specialty : std::string("another specialty"));
    case 5: return "research letter" + std::string(f.us ? "" : " from abroad");
    default: return "home-country letter (" + (f.writer ? f.writer->country : std::string("abroad")) + "): a supplement";
  }
}

}  // namespace lorsync
