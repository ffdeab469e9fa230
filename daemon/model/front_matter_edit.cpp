#include "model/front_matter_edit.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace lorsync {
namespace {

// Characters written as escapes: the controls YAML refuses raw, and those that YAML 1.1 readers (PyYAML) take for
// line breaks or drop: NEL, the line and paragraph separators, the byte order mark.
bool must_be_escaped(char32_t value) {
  return value < 0x20 || (value >= 0x7F && value <= 0x9F) || value == 0x2028 || value == 0x2029 || value == 0xFEFF;
}

// A YAML double-quoted scalar that reads back as `text`, every character must_be_escaped escaped (JSON's escaping
// would leave DEL, C1 and the separators raw); a byte that is not UTF-8 becomes U+FFFD (apply_one refuses such
// edits; an edit's summary still needs a line).
std::string double_quoted(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    std::optional<CodePoint> point = code_point_at(text, i);
    char32_t value = point ? point->value : 0xFFFD;
    if (value == '"' || value == '\\') {
      out += '\\';
      out += static_cast<char>(value);
    } else if (value == '\n') {
      out += "\\n";
    } else if (value == '\t') {
      out += "\\t";
    } else if (must_be_escaped(value)) {
      char escape[8];
      std::snprintf(escape, sizeof escape, value > 0xFF ? "\\u%04X" : "\\x%02X", static_cast<unsigned>(value));
      out += escape;
    } else if (!point) {
      out += "\\uFFFD";
    } else {
      out += text.substr(i, point->length);
    }
    i += point ? point->length : 1;
  }
  return out + "\"";
}

bool plain_safe(const std::string& s) {
  if (s.empty() || s.size() > 200) return false;
  if (s.front() == ' ' || s.back() == ' ') return false;
  static const std::string bad_first = "-?:,[]{}#&*!|>'\"%@`";
  if (bad_first.find(s.front()) != std::string::npos) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == ',' || c == '[' || c == ']' || c == '{' || c == '}')
      return false;
  }
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':') return false;
  for (size_t i = 0; i < s.size();) {
    std::optional<CodePoint> point = code_point_at(s, i);
    if (!point || must_be_escaped(point->value)) return false;
    i += point->length;
  }
  return resolve_plain_scalar(s).is_string();
}

struct Lines {
  std::vector<std::string> lines;  // without '\n'; a CRLF file keeps its '\r'
  std::string eol_suffix;          // "\r" for CRLF files

  explicit Lines(std::string_view text) {
    size_t start = 0;
    while (true) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) {
        lines.emplace_back(text.substr(start));
        break;
      }
      lines.emplace_back(text.substr(start, end - start));
      start = end + 1;
    }
    for (const auto& line : lines)
      if (!line.empty()) {
        if (line.back() == '\r') eol_suffix = "\r";
        break;
      }
  }
  std::string joined() const { return join(lines, "\n"); }
  void insert(size_t at, const std::vector<std::string>& added) {
    std::vector<std::string> with_eol;
    for (const auto& line : added) with_eol.push_back(line + eol_suffix);
    lines.insert(lines.begin() + static_cast<long>(at), with_eol.begin(), with_eol.end());
  }
  void replace(size_t first, size_t last, const std::vector<std::string>& added) {
    lines.erase(lines.begin() + static_cast<long>(first), lines.begin() + static_cast<long>(last) + 1);
    insert(first, added);
  }
};

bool blank_or_comment(const std::string& line) {
  size_t first = line.find_first_not_of(" \t\r");
  return first == std::string::npos || line[first] == '#';
}

// An entry of a block mapping with the lines it spans (inclusive).
struct EntrySpan {
  const YamlNode* key = nullptr;
  const YamlNode* value = nullptr;
  const YamlNode* mapping = nullptr;  // the mapping holding it
  size_t index = 0;
  int first_line = 0, last_line = 0;
  int mapping_end = 0;  // first line after the mapping that holds this entry
};

