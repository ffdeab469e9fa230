// fuzz target front_matter_edit: the in-place YAML editor every change goes
// through (model/front_matter_edit apply_edits), on a fuzzed document with up
// to four fuzzed set/remove/append/include edits of fuzzed field paths and values.
//
// Input, line by line:
//   <op> <dotted.field.path>   op: set, remove, append or include (repeated for more edits)
//   <value>                    JSON; anything that is not JSON is the value as a string
//   ...
//   <file path>                "letters/<id>.md", "plan.yaml", ... (anything else: letters/fuzzed.md)
//   <the file's text>
//
// Invariants: apply_edits returns a document or an Error (never throws, never
// crashes); a returned document's text parses again, to exactly the data the
// edits intend (computed here independently) and to the data it carries; the
// Markdown body and the text before the YAML are unchanged byte for byte.
// An edit whose text or field name is not UTF-8 is refused with ErrorCode::usage
// (regressions/front_matter_edit/ holds the inputs that once made it throw).
#include "fuzz_support.hpp"

#include "common/limits.hpp"
#include "common/text.hpp"
#include "model/front_matter_edit.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

using namespace lorsync;
using nlohmann::json;

namespace {

constexpr size_t kMaxEdits = 4;

std::optional<FieldEdit::Op> op_named(std::string_view word) {
  if (word == "set") return FieldEdit::Op::set;
  if (word == "remove") return FieldEdit::Op::remove;
  if (word == "append") return FieldEdit::Op::append;
  if (word == "include") return FieldEdit::Op::include;
  return std::nullopt;
}

// "set a.b" -> the edit without its value; nullopt when the line is not an edit.
std::optional<FieldEdit> edit_line(std::string_view line) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto op = op_named(line.substr(0, space));
  if (!op) return std::nullopt;
  FieldEdit edit;
  edit.op = *op;
  edit.path = split_field_path(std::string(line.substr(space + 1)));
  return edit;
}

json value_of(std::string_view line) {
  // Every way a value reaches apply_edits bounds its nesting first (the API refuses such messages, the YAML reader
  // such files and CLI values), and the editor relies on it: its recursive copies of a value 30,000 levels deep
  // run out of stack.
  if (json_nests_too_deep(line)) return json(std::string(line));  // as the CLI would take it for a text field
  json value = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return json(std::string(line));
  return value;
}

// What the data should be after `edit`, written from the header's contract rather than copied from the editor:
// the path names mapping keys (missing or non-mapping parents become mappings), set replaces, remove erases,
// append adds to a list (a non-list becomes one), include adds only what the list lacks.
json intended(json data, const FieldEdit& edit) {
  json* node = &data;
  for (size_t i = 0; i < edit.path.size(); ++i) {
    if (!node->is_object()) *node = json::object();
    if (i + 1 == edit.path.size()) break;
    node = &(*node)[edit.path[i]];
  }
  const std::string& key = edit.path.back();
  if (edit.op == FieldEdit::Op::set) {
    (*node)[key] = edit.value;
  } else if (edit.op == FieldEdit::Op::remove) {
    node->erase(key);
  } else {
    json& list = (*node)[key];
    if (!list.is_array()) list = json::array();
    bool present = std::find(list.begin(), list.end(), edit.value) != list.end();
    if (edit.op == FieldEdit::Op::append || !present) list.push_back(edit.value);
  }
  return data;
}

bool edit_is_utf8(const FieldEdit& edit) {
  for (const auto& segment : edit.path)
    if (find_invalid_utf8(segment)) return false;
  return all_text_is_utf8(edit.value);
}

std::string shown(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::scratch_dir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest = fuzz::as_text(data, size);
  std::vector<FieldEdit> edits;
  while (edits.size() < kMaxEdits) {
    fuzz::FirstLine op_line = fuzz::split_first_line(rest);
    auto edit = op_line.found ? edit_line(op_line.line) : std::nullopt;
    if (!edit) break;
    fuzz::FirstLine value_line = fuzz::split_first_line(op_line.rest);
    if (!value_line.found) return 0;
    edit->value = value_of(value_line.line);
    edits.push_back(std::move(*edit));
    rest = value_line.rest;
  }
  if (edits.empty()) return 0;
  fuzz::FirstLine path_line = fuzz::split_first_line(rest);
  std::optional<fuzz::PlanFile> file = path_line.found ? fuzz::plan_file_at(path_line.line) : std::nullopt;
  std::string_view text = file ? path_line.rest : rest;
  if (!file) file = fuzz::PlanFile{DocumentKind::letter, "letters/fuzzed.md", "fuzzed"};

  ParsedDocument parsed = parse_document(file->kind, file->path, file->id, std::string(text));
  if (!parsed.document) return 0;
  const Document& original = *parsed.document;

  Result<Document> edited = apply_edits(original, edits);
  if (!std::all_of(edits.begin(), edits.end(), edit_is_utf8)) {
    fuzz::require(!edited && edited.error().code == ErrorCode::usage, "an edit that is not UTF-8 was not refused");
    return 0;
  }
  if (!edited) return 0;  // refusing an edit it cannot make exactly is allowed

  json expected = original.data;
  for (const auto& edit : edits) expected = intended(std::move(expected), edit);
  const Document& result = edited.value();
  fuzz::require(result.kind == original.kind && result.path == original.path && result.id == original.id,
                "the edited document is another file");
  fuzz::require(result.data == expected, "the edited document carries other data than the edits intend",
                "expected " + shown(expected) + "\ngot      " + shown(result.data));

  ParsedDocument reparsed = parse_document(file->kind, file->path, file->id, result.text);
  fuzz::require(reparsed.document.has_value(), "the edited text does not parse", result.text);
  const Document& again = *reparsed.document;
  fuzz::require(again.data == expected, "the edited text reads back as other data than the edits intend",
                "expected " + shown(expected) + "\nread     " + shown(again.data) + "\ntext:\n" + result.text);
  fuzz::require(again.body() == original.body(), "the edit changed the Markdown body",
                "before:\n" + std::string(original.body()) + "\nafter:\n" + std::string(again.body()));
  fuzz::require(again.text.substr(0, again.yaml_begin) == original.text.substr(0, original.yaml_begin),
                "the edit changed the text before the YAML", result.text);
  return 0;
}
