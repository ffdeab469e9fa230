#include "model/yaml_tree.hpp"

#include "common/limits.hpp"
#include "common/text.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <unordered_set>
#include <sstream>

namespace lorsync {
namespace {

// Aliases are expanded by copying; past this many nodes the document is refused
// (a "billion laughs" document stops here instead of eating memory).
constexpr size_t kMaxNodes = 200000;

struct Frame {
  YamlNode node;
  std::optional<YamlNode> pending_key;
  std::unordered_set<std::string> keys;  // for duplicate detection in constant time
};

// yaml-cpp reads the escapes \N (U+0085) and \_ (U+00A0, which PyYAML writes for a no-break space) into one raw
// byte each, not UTF-8; every other escape it encodes. In text that was UTF-8 before its escapes were read, a
// lone 0x85 or 0xA0 can only be one of those two: encode it. Anything else that is not UTF-8 gives nullopt.
std::optional<std::string> with_escapes_encoded(const std::string& value) {
  if (!find_invalid_utf8(value)) return value;
  std::string out;
  out.reserve(value.size() + 8);
  for (size_t i = 0; i < value.size();) {
    if (auto point = code_point_at(value, i)) {
      out.append(value, i, point->length);
      i += point->length;
      continue;
    }
    auto byte = static_cast<unsigned char>(value[i]);
    if (byte != 0x85 && byte != 0xA0) return std::nullopt;
    out += '\xC2';
    out += value[i++];
  }
  return out;
}

class TreeBuilder : public YAML::EventHandler {
 public:
  std::optional<YamlNode> root;
  std::optional<YamlParseError> error;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode node;
    node.kind = YamlNode::Kind::null;
    place(node, mark);
    complete(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto found = anchors_.find(anchor);
    if (found == anchors_.end()) return fail(mark, "unknown alias");
    if (found->second.second + node_count_ > kMaxNodes)
      return fail(mark, "aliases expand to more than " + std::to_string(kMaxNodes) + " values; write the values out instead");
    node_count_ += found->second.second;
    YamlNode copy = found->second.first;
    place(copy, mark);
    complete(std::move(copy), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode node;
    node.kind = YamlNode::Kind::scalar;
    std::optional<std::string> text = with_escapes_encoded(value);
    // The data must stay UTF-8 to be sent as JSON (parse_document has checked the file is).
    if (!text) return fail(mark, "this value is not UTF-8 text once its escapes are read; write the characters themselves");
    node.text = std::move(*text);
    // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
    node.quoted = tag != "?";
    if (refuse_tag(mark, tag)) return;
    place(node, mark);
    complete(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    refuse_tag(mark, tag);
    open(YamlNode::Kind::sequence, mark, anchor, style);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    refuse_tag(mark, tag);
    open(YamlNode::Kind::mapping, mark, anchor, style);
  }
  void OnMapEnd() override { close(); }

 private:
  std::vector<Frame> stack_;
  std::vector<YAML::anchor_t> open_anchors_;
  std::map<YAML::anchor_t, std::pair<YamlNode, size_t>> anchors_;  // node, its size in nodes
  std::vector<size_t> open_counts_;
  size_t node_count_ = 0;

  // yaml-cpp tags untagged plain nodes "?" and quoted ones "!"; any other tag (!!python/object...) asks a
  // reader to build something, which a plan file never needs: refused, not dropped.
  bool refuse_tag(const YAML::Mark& mark, const std::string& tag) {
    if (tag.empty() || tag == "?" || tag == "!") return false;
    fail(mark, "tags like " + tag + " are not supported in plan files");
    return true;
  }

  void fail(const YAML::Mark& mark, std::string message) {
    if (!error) error = YamlParseError{mark.line, mark.column, std::move(message)};
  }

  static void place(YamlNode& node, const YAML::Mark& mark) {
    node.line = mark.line;
    node.column = mark.column;
  }

  void open(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor, YAML::EmitterStyle::value style) {
    if (stack_.size() >= kMaxNesting) {
      fail(mark, "values nest more than " + std::to_string(kMaxNesting) + " levels deep; plan files need a few");
      throw YAML::ParserException(mark, error->message);  // stop yaml-cpp from descending any further
    }
    Frame frame;
    frame.node.kind = kind;
    frame.node.flow = style == YAML::EmitterStyle::Flow;
    place(frame.node, mark);
    stack_.push_back(std::move(frame));
    open_anchors_.push_back(anchor);
    open_counts_.push_back(node_count_);
  }

  void close() {
    if (stack_.empty()) return;
    YamlNode node = std::move(stack_.back().node);
    YAML::anchor_t anchor = open_anchors_.back();
    size_t count_before = open_counts_.back();
    stack_.pop_back();
    open_anchors_.pop_back();
    open_counts_.pop_back();
    complete(std::move(node), anchor, node_count_ - count_before);
  }

  void complete(YamlNode node, YAML::anchor_t anchor, size_t subtree_nodes = 0) {
    if (error) return;
    ++node_count_;
    if (node_count_ > kMaxNodes) return fail({}, "document has more than " + std::to_string(kMaxNodes) + " values");
    if (anchor != 0) anchors_[anchor] = {node, subtree_nodes + 1};
    if (stack_.empty()) {
      root = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.kind == YamlNode::Kind::sequence) {
      parent.node.items.push_back(std::move(node));
    } else if (!parent.pending_key) {
      if (node.kind != YamlNode::Kind::scalar) {
        YAML::Mark mark;
        mark.line = node.line;
        mark.column = node.column;
        return fail(mark, "keys must be plain words, not lists or mappings");
      }
      if (!parent.keys.insert(node.text).second) {
        YAML::Mark mark;
        mark.line = node.line;
        mark.column = node.column;
        return fail(mark, "duplicate key " + in_quotes(node.text));
      }
      parent.pending_key = std::move(node);
    } else {
      parent.node.entries.emplace_back(std::move(*parent.pending_key), std::move(node));
      parent.pending_key.reset();
    }
  }
};

std::string clean_parser_message(std::string message) {
  // yaml-cpp messages are terse ("end of map not found"); say what that usually means.
  if (message.find("end of map not found") != std::string::npos ||
      message.find("end of sequence not found") != std::string::npos ||
      message.find("illegal map value") != std::string::npos)
    return message + " (check the indentation and that every key has a colon)";
  if (message.find("tab") != std::string::npos)
    return "tabs are not allowed for indentation in YAML; indent with spaces";
  return message;
}

}  // namespace

const YamlNode* YamlNode::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.text == key) return &v;
  return nullptr;
}

YamlParseResult parse_yaml(std::string_view text) {
  YamlParseResult result;
  // A tab in the indentation is a common editor accident; yaml-cpp's own message for it is unclear.
  size_t line_start = 0;
  int line_number = 0;
  while (line_start <= text.size()) {
    size_t end = text.find('\n', line_start);
    if (end == std::string_view::npos) end = text.size();
    for (size_t i = line_start; i < end; ++i) {
      if (text[i] == ' ') continue;
      if (text[i] == '\t') {
        // Tabs inside a value are fine; only leading tabs before content are indentation.
        size_t next = text.find_first_not_of(" \t", i);
        if (next != std::string_view::npos && next < end && text[next] != '#') {
          result.error = YamlParseError{line_number, static_cast<int>(i - line_start),
                                        "tab used for indentation; YAML needs spaces"};
          return result;
        }
      }
      break;
    }
    ++line_number;
    line_start = end + 1;
  }

  // YAML allows printable characters only, and yaml-cpp reads some control characters (a NUL byte) in ways that
  // make bytes that are not UTF-8.
  if (auto control = find_control_character(text)) {
    auto [line, column] = line_column_at(text, control->offset);
    char code[8];
    std::snprintf(code, sizeof code, "%04X", static_cast<unsigned>(control->code_point));
    result.error = YamlParseError{line - 1, column - 1,
                                  std::string("a control character (U+") + code +
                                      ") in the fields; YAML allows printable text only, so delete it"};
    return result;
  }

  std::istringstream stream{std::string(text)};
  TreeBuilder builder;
  try {
    YAML::Parser parser(stream);
    if (!parser.HandleNextDocument(builder)) {
      result.root = YamlNode{};
      return result;
    }
    if (!builder.error && parser.HandleNextDocument(builder)) {
      result.error = YamlParseError{0, 0, "more than one YAML document; remove the extra \"---\" line"};
      return result;
    }
  } catch (const YAML::Exception& e) {
    result.error = builder.error ? *builder.error : YamlParseError{e.mark.line, e.mark.column, clean_parser_message(e.msg)};
    return result;
  }
  if (builder.error) {
    result.error = builder.error;
    return result;
  }
  result.root = builder.root ? std::move(*builder.root) : YamlNode{};
  return result;
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool core_schema_float(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  size_t exponent = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, exponent);
  if (exponent != std::string_view::npos) {
    std::string_view power = s.substr(exponent + 1);
    if (!power.empty() && (power[0] == '-' || power[0] == '+')) power.remove_prefix(1);
    if (!all_digits(power)) return false;
  }
  size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return all_digits(mantissa);
  std::string_view whole = mantissa.substr(0, dot), fraction = mantissa.substr(dot + 1);
  if (whole.empty()) return all_digits(fraction);
  return all_digits(whole) && (fraction.empty() || all_digits(fraction));
}

}  // namespace

