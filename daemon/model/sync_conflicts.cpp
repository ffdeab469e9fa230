#include "model/sync_conflicts.hpp"

#include "common/json_members.hpp"

#include "model/front_matter_edit.hpp"
#include "model/yaml_tree.hpp"

#include <algorithm>
#include <array>

namespace lorsync {
namespace {

struct ConflictField {
  const char* key;
  std::string SyncConflict::*member;
};

constexpr std::array<ConflictField, 6> kFields = {{
    {"path", &SyncConflict::path},
    {"field", &SyncConflict::field},
    {"kept", &SyncConflict::kept_value},
    {"lost", &SyncConflict::lost_value},
    {"kept_device", &SyncConflict::kept_device},
    {"lost_device", &SyncConflict::lost_device},
}};

constexpr const char* kHeader =
    "# Values two devices changed differently while apart. The kept value is in the plan;\n"
    "# the lost one is recorded here until you settle it with `lorsync resolve`.\n";

Diagnostic problem(const YamlNode& node, const std::string& field, const std::string& message) {
  return Diagnostic{SourceRef{kSyncConflictsPath, node.line + 1, node.column + 1, field}, message};
}

}  // namespace

std::string describe(const SyncConflict& c) {
  if (c.field == "file")
    return c.path + ": changed on " + c.kept_device + " and on " + c.lost_device + "; " + c.kept_device +
           "'s version kept, " + c.lost_device + "'s saved as " + c.lost_value;
  const std::string changed = c.path + ": " + c.field + " changed on " + c.kept_device + " and on " + c.lost_device;
  // Lines both sides changed (a letter's notes, a text file) are not lost: the merge keeps both texts.
  if (c.field == "notes" || c.field == "text")
    return changed + "; both texts are kept, " + c.kept_device + "'s first, under a lorsync note: edit it down to one";
  return changed + "; kept \"" + c.kept_value + "\" (" + c.kept_device + "'s), not \"" + c.lost_value + "\" (" +
         c.lost_device + "'s)";
}

void to_json(nlohmann::json& out, const SyncConflict& conflict) {
  out = {{"path", conflict.path},          {"field", conflict.field},
         {"kept", conflict.kept_value},    {"lost", conflict.lost_value},
         {"kept_device", conflict.kept_device}, {"lost_device", conflict.lost_device}};
}

void from_json(const nlohmann::json& in, SyncConflict& conflict) {
  conflict.path = string_member(in, "path");
  conflict.field = string_member(in, "field");
  conflict.kept_value = string_member(in, "kept");
  conflict.lost_value = string_member(in, "lost");
  conflict.kept_device = string_member(in, "kept_device");
  conflict.lost_device = string_member(in, "lost_device");
}

void normalize(std::vector<SyncConflict>& conflicts) {
  std::sort(conflicts.begin(), conflicts.end());
  conflicts.erase(std::unique(conflicts.begin(), conflicts.end()), conflicts.end());
}

ParsedSyncConflicts parse_sync_conflicts(const std::string& text) {
  ParsedSyncConflicts out;
  YamlParseResult parsed = parse_yaml(text);
  if (!parsed.root) {
    out.diagnostics.push_back(Diagnostic{
        SourceRef{kSyncConflictsPath, parsed.error->line + 1, parsed.error->column + 1, ""}, parsed.error->message});
    return out;
  }
  const YamlNode& root = *parsed.root;
  if (root.kind == YamlNode::Kind::null) return out;
  const YamlNode* list = root.kind == YamlNode::Kind::mapping ? root.find("conflicts") : nullptr;
  if (!list || (list->kind != YamlNode::Kind::sequence && list->kind != YamlNode::Kind::null)) {
    out.diagnostics.push_back(problem(root, "conflicts", "expected `conflicts:` with a list of conflicts"));
    return out;
  }
  for (size_t i = 0; i < list->items.size(); ++i) {
    const YamlNode& item = list->items[i];
    const std::string where = "conflicts[" + std::to_string(i) + "]";
    if (item.kind != YamlNode::Kind::mapping) {
      out.diagnostics.push_back(problem(item, where, "expected a mapping {path, field, kept, lost, kept_device, lost_device}"));
      continue;
    }
    SyncConflict conflict;
    bool complete = true;
    for (const auto& field : kFields) {
      const YamlNode* value = item.find(field.key);
      if (!value || value->kind != YamlNode::Kind::scalar) {
        out.diagnostics.push_back(problem(item, where + "." + field.key, "missing (a text value is needed)"));
        complete = false;
        continue;
      }
      conflict.*field.member = value->text;
    }
    if (complete) out.conflicts.push_back(std::move(conflict));
  }
  return out;
}

std::string emit_sync_conflicts(std::vector<SyncConflict> conflicts) {
  normalize(conflicts);
  if (conflicts.empty()) return "";
  std::string text = kHeader;
  text += "conflicts:\n";
  for (const auto& conflict : conflicts) {
    // Keys in a fixed, readable order (a JSON object would sort them).
    std::string line = "  - {";
    for (size_t i = 0; i < kFields.size(); ++i) {
      if (i) line += ", ";
      line += std::string(kFields[i].key) + ": " + emit_flow(conflict.*kFields[i].member);
    }
    text += line + "}\n";
  }
  return text;
}

}  // namespace lorsync
