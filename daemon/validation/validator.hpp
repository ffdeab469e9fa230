// validation/validator: checks one document against its schema (types, enums,
// required and unknown fields, real calendar dates) and the plan as a whole
// (references between entities, min <= max), turning every problem into a
// located diagnostic with a "did you mean" where a close name exists.
#pragma once

#include "common/diagnostic.hpp"
#include "model/document.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace lorsync {

std::vector<Diagnostic> validate_document(const Document& document);

// How valijson reports a failure, read the same way wherever lorsync checks a value against a schema:
// the path of the value (its "<root>" and "[key]" context as plain segments), and whether the failure is
// only the echo of a deeper one on an enclosing level (valijson reports each failure on every level).
std::vector<std::string> schema_error_path(const std::vector<std::string>& context);
bool is_enclosing_failure(const std::string& description);
// A JSON Schema "type" (one or a list) in words: "a whole number", "true or false", "text or nothing".
std::string describe_type(const nlohmann::json& type);

// Everything a plan-wide check needs to know: which ids exist in a folder.
using IdLookup = std::function<const std::vector<std::string>&(const std::string& folder)>;
std::vector<Diagnostic> check_references(const Document& document, const IdLookup& ids);

}  // namespace lorsync