nlohmann::json resolve_plain_scalar(const std::string& text) {
  // YAML 1.2 core schema, tag resolution for plain scalars.
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  std::string_view digits = text;
  if (digits[0] == '-' || digits[0] == '+') digits.remove_prefix(1);
  if (all_digits(digits) && digits.size() <= 18) return std::stoll(text);
  if (text == ".inf" || text == "+.inf" || text == ".Inf" || text == "-.inf" || text == ".nan" || text == ".NaN")
    return text;  // JSON has no infinities; no plan field wants one
  if (text.size() <= 32 && core_schema_float(text)) {
    // Out of double's range (1e999): leave it as text, so the schema reports it instead of a crash.
    errno = 0;
    double value = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE) return text;
    return value;
  }
  return text;
}

nlohmann::json to_json(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::null: return nullptr;
    case YamlNode::Kind::scalar: return node.quoted ? nlohmann::json(node.text) : resolve_plain_scalar(node.text);
    case YamlNode::Kind::sequence: {
      auto array = nlohmann::json::array();
      for (const auto& item : node.items) array.push_back(to_json(item));
      return array;
    }
    case YamlNode::Kind::mapping: {
      auto object = nlohmann::json::object();
      for (const auto& [key, value] : node.entries) object[key.text] = to_json(value);
      return object;
    }
  }
  return nullptr;
}

}  // namespace lorsync
