// rules/finding: what an audit rule reports: which rule, how serious, what is
// wrong in plain words, where in the files, what to do next, by when (for
// advice that has a day), and the guide section it comes from.
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
};

nlohmann::json to_json(const Finding& finding);

}  // namespace lorsync
