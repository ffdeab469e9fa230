// api/params: every method's parameters checked once, in the dispatcher, against
// the params schema/openrpc.json documents for it, so that a method receives
// parameters of the documented shape and decodes them without checks of its
// own. A refusal names the parameter and says what it must be, and for the
// values a user types (an id, a field path, a kind) in the very words the CLI
// uses. What an entity's fields say is the store's to check, against the whole
// candidate plan, with located diagnostics: params that are a whole entity are
// only checked to be an object here.
#pragma once

#include "api/rpc.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace lorsync::api {

// schema/openrpc.json as compiled into the binary: what rpc.discover answers.
const nlohmann::json& api_description();

// Whether what the plan schemas say is checked here, or left to the store, which checks the whole
// candidate plan and answers with located diagnostics, as the CLI without a daemon does: then a $ref
// from the API document into a plan schema stands for a value of the type it names (an event is a
// string; which strings are events is the store's to say), and one to a whole plan schema for any value.
enum class PlanSchemas { checked, left_to_the_store };

// One self-contained JSON Schema for `subschema`, a node of openrpc.json: the components and the
// plan schemas it can reach bundled in, every $ref rewritten to point inside (valijson keys its
// cache by JSON pointer alone), and no "format" (see strip_formats).
nlohmann::json bundled_schema(const nlohmann::json& subschema, PlanSchemas plan = PlanSchemas::checked);

// kInvalidParams when `params` do not match what openrpc.json documents for `method`; nullopt when
// they do, or when the method is not in the document (a test's own, say).
std::optional<RpcError> params_refusal(const std::string& method, const nlohmann::json& params);

}  // namespace lorsync::api