int entry_last_line(const Lines& lines, const YamlNode& mapping, size_t index, int mapping_end) {
  int next = index + 1 < mapping.entries.size() ? mapping.entries[index + 1].first.line : mapping_end;
  int last = next - 1;
  int key_line = mapping.entries[index].first.line;
  while (last > key_line && (last >= static_cast<int>(lines.lines.size()) || blank_or_comment(lines.lines[last]))) --last;
  // Comment lines right below, indented past the key, are a note on this entry: keep them with it.
  size_t key_column = static_cast<size_t>(mapping.entries[index].first.column);
  while (last + 1 < next && last + 1 < static_cast<int>(lines.lines.size())) {
    const std::string& line = lines.lines[last + 1];
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] != '#' || first <= key_column) break;
    ++last;
  }
  return last;
}

// The last line of a block mapping's last entry, or -1 when the mapping has none.
int mapping_last_line(const Lines& lines, const YamlNode& mapping, int mapping_end) {
  if (mapping.entries.empty()) return -1;
  return entry_last_line(lines, mapping, mapping.entries.size() - 1, mapping_end);
}

// Walks `path` through block mappings as far as it exists.
std::vector<EntrySpan> walk(const Lines& lines, const YamlNode& root, const std::vector<std::string>& path) {
  std::vector<EntrySpan> chain;
  const YamlNode* node = &root;
  int end = static_cast<int>(lines.lines.size());
  for (const auto& segment : path) {
    if (node->kind != YamlNode::Kind::mapping || node->flow) break;
    bool found = false;
    for (size_t i = 0; i < node->entries.size(); ++i) {
      if (node->entries[i].first.text != segment) continue;
      EntrySpan span;
      span.key = &node->entries[i].first;
      span.value = &node->entries[i].second;
      span.mapping = node;
      span.index = i;
      span.first_line = span.key->line;
      span.last_line = entry_last_line(lines, *node, i, end);
      span.mapping_end = end;
      chain.push_back(span);
      node = span.value;
      end = span.last_line + 1;
      found = true;
      break;
    }
    if (!found) break;
  }
  return chain;
}

std::string key_text(const std::string& key) { return plain_safe(key) ? key : double_quoted(key); }

// `key: value` lines at `indent`: scalars and lists of scalars inline, mappings
// as nested blocks, lists holding mappings as block lists of inline mappings.
void emit_entry(std::vector<std::string>& out, int indent, const std::string& key, const nlohmann::json& value) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (value.is_object() && !value.empty()) {
    out.push_back(pad + key_text(key) + ":");
    for (const auto& [k, v] : value.items()) emit_entry(out, indent + 2, k, v);
    return;
  }
  bool block_list = value.is_array() && std::any_of(value.begin(), value.end(), [](const nlohmann::json& item) {
                      return item.is_object() || item.is_array();
                    });
  if (block_list) {
    out.push_back(pad + key_text(key) + ":");
    for (const auto& item : value) out.push_back(pad + "  - " + emit_flow(item));
    return;
  }
  out.push_back(pad + key_text(key) + ": " + emit_flow(value));
}

