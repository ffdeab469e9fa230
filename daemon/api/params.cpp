#include "api/params.hpp"

#include "api/errors.hpp"

#include "common/resources.hpp"
#include "common/text.hpp"
#include "model/entities.hpp"
#include "validation/schema_set.hpp"
#include "validation/validator.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <map>
#include <mutex>
#include <memory>

namespace lorsync::api {

using nlohmann::json;

namespace {

constexpr const char* kComponents = "/definitions/c";

const std::vector<resources::EmbeddedFile>& plan_schema_files() { return resources::schemas(); }

// The node of a plan schema a "FILE#/pointer" $ref names; null when there is none.
json plan_schema_node(const std::string& file, const std::string& pointer) {
  for (const auto& embedded : plan_schema_files()) {
    if (embedded.path != file) continue;
    json schema = json::parse(embedded.contents);
    json::json_pointer at(pointer);
    return schema.contains(at) ? schema.at(at) : json();
  }
  return json();
}

// What a value the store checks must be here: of the type the plan schema gives it, if it gives one.
json type_only(const json& plan_node) {
  if (plan_node.is_object() && plan_node.contains("type")) return {{"type", plan_node["type"]}};
  return json::object();
}

// Points every $ref of `node` (found in the plan schema `file`, or in openrpc.json when empty) into the bundle.
void rewrite_refs(json& node, const std::string& file, PlanSchemas plan) {
  if (node.is_array()) {
    for (auto& item : node) rewrite_refs(item, file, plan);
    return;
  }
  if (!node.is_object()) return;
  if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string()) {
    const std::string target = ref->get<std::string>();
    const size_t hash = target.find('#');
    const std::string target_file = hash == 0 ? file : target.substr(0, hash);
    const std::string pointer = hash == std::string::npos ? "" : target.substr(hash + 1);
    if (plan == PlanSchemas::left_to_the_store && file.empty() && !target_file.empty()) {
      node = pointer.empty() ? json::object() : type_only(plan_schema_node(target_file, pointer));
      return;
    }
    if (target_file.empty() && pointer.starts_with("/components/"))
      *ref = "#" + std::string(kComponents) + pointer.substr(std::string("/components").size());
    else
      *ref = "#/definitions/" + target_file + pointer;
  }
  for (auto& [key, value] : node.items())
    if (key != "$ref") rewrite_refs(value, file, plan);
}

// The node at a "#/..." $ref of the bundle, following a chain of them; also the last title met on the way
// (the name of what the value should be: Id, Date).
const json& follow_refs(const json& bundle, const json& node, std::string& title) {
  const json* at = &node;
  for (int hops = 0; hops < 16 && at->is_object(); ++hops) {
    if (auto named = at->find("title"); named != at->end() && named->is_string()) title = named->get<std::string>();
    auto ref = at->find("$ref");
    if (ref == at->end() || !ref->is_string() || !ref->get_ref<const std::string&>().starts_with("#")) break;
    at = &bundle.at(json::json_pointer(ref->get<std::string>().substr(1)));
  }
  if (auto named = at->find("title"); at->is_object() && named != at->end() && named->is_string())
    title = named->get<std::string>();
  return *at;
}

struct MethodParams {
  json bundle;  // the object schema of the params, self-contained
  valijson::Schema compiled;
};

// The params of a method as one object schema: each documented param a property, the required ones required.
json params_object_schema(const json& document, const json& params) {
  json properties = json::object();
  json required = json::array();
  for (const auto& listed : params) {
    const json& param = listed.contains("$ref")
                            ? document.at(json::json_pointer(listed["$ref"].get<std::string>().substr(1)))
                            : listed;
    properties[param["name"].get<std::string>()] = param.value("schema", json::object());
    if (param.value("required", false)) required.push_back(param["name"]);
  }
  return {{"type", "object"}, {"properties", properties}, {"required", required}};
}

class ParamsSchemas {
 public:
  static const ParamsSchemas& instance() {
    static const ParamsSchemas schemas;
    return schemas;
  }

