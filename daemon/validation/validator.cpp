#include "validation/validator.hpp"

#include "common/date.hpp"
#include "common/text.hpp"
#include "validation/schema_set.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>

namespace lorsync {
namespace {

std::string between_quotes(const std::string& text) {
  size_t last = text.rfind('\'');
  if (last == std::string::npos || last == 0) return {};
  size_t first = text.rfind('\'', last - 1);
  if (first == std::string::npos) return {};
  return text.substr(first + 1, last - first - 1);
}

const nlohmann::json* value_at(const nlohmann::json& data, const std::vector<std::string>& path) {
  const nlohmann::json* node = &data;
  for (const auto& segment : path) {
    if (node->is_object()) {
      auto found = node->find(segment);
      if (found == node->end()) return nullptr;
      node = &*found;
    } else if (node->is_array()) {
      size_t index = std::strtoul(segment.c_str(), nullptr, 10);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

std::string show_value(const nlohmann::json& value) {
  if (value.is_string()) return in_quotes(value.get<std::string>());
  if (value.is_null()) return "nothing";
  std::string dumped = value.dump();
  return dumped.size() > 60 ? dumped.substr(0, 57) + "..." : dumped;
}

std::vector<std::string> string_list(const nlohmann::json& array) {
  std::vector<std::string> out;
  for (const auto& item : array) out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  return out;
}

class DocumentChecker {
 public:
  explicit DocumentChecker(const Document& document)
      : doc_(document), schemas_(SchemaSet::instance()) {}

  std::vector<Diagnostic> run() {
    // valijson caches compiled `pattern` regexes per Validator; building them is
    // most of the cost of validating a small file, so one Validator per thread lives on.
    thread_local valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(doc_.data);
    validator.validate(schemas_.entry_schema(doc_.kind), target, &results);
    valijson::ValidationResults::Error error;
    while (results.popError(error)) translate(error);
    check_dates();
    std::stable_sort(out_.begin(), out_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    out_.erase(std::unique(out_.begin(), out_.end(),
                           [](const Diagnostic& a, const Diagnostic& b) {
                             return a.where.line == b.where.line && a.where.field == b.where.field &&
                                    a.message == b.message;
                           }),
               out_.end());
    return std::move(out_);
  }

 private:
  const Document& doc_;
  const SchemaSet& schemas_;
  std::vector<Diagnostic> out_;

  void add(const std::vector<std::string>& path, std::string message) {
    out_.push_back(Diagnostic{locate(doc_, path), std::move(message)});
  }

  void translate(const valijson::ValidationResults::Error& error) {
    const std::string& text = error.description;
    if (is_enclosing_failure(text)) return;

    std::vector<std::string> path = schema_error_path(error.context);
    const nlohmann::json* schema = schemas_.schema_at(doc_.kind, path);
    const nlohmann::json* value = value_at(doc_.data, path);

    if (text.starts_with("Object contains a property that could not be validated")) {
      std::string key = between_quotes(text);
      std::vector<std::string> known;
      if (schema) {
        const auto& object_schema = schemas_.resolved(doc_.kind, *schema);
        if (auto properties = object_schema.find("properties"); properties != object_schema.end())
          for (const auto& [name, sub] : properties->items()) known.push_back(name);
      }
      auto child = path;
      child.push_back(key);
      std::string hint = did_you_mean(key, known);
      if (hint.empty())
        hint = known.empty() ? "" : " (known fields: " + join(known, ", ") + "; custom fields start with \"x-\")";
      out_.push_back(Diagnostic{locate(doc_, child, true), "unknown field" + hint});
      return;
    }
    if (text.starts_with("Missing required property")) {
      auto child = path;
      child.push_back(between_quotes(text));
      out_.push_back(Diagnostic{locate(doc_, path), "required field is missing"});
      out_.back().where.field = field_name(child);
      return;
    }
    const nlohmann::json* resolved = schema ? &schemas_.resolved(doc_.kind, *schema) : nullptr;
    if (text.starts_with("Failed to match against any enum values") && resolved && resolved->contains("enum")) {
      auto allowed = string_list((*resolved)["enum"]);
      std::string given = value && value->is_string() ? value->get<std::string>() : (value ? value->dump() : "");
      add(path, (value ? show_value(*value) : std::string("the value")) + " is not one of: " + join(allowed, ", ") +
                    did_you_mean(given, allowed));
      return;
    }
    if (text.starts_with("Value type not permitted") && resolved && resolved->contains("type")) {
      std::string got = value ? show_value(*value) : "nothing";
      std::string hint;
      if (value && value->is_string() && (*resolved)["type"] == "boolean") hint = " (write true or false, without quotes)";
      add(path, "expected " + describe_type((*resolved)["type"]) + ", got " + got + hint);
      return;
    }
    if (text.starts_with("Failed to match regex")) {
      std::string ref = schema && schema->contains("$ref") ? (*schema)["$ref"].get<std::string>() : "";
      std::string shown = value ? show_value(*value) : "the value";
      if (ref.ends_with("/date")) add(path, shown + " is not a date; write it as YYYY-MM-DD, e.g. 2026-09-24");
      else if (ref.ends_with("/id"))
        add(path, shown + " is not a valid id; " + id_advice(value && value->is_string() ? value->get<std::string>() : ""));
      else if (resolved && resolved->contains("pattern"))
        add(path, shown + " does not have the expected form " + (*resolved)["pattern"].get<std::string>());
      else add(path, shown + " does not have the expected form");
      return;
    }
    if (text.starts_with("Elements at indexes")) {
      add(path, "the list names the same value twice");
      return;
    }
    add(path, (value ? show_value(*value) + ": " : std::string()) + text);
  }

  void check_dates() {
    for (const auto& pattern : schemas_.date_fields(doc_.kind)) {
      std::vector<std::string> path;
      for_each_match(doc_.data, pattern, 0, path, [&](const std::vector<std::string>& at, const nlohmann::json& v) {
        if (!v.is_string()) return;  // the type check reports it
        const std::string& text = v.get_ref<const std::string&>();
        bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
        if (shaped && !parse_date(text))
          add(at, in_quotes(text) + " is not a real calendar date from " + std::to_string(kFirstYear) + " to " +
                      std::to_string(kLastYear));
      });
    }
  }
};

}  // namespace

std::vector<std::string> schema_error_path(const std::vector<std::string>& context) {
  std::vector<std::string> path;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') path.push_back(part.substr(1, part.size() - 2));
    else path.push_back(part);
  }
  return path;
}

bool is_enclosing_failure(const std::string& description) {
  static const char* const wrappers[] = {"Failed to validate against schema associated with",
                                         "Failed to validate item #", "Failed to validate against additional",
                                         "Failed to validate against any", "Failed to validate against all",
                                         "Failed to validate against child", "Failed to validate against exactly",
                                         "Failed to validate against dependent"};
  for (const char* wrapper : wrappers)
    if (description.starts_with(wrapper)) return true;
  return false;
}

std::string describe_type(const nlohmann::json& type) {
  auto one = [](const std::string& t) -> std::string {
    if (t == "boolean") return "true or false";
    if (t == "integer") return "a whole number";
    if (t == "number") return "a number";
    if (t == "string") return "text";
    if (t == "array") return "a list";
    if (t == "object") return "a mapping of fields";
    if (t == "null") return "nothing";
    return t;
  };
  if (type.is_string()) return one(type.get<std::string>());
  std::vector<std::string> parts;
  if (type.is_array())
    for (const auto& t : type) parts.push_back(one(t.get<std::string>()));
  return join(parts, " or ");
}

std::vector<Diagnostic> validate_document(const Document& document) {
  return DocumentChecker(document).run();
}

namespace {

// The season runs submit → programs review → Match Day; a later date set before an earlier one is a
// typo (a year off) that would make every deadline wrong.
void check_date_order(const Document& plan, std::vector<Diagnostic>& out) {
  const nlohmann::json* dates = value_at(plan.data, {"dates"});
  if (!dates || !dates->is_object()) return;
  auto date_of = [&](const char* key) -> std::optional<Date> {
    auto found = dates->find(key);
    if (found == dates->end() || !found->is_string()) return std::nullopt;
    return parse_date(found->get<std::string>());
  };
  const char* order[] = {"eras_submit", "programs_review", "match_day"};
  for (size_t later = 1; later < std::size(order); ++later)
    for (size_t earlier = 0; earlier < later; ++earlier) {
      auto first = date_of(order[earlier]), second = date_of(order[later]);
      if (!first || !second || !(*second < *first)) continue;
      out.push_back(Diagnostic{locate(plan, {"dates", order[later]}),
                               std::string(order[later]) + " (" + format_date(*second) + ") is before " +
                                   order[earlier] + " (" + format_date(*first) + "); the season runs eras_submit, "
                                   "programs_review, then match_day"});
      break;  // one problem per date: the earliest date it contradicts
    }
}

}  // namespace

std::vector<Diagnostic> check_references(const Document& document, const IdLookup& ids) {
  std::vector<Diagnostic> out;
  const SchemaSet& schemas = SchemaSet::instance();
  for (const auto& reference : schemas.reference_fields(document.kind)) {
    const std::vector<std::string>& known = ids(reference.target_folder);
    std::vector<std::string> path;
    for_each_match(document.data, reference.field, 0, path,
                   [&](const std::vector<std::string>& at, const nlohmann::json& v) {
                     if (!v.is_string()) return;
                     const std::string& id = v.get_ref<const std::string&>();
                     if (std::binary_search(known.begin(), known.end(), id)) return;
                     out.push_back(Diagnostic{locate(document, at), "no " + reference.target_folder + "/" + id +
                                                                       ".md in this plan" + did_you_mean(id, known)});
                   });
  }
  // Bounds that draft-07 cannot relate to each other.
  auto check_bounds = [&](std::vector<std::string> object_path) {
    const nlohmann::json* object = value_at(document.data, object_path);
    if (!object || !object->is_object()) return;
    auto min = object->find("letters_min"), max = object->find("letters_max");
    if (min == object->end() || max == object->end() || !min->is_number_integer() || !max->is_number_integer())
      return;
    if (min->get<int>() > max->get<int>()) {
      object_path.push_back("letters_min");
      out.push_back(Diagnostic{locate(document, object_path), "letters_min (" + std::to_string(min->get<int>()) +
                                                                   ") is more than letters_max (" +
                                                                   std::to_string(max->get<int>()) + ")"});
    }
  };
  if (document.kind == DocumentKind::plan) {
    check_bounds({"policy"});
    check_date_order(document, out);
  }
  if (document.kind == DocumentKind::program) check_bounds({"requires"});
  if (document.kind == DocumentKind::rotation) {
    auto start = document.data.find("start"), end = document.data.find("end");
    if (start != document.data.end() && end != document.data.end() && start->is_string() && end->is_string()) {
      auto s = parse_date(start->get<std::string>()), e = parse_date(end->get<std::string>());
      if (s && e && *e < *s) out.push_back(Diagnostic{locate(document, {"end"}), "the rotation ends before it starts"});
    }
  }
  return out;
}

}  // namespace lorsync