// The column where a one-line value that starts at `from` ends.
std::optional<size_t> value_end(const std::string& line, size_t from) {
  if (from >= line.size()) return std::nullopt;
  char open = line[from];
  if (open == '"' || open == '\'') {
    for (size_t i = from + 1; i < line.size(); ++i) {
      if (open == '"' && line[i] == '\\') { ++i; continue; }
      if (line[i] == open) {
        if (open == '\'' && i + 1 < line.size() && line[i + 1] == '\'') { ++i; continue; }
        return i + 1;
      }
    }
    return std::nullopt;
  }
  if (open == '[' || open == '{') {
    int depth = 0;
    char quote = 0;
    for (size_t i = from; i < line.size(); ++i) {
      char c = line[i];
      if (quote) {
        if (quote == '"' && c == '\\') ++i;
        else if (c == quote) quote = 0;
        continue;
      }
      if (c == '"' || c == '\'') quote = c;
      else if (c == '[' || c == '{') ++depth;
      else if ((c == ']' || c == '}') && --depth == 0) return i + 1;
    }
    return std::nullopt;
  }
  size_t end = line.size();
  for (size_t i = from; i + 1 < line.size(); ++i)
    if ((line[i] == ' ' || line[i] == '\t') && line[i + 1] == '#') { end = i; break; }
  while (end > from && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r')) --end;
  return end;
}

nlohmann::json apply_to_data(nlohmann::json data, const FieldEdit& edit) {
  nlohmann::json* node = &data;
  for (size_t i = 0; i + 1 < edit.path.size(); ++i) {
    if (!node->is_object()) *node = nlohmann::json::object();
    node = &(*node)[edit.path[i]];
  }
  if (!node->is_object()) *node = nlohmann::json::object();
  const std::string& last = edit.path.back();
  switch (edit.op) {
    case FieldEdit::Op::set: (*node)[last] = edit.value; break;
    case FieldEdit::Op::remove: node->erase(last); break;
    case FieldEdit::Op::append:
    case FieldEdit::Op::include: {
      nlohmann::json& list = (*node)[last];
      if (!list.is_array()) list = nlohmann::json::array();
      if (edit.op == FieldEdit::Op::append || std::find(list.begin(), list.end(), edit.value) == list.end())
        list.push_back(edit.value);
      break;
    }
  }
  return data;
}

const nlohmann::json* data_at(const nlohmann::json& data, const std::vector<std::string>& path, size_t length) {
  const nlohmann::json* node = &data;
  for (size_t i = 0; i < length; ++i) {
    if (!node->is_object() || !node->contains(path[i])) return nullptr;
    node = &(*node)[path[i]];
  }
  return node;
}

// Inserts the entry for path[depth..] (built from `expected`) at the end of a block mapping.
void insert_into_mapping(Lines& lines, const YamlNode& mapping, int mapping_end, int default_indent,
                         const std::vector<std::string>& path, size_t depth, const nlohmann::json& expected) {
  const nlohmann::json* value = data_at(expected, path, depth + 1);
  std::vector<std::string> added;
  int indent = mapping.entries.empty() ? default_indent : mapping.entries.front().first.column;
  emit_entry(added, indent, path[depth], value ? *value : nlohmann::json());
  int last = mapping_last_line(lines, mapping, mapping_end);
  lines.insert(static_cast<size_t>(last + 1), added);
}

std::optional<std::string> precise_edit(const Document& doc, const FieldEdit& edit, const nlohmann::json& expected) {
  Lines lines(doc.yaml_text());
  const YamlNode& root = doc.tree;
  if (root.kind != YamlNode::Kind::null && (root.kind != YamlNode::Kind::mapping || root.flow)) return std::nullopt;
  std::vector<EntrySpan> chain = walk(lines, root, edit.path);
  const bool complete = chain.size() == edit.path.size();

  if (edit.op == FieldEdit::Op::remove) {
    if (!complete) return std::string(doc.yaml_text());
    const EntrySpan& span = chain.back();
    if (span.mapping->entries.size() > 1 || chain.size() == 1) {
      lines.lines.erase(lines.lines.begin() + span.first_line, lines.lines.begin() + span.last_line + 1);
      return lines.joined();
    }
    return std::nullopt;  // the enclosing mapping would become empty: rewrite it instead
  }

  if (edit.op == FieldEdit::Op::append && complete) {
    const EntrySpan& span = chain.back();
    const YamlNode& list = *span.value;
    if (list.kind == YamlNode::Kind::sequence && !list.flow && !list.items.empty()) {
      const YamlNode& first = list.items.front();
      const std::string& line = lines.lines[first.line];
      size_t dash = line.rfind('-', static_cast<size_t>(first.column));
      if (dash == std::string::npos) return std::nullopt;
      lines.insert(static_cast<size_t>(span.last_line + 1), {std::string(dash, ' ') + "- " + emit_flow(edit.value)});
      return lines.joined();
    }
  }

  const nlohmann::json* target = data_at(expected, edit.path, edit.path.size());
  if (complete) {
    const EntrySpan& span = chain.back();
    const YamlNode& value = *span.value;
    bool one_line = span.first_line == span.last_line && value.line == span.key->line;
    bool inline_value = value.kind == YamlNode::Kind::scalar || (value.flow && value.kind != YamlNode::Kind::null);
    bool inline_target = target && !(target->is_object() && !target->empty()) &&
                         !(target->is_array() && std::any_of(target->begin(), target->end(), [](const auto& item) {
                             return item.is_object() || item.is_array();
                           }));
    if (one_line && inline_value && inline_target && value.kind != YamlNode::Kind::null) {
      std::string& line = lines.lines[span.first_line];
      auto end = value_end(line, static_cast<size_t>(value.column));
      if (end) {
        line.replace(static_cast<size_t>(value.column), *end - static_cast<size_t>(value.column), emit_flow(*target));
        return lines.joined();
      }
    }
    std::vector<std::string> added;
    emit_entry(added, span.key->column, span.key->text, target ? *target : nlohmann::json());
    lines.replace(static_cast<size_t>(span.first_line), static_cast<size_t>(span.last_line), added);
    return lines.joined();
  }

  // Part of the path is missing: add it to the deepest block mapping that exists.
  if (chain.empty()) {
    if (root.kind == YamlNode::Kind::null) {
      std::vector<std::string> added;
      const nlohmann::json* value = data_at(expected, edit.path, 1);
      emit_entry(added, 0, edit.path[0], value ? *value : nlohmann::json());
      // Keep any comments of an otherwise empty front matter above the new field.
      size_t at = lines.lines.size();
      while (at > 0 && (lines.lines[at - 1].empty() || lines.lines[at - 1] == "\r")) --at;
      lines.insert(at, added);
      return lines.joined();
    }
    insert_into_mapping(lines, root, static_cast<int>(lines.lines.size()), 0, edit.path, 0, expected);
    return lines.joined();
  }
  const EntrySpan& span = chain.back();
  if (span.value->kind == YamlNode::Kind::mapping && !span.value->flow && !span.value->entries.empty()) {
    insert_into_mapping(lines, *span.value, span.last_line + 1, span.key->column + 2, edit.path, chain.size(),
                        expected);
    return lines.joined();
  }
  const nlohmann::json* value = data_at(expected, edit.path, chain.size());
  std::vector<std::string> added;
  emit_entry(added, span.key->column, span.key->text, value ? *value : nlohmann::json());
  lines.replace(static_cast<size_t>(span.first_line), static_cast<size_t>(span.last_line), added);
  return lines.joined();
}

// Last resort: rewrite the whole top-level entry the edit touches (its inner comments are lost, nothing else).
std::optional<std::string> rewrite_top_entry(const Document& doc, const FieldEdit& edit, const nlohmann::json& expected) {
  Lines lines(doc.yaml_text());
  const YamlNode& root = doc.tree;
  if (root.kind != YamlNode::Kind::mapping || root.flow) {
    std::vector<std::string> out;
    for (const auto& [k, v] : expected.items()) emit_entry(out, 0, k, v);
    return join(out, lines.eol_suffix + "\n") + (out.empty() ? "" : lines.eol_suffix + "\n");
  }
  FieldEdit top{FieldEdit::Op::set, {edit.path.front()}, nlohmann::json()};
  const nlohmann::json* value = data_at(expected, top.path, 1);
  if (!value) {
    top.op = FieldEdit::Op::remove;
  } else {
    top.value = *value;
  }
  Document shallow = doc;
  shallow.text = std::string(doc.yaml_text());
  shallow.yaml_begin = 0;
  shallow.yaml_end = shallow.text.size();
  auto text = precise_edit(shallow, top, expected);
  return text;
}

// The document after one edit (parsed, so the next edit and the caller need not parse it again).
Result<Document> apply_one(const Document& doc, const FieldEdit& edit) {
  if (edit.path.empty()) return make_error(ErrorCode::usage, "no field named");
  if (Status utf8 = check_edit_is_utf8(edit); !utf8) return utf8.take_error();
  nlohmann::json expected = apply_to_data(doc.data, edit);
  for (auto strategy : {precise_edit, rewrite_top_entry}) {
    std::optional<std::string> yaml = strategy(doc, edit, expected);
    if (!yaml) continue;
    std::string text = doc.text.substr(0, doc.yaml_begin) + *yaml + doc.text.substr(doc.yaml_end);
    ParsedDocument reparsed = parse_document(doc.kind, doc.path, doc.id, std::move(text));
    if (reparsed.document && reparsed.document->data == expected) return std::move(*reparsed.document);
  }
  return make_error(ErrorCode::usage, "cannot change " + field_name(edit.path) + " in " + doc.path +
                                          " without rewriting it; edit the file by hand");
}

}  // namespace

