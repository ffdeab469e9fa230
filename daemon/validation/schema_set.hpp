// validation/schema_set: the JSON Schemas of schema/ (compiled into the binary),
// ready for valijson, plus what the schemas mark beyond draft-07's checks:
// which fields are calendar dates ("format": "date") and which are references
// to other entities ("x-lorsync-ref"). The schemas stay the one source of truth.
#pragma once

#include "model/document.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace valijson {
class Schema;
}

namespace lorsync {

// A field path pattern inside one document; "*" stands for every item of a list.
struct FieldPattern {
  std::vector<std::string> segments;
};

struct ReferenceField {
  FieldPattern field;
  std::string target_folder;  // "writers", "rotations", "letters"
};

class SchemaSet {
 public:
  // The embedded schemas. A kind's schema is parsed and compiled on its first use, once, from any thread
  // (std::call_once), so a command pays only for the kinds it touches; its field order is read on first ask.
  static const SchemaSet& instance();

  struct Entry;
  const Entry& entry(DocumentKind kind) const;
  const valijson::Schema& entry_schema(DocumentKind kind) const;
  const nlohmann::json& schema_json(DocumentKind kind) const;
  const std::vector<FieldPattern>& date_fields(DocumentKind kind) const;
  const std::vector<ReferenceField>& reference_fields(DocumentKind kind) const;
  // The top-level fields in the order the schema lists them: the order of a new file's fields.
  const std::vector<std::string>& field_order(DocumentKind kind) const;

  // The subschema describing the value at `field_path` (following $ref,
  // properties, patternProperties and items), or nullptr.
  const nlohmann::json* schema_at(DocumentKind kind, const std::vector<std::string>& field_path) const;
  // `node` with its local "$ref" chain followed.
  const nlohmann::json& resolved(DocumentKind kind, const nlohmann::json& node) const;

  ~SchemaSet();

 private:
  SchemaSet();
  static constexpr size_t kKinds = 5;  // DocumentKind's values, 0..4
  struct Slot {
    std::once_flag compiled;
    std::unique_ptr<Entry> entry;
    std::once_flag ordered;
    std::vector<std::string> field_order;
  };
  Slot& slot(DocumentKind kind) const;
  mutable std::array<Slot, kKinds> slots_;
};

const char* schema_file_name(DocumentKind kind);  // "letter.schema.json"

// valijson checks "format": "date" with a std::regex built on every call and lets 2026-02-29 through, and it
// aborts the process when a value with a "format" is not a string (an `email:` written as a mapping). lorsync
// checks marked date fields itself (see dates), and valijson checks no other format lorsync's schemas use, so
// the copy handed to valijson leaves every "format" out.
void strip_formats(nlohmann::json& schema);

// Calls `visit(path, value)` for every value of `data` matching `pattern`.
template <class Visit>
void for_each_match(const nlohmann::json& data, const FieldPattern& pattern, size_t depth,
                    std::vector<std::string>& path, Visit&& visit) {
  if (depth == pattern.segments.size()) {
    visit(path, data);
    return;
  }
  const std::string& segment = pattern.segments[depth];
  if (segment == "*") {
    if (!data.is_array()) return;
    for (size_t i = 0; i < data.size(); ++i) {
      path.push_back(std::to_string(i));
      for_each_match(data[i], pattern, depth + 1, path, visit);
      path.pop_back();
    }
  } else if (data.is_object()) {
    auto found = data.find(segment);
    if (found == data.end()) return;
    path.push_back(segment);
    for_each_match(*found, pattern, depth + 1, path, visit);
    path.pop_back();
  }
}

}  // namespace lorsync
