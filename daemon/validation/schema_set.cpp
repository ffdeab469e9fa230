#include "validation/schema_set.hpp"

#include "common/resources.hpp"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>

#include <regex>
#include <stdexcept>

namespace lorsync {

struct SchemaSet::Entry {
  nlohmann::json document;
  valijson::Schema compiled;
  std::vector<FieldPattern> dates;
  std::vector<ReferenceField> references;
};

namespace {

const resources::EmbeddedFile& schema_file(DocumentKind kind) {
  const std::string name = schema_file_name(kind);
  for (const auto& candidate : resources::schemas())
    if (candidate.path == name) return candidate;
  throw std::logic_error("schema not embedded: " + name);
}

const nlohmann::json* resolve_ref(const nlohmann::json& root, const nlohmann::json& node) {
  auto ref = node.find("$ref");
  if (ref == node.end() || !ref->is_string()) return nullptr;
  std::string pointer = ref->get<std::string>();
  if (!pointer.starts_with("#")) return nullptr;
  try {
    const nlohmann::json& target = root.at(nlohmann::json::json_pointer(pointer.substr(1)));
    return &target;
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

void collect_marks(const nlohmann::json& root, const nlohmann::json& node, std::vector<std::string>& path,
                   SchemaSet::Entry& entry, int depth) {
  if (!node.is_object() || depth > 32) return;
  if (auto format = node.find("format"); format != node.end() && *format == "date")
    entry.dates.push_back(FieldPattern{path});
  if (auto ref = node.find("x-lorsync-ref"); ref != node.end() && ref->is_string())
    entry.references.push_back(ReferenceField{FieldPattern{path}, ref->get<std::string>()});
  if (const nlohmann::json* target = resolve_ref(root, node)) collect_marks(root, *target, path, entry, depth + 1);
  if (auto properties = node.find("properties"); properties != node.end() && properties->is_object()) {
    for (const auto& [name, sub] : properties->items()) {
      path.push_back(name);
      collect_marks(root, sub, path, entry, depth + 1);
      path.pop_back();
    }
  }
  if (auto items = node.find("items"); items != node.end() && items->is_object()) {
    path.push_back("*");
    collect_marks(root, *items, path, entry, depth + 1);
    path.pop_back();
  }
}

}  // namespace

void strip_formats(nlohmann::json& node) {
  if (node.is_object()) {
    if (auto format = node.find("format"); format != node.end() && format->is_string()) node.erase(format);
    for (auto& [key, value] : node.items()) strip_formats(value);
  } else if (node.is_array()) {
    for (auto& value : node) strip_formats(value);
  }
}

const char* schema_file_name(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::plan: return "plan.schema.json";
    case DocumentKind::rotation: return "rotation.schema.json";
    case DocumentKind::writer: return "writer.schema.json";
    case DocumentKind::letter: return "letter.schema.json";
    case DocumentKind::program: return "program.schema.json";
  }
  return "";
}

SchemaSet::SchemaSet() = default;
SchemaSet::~SchemaSet() = default;

const SchemaSet& SchemaSet::instance() {
  static const SchemaSet set;
  return set;
}

SchemaSet::Slot& SchemaSet::slot(DocumentKind kind) const { return slots_.at(static_cast<size_t>(kind)); }

const SchemaSet::Entry& SchemaSet::entry(DocumentKind kind) const {
  Slot& s = slot(kind);
  std::call_once(s.compiled, [&] {
    auto entry = std::make_unique<Entry>();
    entry->document = nlohmann::json::parse(schema_file(kind).contents);
    std::vector<std::string> path;
    collect_marks(entry->document, entry->document, path, *entry, 0);
    nlohmann::json for_valijson = entry->document;
    strip_formats(for_valijson);
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(for_valijson);
    parser.populateSchema(adapter, entry->compiled);
    s.entry = std::move(entry);
  });
  return *s.entry;
}

const valijson::Schema& SchemaSet::entry_schema(DocumentKind kind) const { return entry(kind).compiled; }
const nlohmann::json& SchemaSet::schema_json(DocumentKind kind) const { return entry(kind).document; }
const std::vector<FieldPattern>& SchemaSet::date_fields(DocumentKind kind) const { return entry(kind).dates; }
const std::vector<ReferenceField>& SchemaSet::reference_fields(DocumentKind kind) const {
  return entry(kind).references;
}

const std::vector<std::string>& SchemaSet::field_order(DocumentKind kind) const {
  Slot& s = slot(kind);
  std::call_once(s.ordered, [&] {
    // nlohmann::json keeps keys sorted; the file's order is the one people read, so only a new file's
    // fields (which ask for it) pay for reading the schema in order.
    const auto in_file_order = nlohmann::ordered_json::parse(schema_file(kind).contents);
    for (const auto& [field, ignored] : in_file_order["properties"].items()) s.field_order.push_back(field);
  });
  return s.field_order;
}

const nlohmann::json* SchemaSet::schema_at(DocumentKind kind, const std::vector<std::string>& field_path) const {
  const nlohmann::json& root = schema_json(kind);
  const nlohmann::json* node = &root;
  auto follow = [&](const nlohmann::json* n) { return &resolved(kind, *n); };
  for (const auto& segment : field_path) {
    node = follow(node);
    if (!node || !node->is_object()) return nullptr;
    const nlohmann::json* next = nullptr;
    if (auto properties = node->find("properties"); properties != node->end() && properties->contains(segment)) {
      next = &(*properties)[segment];
    } else if (auto patterns = node->find("patternProperties"); patterns != node->end()) {
      for (const auto& [pattern, sub] : patterns->items())
        if (std::regex_search(segment, std::regex(pattern))) next = &sub;
    }
    if (!next) {
      if (auto items = node->find("items"); items != node->end() && items->is_object()) next = &*items;
    }
    if (!next) return nullptr;
    node = next;
  }
  return node;
}

const nlohmann::json& SchemaSet::resolved(DocumentKind kind, const nlohmann::json& node) const {
  const nlohmann::json* current = &node;
  for (int hops = 0; hops < 8; ++hops) {
    const nlohmann::json* target = resolve_ref(schema_json(kind), *current);
    if (!target) break;
    current = target;
  }
  return *current;
}

}  // namespace lorsync
