// model/front_matter_edit: changes a document's YAML in place, at the positions
// the parser reported, so that setting one field changes one line and keeps key
// order, comments, line endings (LF or CRLF) and the Markdown body byte for byte.
// Every result is re-parsed and compared with the intended data; an edit that
// would not round-trip exactly is refused rather than written.
#pragma once

#include "common/diagnostic.hpp"
#include "model/document.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lorsync {

struct FieldEdit {
  // include: append unless the list holds the value already (a set kept as a list, such as a letter's packet).
  enum class Op { set, remove, append, include };
  Op op = Op::set;
  std::vector<std::string> path;  // e.g. {"relationship", "weeks"}
  nlohmann::json value;           // for set, append and include
};

// Whether every text in `value`, keys included, is UTF-8 (walked without recursion, however deep).
bool all_text_is_utf8(const nlohmann::json& value);

// Refuses (ErrorCode::usage) an edit whose field name or any text of its value is not UTF-8: plan files are
// UTF-8 (the reader refuses other bytes) and their data goes out as JSON. apply_edits checks it; a client checks
// it too before it sends the edit anywhere.
Status check_edit_is_utf8(const FieldEdit& edit);

// `document` after the edits, applied in order (its `text` is the new file).
Result<Document> apply_edits(const Document& document, const std::vector<FieldEdit>& edits);

// A new entity file: front matter made of `fields` in the given order, then `body`.
Result<Document> new_entity(DocumentKind kind, const std::string& path, const std::string& id,
                            const std::vector<FieldEdit>& fields, const std::string& body);

// "relationship.weeks" -> {"relationship", "weeks"}.
std::vector<std::string> split_field_path(const std::string& dotted);
// A field path a person or a client gave: split, or the usage error for one with an empty part ("a..b", ".a").
Result<std::vector<std::string>> parse_field_path(const std::string& dotted);

// A value as one line of YAML flow text, quoted where plain text would be read back differently.
std::string emit_flow(const nlohmann::json& value);

}  // namespace lorsync
