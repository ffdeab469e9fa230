// model/letter_kinds: how the guide sorts letters (US or home country, PM&R or
// a related specialty, clinical, research, how well the writer knows you),
// shared by the deadlines, the audit rules and the per-program assignment.
#pragma once

#include "model/entities.hpp"

#include <string>

namespace lorsync {

// The specialties the guide names as closely related to PM&R.
bool related_specialty(const std::string& specialty);

struct LetterFacts {
  const Letter* letter = nullptr;
  const Writer* writer = nullptr;     // null only if the plan is invalid
  const Rotation* rotation = nullptr;  // the letter's rotation, else the writer's latest
  bool us = false, pmr = false, related = false, clinical = false, research = false;
  bool direct = false;  // the writer supervised you directly
  int weeks = 0;
  bool strong_tie() const { return direct && weeks >= 4; }
  // A mentor of half a year or more: such a writer can be asked at any time, not only as a rotation ends.
  bool longitudinal() const { return weeks >= 26; }
};

LetterFacts facts_of(const Model& model, const Letter& letter);

// "Dr. Jane Lee" (the writer's name), else the letter id.
std::string writer_label(const LetterFacts& facts);

// The guide's order of preference for a letter (lower is stronger):
// 1 US PM&R who supervised you directly for weeks, 2 other US PM&R,
// 3 US clinical from a related specialty, 4 other US clinical, 5 research, 6 home country.
int letter_tier(const LetterFacts& facts);
std::string tier_reason(const LetterFacts& facts);

}  // namespace lorsync
