// validation/validator: checks one document against its schema (types, enums,
// required and unknown fields, real calendar dates) and the plan as a whole
// (references between entities, min <= max), turning every problem into a
// located diagnostic with a "did you mean" where a close name exists.
#pragma once

#include "common/diagnostic.hpp"
#include "model/document.hpp"

#include <functional>
#include <string>
#include <vector>

namespace lorsync {

std::vector<Diagnostic> validate_document(const Document& document);

// Everything a plan-wide check needs to know: which ids exist in a folder.
using IdLookup = std::function<const std::vector<std::string>&(const std::string& folder)>;
std::vector<Diagnostic> check_references(const Document& document, const IdLookup& ids);

}  // namespace lorsync
