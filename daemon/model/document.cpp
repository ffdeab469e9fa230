#include "model/document.hpp"

#include "common/text.hpp"

namespace lorsync {

const char* kind_name(EntityKind kind) {
  switch (kind) {
    case EntityKind::rotation: return "rotation";
    case EntityKind::writer: return "writer";
    case EntityKind::letter: return "letter";
    case EntityKind::program: return "program";
  }
  return "";
}

const char* kind_folder(EntityKind kind) {
  switch (kind) {
    case EntityKind::rotation: return "rotations";
    case EntityKind::writer: return "writers";
    case EntityKind::letter: return "letters";
    case EntityKind::program: return "programs";
  }
  return "";
}

std::optional<EntityKind> parse_kind(std::string_view word) {
  for (EntityKind kind : kEntityKinds)
    if (word == kind_name(kind) || word == kind_folder(kind)) return kind;
  return std::nullopt;
}

Result<EntityKind> kind_from_word(std::string_view word) {
  if (auto kind = parse_kind(word)) return *kind;
  return make_error(ErrorCode::usage, in_quotes(word) + " is not a kind of entity; use rotation, writer, letter or program" +
                                          did_you_mean(std::string(word), {"rotation", "writer", "letter", "program"}));
}

std::string entity_path(EntityKind kind, std::string_view id) {
  return std::string(kind_folder(kind)) + "/" + std::string(id) + ".md";
}

DocumentKind document_kind(EntityKind kind) {
  switch (kind) {
    case EntityKind::rotation: return DocumentKind::rotation;
    case EntityKind::writer: return DocumentKind::writer;
    case EntityKind::letter: return DocumentKind::letter;
    case EntityKind::program: return DocumentKind::program;
  }
  return DocumentKind::plan;
}

namespace {

// The end of the line starting at `from` (index of '\n' or text.size()) and
// whether that line, without trailing blanks and "\r", equals `marker`.
bool line_is(std::string_view text, size_t from, std::string_view marker, size_t* line_end) {
  size_t end = text.find('\n', from);
  if (end == std::string_view::npos) end = text.size();
  *line_end = end;
  std::string_view line = text.substr(from, end - from);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line == marker;
}

Diagnostic file_diagnostic(const std::string& path, int line, int column, std::string message) {
  return Diagnostic{SourceRef{path, line, column, ""}, std::move(message)};
}

}  // namespace

ParsedDocument parse_document(DocumentKind kind, std::string path, std::string id, std::string text) {
  ParsedDocument result;
  if (auto bad = find_invalid_utf8(text)) {
    auto [line, column] = line_column_at(text, *bad);
    result.diagnostics.push_back(file_diagnostic(
        path, line, column, "the file is not valid UTF-8 text; save it as UTF-8 in your editor"));
    return result;
  }
  Document doc;
  doc.kind = kind;
  doc.id = std::move(id);
  doc.path = std::move(path);
  if (kind == DocumentKind::plan) {
    doc.yaml_begin = 0;
    doc.yaml_end = text.size();
    doc.body_begin = text.size();
    doc.yaml_first_line = 0;
  } else {
    if (text.empty()) {
      result.diagnostics.push_back(file_diagnostic(
          doc.path, 1, 1, "the file is empty; an entity file starts with a \"---\" line, its fields, and another \"---\" line"));
      return result;
    }
    size_t first_end = 0;
    if (!line_is(text, 0, "---", &first_end)) {
      result.diagnostics.push_back(file_diagnostic(
          doc.path, 1, 1, "no front matter: the file must start with a \"---\" line, then the fields, then \"---\""));
      return result;
    }
    size_t cursor = first_end + 1;
    int line_index = 1;
    bool closed = false;
    while (cursor <= text.size() && first_end < text.size()) {
      size_t end = 0;
      if (line_is(text, cursor, "---", &end) || line_is(text, cursor, "...", &end)) {
        doc.yaml_begin = first_end + 1;
        doc.yaml_end = cursor;
        doc.body_begin = end < text.size() ? end + 1 : text.size();
        closed = true;
        break;
      }
      if (end >= text.size()) break;
      cursor = end + 1;
      ++line_index;
    }
    if (!closed) {
      result.diagnostics.push_back(file_diagnostic(
          doc.path, 1, 1, "the front matter is not closed: add a \"---\" line after the last field"));
      return result;
    }
    doc.yaml_first_line = 1;
  }
  doc.text = std::move(text);
  YamlParseResult parsed = parse_yaml(doc.yaml_text());
  if (parsed.error) {
    result.diagnostics.push_back(file_diagnostic(doc.path, doc.yaml_first_line + parsed.error->line + 1,
                                                 parsed.error->column + 1, parsed.error->message));
    return result;
  }
  doc.tree = std::move(*parsed.root);
  doc.data = to_json(doc.tree);
  if (doc.data.is_null()) doc.data = nlohmann::json::object();
  result.document = std::move(doc);
  return result;
}

SourceRef locate(const Document& document, const std::vector<std::string>& field_path, bool at_key) {
  const YamlNode* node = &document.tree;
  const YamlNode* key_node = nullptr;
  for (const auto& segment : field_path) {
    const YamlNode* next = nullptr;
    if (node->kind == YamlNode::Kind::mapping) {
      for (const auto& [key, value] : node->entries) {
        if (key.text == segment) {
          key_node = &key;
          next = &value;
          break;
        }
      }
    } else if (node->kind == YamlNode::Kind::sequence) {
      char* end = nullptr;
      unsigned long index = std::strtoul(segment.c_str(), &end, 10);
      if (end && *end == '\0' && index < node->items.size()) {
        next = &node->items[index];
        key_node = nullptr;
      }
    }
    if (!next) break;
    node = next;
  }
  // A null value ("rotation:" with nothing after it) has no useful position of its own: point at its key.
  const YamlNode* anchor = ((at_key || node->kind == YamlNode::Kind::null) && key_node) ? key_node : node;
  if (document.tree.kind == YamlNode::Kind::null)
    return SourceRef{document.path, document.yaml_first_line + 1, 1, field_name(field_path)};
  return SourceRef{document.path, document.yaml_first_line + anchor->line + 1, anchor->column + 1,
                   field_name(field_path)};
}

std::string field_name(const std::vector<std::string>& field_path) {
  std::string out;
  for (const auto& segment : field_path) {
    bool index = !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (index) out += "[" + segment + "]";
    else out += (out.empty() ? "" : ".") + segment;
  }
  return out;
}

}  // namespace lorsync