  // Compiled on the method's first call: each bundle holds the whole API's components, and a daemon that is
  // never asked a method need not hold its schema (about 2 MB for them all).
  const MethodParams* of(const std::string& method) const {
    auto found = methods_.find(method);
    if (found == methods_.end()) return nullptr;
    Entry& entry = *found->second;
    std::call_once(entry.compiled_once, [&] {
      entry.params.bundle =
          bundled_schema(params_object_schema(api_description(), *entry.documented), PlanSchemas::left_to_the_store);
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(entry.params.bundle);
      parser.populateSchema(adapter, entry.params.compiled);
    });
    return &entry.params;
  }

 private:
  struct Entry {
    const json* documented = nullptr;  // the method's "params" in openrpc.json
    std::once_flag compiled_once;
    MethodParams params;
  };

  ParamsSchemas() {
    for (const auto& method : api_description()["methods"]) {
      if (method["params"].empty()) continue;
      auto entry = std::make_unique<Entry>();
      entry->documented = &method["params"];
      methods_.emplace(method["name"].get<std::string>(), std::move(entry));
    }
  }

  std::map<std::string, std::unique_ptr<Entry>> methods_;
};

// "params.letters[2]", "params.set.waived": where the value is, as a client wrote it.
std::string shown_path(const std::vector<std::string>& path, const json& params) {
  std::string out = "params";
  const json* at = &params;
  for (const auto& segment : path) {
    if (at && at->is_array()) {
      out += "[" + segment + "]";
      size_t index = std::strtoul(segment.c_str(), nullptr, 10);
      at = index < at->size() ? &(*at)[index] : nullptr;
    } else {
      out += "." + segment;
      at = at && at->is_object() && at->contains(segment) ? &(*at)[segment] : nullptr;
    }
  }
  return out;
}

const json* value_at(const json& params, const std::vector<std::string>& path) {
  const json* at = &params;
  for (const auto& segment : path) {
    if (at->is_array()) {
      size_t index = std::strtoul(segment.c_str(), nullptr, 10);
      if (index >= at->size()) return nullptr;
      at = &(*at)[index];
    } else if (at->is_object() && at->contains(segment)) {
      at = &(*at)[segment];
    } else {
      return nullptr;
    }
  }
  return at;
}

// The schema of the value at `path`, and the name (title) of what it should be.
const json* schema_at(const json& bundle, const std::vector<std::string>& path, std::string& title) {
  const json* at = &follow_refs(bundle, bundle, title);
  for (const auto& segment : path) {
    title.clear();
    const json* next = nullptr;
    if (auto properties = at->find("properties"); properties != at->end() && properties->contains(segment))
      next = &(*properties)[segment];
    else if (auto items = at->find("items"); items != at->end() && items->is_object())
      next = &*items;
    if (!next) return nullptr;
    at = &follow_refs(bundle, *next, title);
  }
  return at;
}

std::string range_words(const json& schema) {
  auto min = schema.find("minimum"), max = schema.find("maximum");
  if (min != schema.end() && max != schema.end()) return " from " + min->dump() + " to " + max->dump();
  if (min != schema.end()) return " of at least " + min->dump();
  if (max != schema.end()) return " of at most " + max->dump();
  return "";
}

// A value that does not have its documented form, said as the CLI says it for the values a user types.
std::string bad_form(const std::string& where, const std::string& title, const json* value, const json* schema) {
  const std::string text = value && value->is_string() ? value->get<std::string>() : (value ? value->dump() : "");
  if (title == "Id") return invalid_id_message(text);
  if (title == "Date") {
    auto date = parse_event_date(text);
    if (!date) return where + " " + date.error().message;
  }
  std::string what = schema && schema->contains("description") ? (*schema)["description"].get<std::string>() : title;
  return where + " does not have the documented form" + (what.empty() ? "" : ": " + what);
}

std::string refusal_message(const valijson::ValidationResults::Error& error, const json& bundle, const json& params) {
  const std::string& text = error.description;
  std::vector<std::string> path = schema_error_path(error.context);
  if (text.starts_with("Missing required property")) {
    size_t last = text.rfind('\'');
    size_t first = last == std::string::npos || last == 0 ? std::string::npos : text.rfind('\'', last - 1);
    if (first != std::string::npos) path.push_back(text.substr(first + 1, last - first - 1));
    return shown_path(path, params) + " is required";
  }
  const std::string where = shown_path(path, params);
  std::string title;
  const json* schema = schema_at(bundle, path, title);
  const json* value = value_at(params, path);
  if (text.starts_with("Failed to match against any enum values") && schema && schema->contains("enum")) {
    std::vector<std::string> allowed;
    for (const auto& option : (*schema)["enum"]) allowed.push_back(option.is_string() ? option.get<std::string>() : option.dump());
    std::string given = value && value->is_string() ? value->get<std::string>() : "";
    return where + " must be one of: " + join(allowed, ", ") + did_you_mean(given, allowed);
  }
  if (text.starts_with("Value type not permitted") && schema && schema->contains("type"))
    return where + " must be " + describe_type((*schema)["type"]) + (schema ? range_words(*schema) : "");
  if (text.starts_with("Expected number") || text.find("than maximum") != std::string::npos ||
      text.find("than minimum") != std::string::npos)
    return where + " must be " + describe_type(schema ? schema->value("type", json("number")) : json("number")) +
           (schema ? range_words(*schema) : "");
  if (text.starts_with("Failed to match regex")) return bad_form(where, title, value, schema);
  if (text.starts_with("Elements at indexes") || text.starts_with("Array contains duplicate"))
    return where + " names the same value twice";
  if (text.find("String should be no more than") != std::string::npos && schema && schema->contains("maxLength"))
    return where + " must be at most " + (*schema)["maxLength"].dump() + " characters";
  return where + ": " + text;
}

}  // namespace

