// model/document: one plan file as text, split into its YAML data (front
// matter, or the whole of plan.yaml) and its Markdown body, with the parsed
// tree kept for positions. The body is never interpreted, only carried.
#pragma once

#include "common/diagnostic.hpp"
#include "model/yaml_tree.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lorsync {

enum class EntityKind { rotation, writer, letter, program };

inline constexpr EntityKind kEntityKinds[] = {EntityKind::rotation, EntityKind::writer, EntityKind::letter,
                                             EntityKind::program};

const char* kind_name(EntityKind kind);    // "letter"
const char* kind_folder(EntityKind kind);  // "letters"
std::optional<EntityKind> parse_kind(std::string_view word);  // "letter" or "letters"
// A kind a person typed: the kind, or the usage error every command and method gives, with its did-you-mean.
Result<EntityKind> kind_from_word(std::string_view word);
std::string entity_path(EntityKind kind, std::string_view id);  // "letters/<id>.md"

// What kind of file a document is: an entity, or plan.yaml itself.
enum class DocumentKind { plan, rotation, writer, letter, program };
DocumentKind document_kind(EntityKind kind);

struct Document {
  DocumentKind kind = DocumentKind::plan;
  std::string id;    // entity id; empty for plan.yaml
  std::string path;  // relative to the plan root
  std::string text;  // the whole file, byte for byte
  // Byte range of the YAML inside `text` and the 0-based line where it starts.
  size_t yaml_begin = 0;
  size_t yaml_end = 0;
  int yaml_first_line = 0;
  YamlNode tree;
  nlohmann::json data;  // the YAML as JSON (an empty object when the front matter is empty)

  std::string_view yaml_text() const { return std::string_view(text).substr(yaml_begin, yaml_end - yaml_begin); }
  std::string_view body() const { return std::string_view(text).substr(yaml_end == 0 ? text.size() : body_begin); }
  size_t body_begin = 0;
};

// Splits and parses a file's text. Problems (no front matter, bad YAML, bad
// UTF-8) come back as diagnostics located in the file; the document is then absent.
struct ParsedDocument {
  std::optional<Document> document;
  std::vector<Diagnostic> diagnostics;
};
ParsedDocument parse_document(DocumentKind kind, std::string path, std::string id, std::string text);

// The position of the value at a dotted/indexed field path ("events.2.date") in
// a document, falling back to the closest enclosing node that exists.
// With `at_key`, the position of the last key itself (for "unknown field").
SourceRef locate(const Document& document, const std::vector<std::string>& field_path, bool at_key = false);
std::string field_name(const std::vector<std::string>& field_path);  // "events[2].date"

}  // namespace lorsync
