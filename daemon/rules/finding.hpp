// rules/finding: what an audit rule reports: which rule, how serious, what is
// wrong in plain words, where in the files, what to do next and the lorsync
// commands that advice names, by when (for advice that has a day), and the
// guide section it comes from. One JSON codec, both ways.
#pragma once

#include "common/date.hpp"
#include "common/diagnostic.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lorsync {

enum class Severity { error, warning, info };
const char* severity_name(Severity severity);

struct Finding {
  std::string rule;
  Severity severity = Severity::info;
  std::string message;
  std::vector<SourceRef> refs;
  std::string action;
  std::string guide;
  std::optional<Date> due;  // the day to act by, for advice that has one
  // Each command the action suggests, written exactly as it appears in `action` (placeholders such as
  // LETTER... included), so a client can show them as commands without reading the English.
  std::vector<std::string> commands;
};

// The wire form (schema Finding). Reading back, as from another program, takes missing or mistyped
// members as empty and an unknown severity as info.
nlohmann::json to_json(const Finding& finding);
void from_json(const nlohmann::json& in, Finding& finding);

}  // namespace lorsync