std::vector<std::string> split_field_path(const std::string& dotted) {
  std::vector<std::string> path;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    path.push_back(dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return path;
    start = dot + 1;
  }
}

Result<std::vector<std::string>> parse_field_path(const std::string& dotted) {
  std::vector<std::string> path = split_field_path(dotted);
  if (std::find(path.begin(), path.end(), "") != path.end())
    return make_error(ErrorCode::usage, "the field " + in_quotes(dotted) +
                                            " has an empty part (write a field as name or name.sub, e.g. relationship.weeks)");
  return path;
}

std::string emit_flow(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      return plain_safe(s) ? s : double_quoted(s);
    }
    case nlohmann::json::value_t::array: {
      std::vector<std::string> items;
      for (const auto& item : value) items.push_back(emit_flow(item));
      return "[" + join(items, ", ") + "]";
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::string> items;
      for (const auto& [k, v] : value.items()) items.push_back(key_text(k) + ": " + emit_flow(v));
      return "{" + join(items, ", ") + "}";
    }
    default: return value.dump();
  }
}

bool all_text_is_utf8(const nlohmann::json& value) {
  std::vector<const nlohmann::json*> pending{&value};
  while (!pending.empty()) {
    const nlohmann::json* next = pending.back();
    pending.pop_back();
    if (next->is_string() && find_invalid_utf8(next->get_ref<const std::string&>())) return false;
    if (next->is_object())
      for (const auto& [key, item] : next->items()) {
        if (find_invalid_utf8(key)) return false;
        pending.push_back(&item);
      }
    if (next->is_array())
      for (const auto& item : *next) pending.push_back(&item);
  }
  return true;
}

Status check_edit_is_utf8(const FieldEdit& edit) {
  bool path_is_utf8 = std::none_of(edit.path.begin(), edit.path.end(),
                                   [](const std::string& segment) { return find_invalid_utf8(segment).has_value(); });
  if (path_is_utf8 && all_text_is_utf8(edit.value)) return Ok{};
  return make_error(ErrorCode::usage, printable_line(field_name(edit.path)) +
                                          ": the value is not UTF-8 text; lorsync keeps plan files in UTF-8");
}

Result<Document> apply_edits(const Document& document, const std::vector<FieldEdit>& edits) {
  Document current = document;
  for (const auto& edit : edits) {
    Result<Document> next = apply_one(current, edit);
    if (!next) return next.take_error();
    current = std::move(next.value());
  }
  return current;
}

Result<Document> new_entity(DocumentKind kind, const std::string& path, const std::string& id,
                            const std::vector<FieldEdit>& fields, const std::string& body) {
  ParsedDocument empty = parse_document(kind, path, id, "---\n---\n" + body);
  if (!empty.document) return make_error(ErrorCode::usage, "cannot create " + path);
  return apply_edits(*empty.document, fields);
}

}  // namespace lorsync