const json& api_description() {
  static const json document = [] {
    for (const auto& file : resources::api_description())
      if (file.path == "openrpc.json") return json::parse(file.contents);
    return json::object();
  }();
  return document;
}

json bundled_schema(const json& subschema, PlanSchemas plan) {
  const json& document = api_description();
  json bundle = json::object();
  json components = document.value("components", json::object());
  rewrite_refs(components, "", plan);
  bundle["definitions"]["c"] = std::move(components);
  for (const auto& file : plan == PlanSchemas::checked ? plan_schema_files() : std::vector<resources::EmbeddedFile>{}) {
    json schema = json::parse(file.contents);
    rewrite_refs(schema, std::string(file.path), plan);
    bundle["definitions"][std::string(file.path)] = std::move(schema);
  }
  json target = subschema;
  rewrite_refs(target, "", plan);
  for (auto& [key, value] : target.items()) bundle[key] = value;
  strip_formats(bundle);
  return bundle;
}

std::optional<RpcError> params_refusal(const std::string& method, const json& params) {
  const MethodParams* documented = ParamsSchemas::instance().of(method);
  if (!documented) return std::nullopt;
  // valijson keeps each `pattern`'s compiled regex in its Validator; one per thread lives on.
  thread_local valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(params);
  if (validator.validate(documented->compiled, target, &results)) return std::nullopt;
  valijson::ValidationResults::Error error;
  std::optional<std::string> message;
  while (results.popError(error))
    if (!is_enclosing_failure(error.description)) {
      message = refusal_message(error, documented->bundle, params);
      break;
    }
  return to_rpc_error(
      make_error(ErrorCode::usage, message.value_or("params do not match what the API documents for " + method)));
}

}  // namespace lorsync::api
