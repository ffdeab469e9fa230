// model/yaml_tree: YAML parsed into a tree that remembers where every node
// stands in the text (for precise diagnostics and in-place edits), read with
// the YAML 1.2 core schema (`no`, `on` stay strings; dates stay strings).
// It refuses duplicate keys and bounds alias expansion, so no input can make
// it use unbounded time or memory.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lorsync {

struct YamlNode {
  enum class Kind { null, scalar, sequence, mapping };

  // User-provided (not defaulted) so that clang 14 with libstdc++ 12 need not decide whether YamlNode is
  // implicitly default-constructible while std::pair<YamlNode, YamlNode> below is still incomplete.
  YamlNode() noexcept {}

  Kind kind = Kind::null;
  int line = 0;    // 0-based, relative to the parsed text
  int column = 0;  // 0-based
  bool flow = false;    // collections written inline ([a, b] / {k: v})
  bool quoted = false;  // scalars written in quotes or as block scalars: always strings
  std::string text;     // scalar value
  std::vector<YamlNode> items;                            // sequence
  std::vector<std::pair<YamlNode, YamlNode>> entries;     // mapping: key, value

  const YamlNode* find(std::string_view key) const;
};

struct YamlParseError {
  int line = 0;    // 0-based
  int column = 0;  // 0-based
  std::string message;
};

struct YamlParseResult {
  std::optional<YamlNode> root;  // nullopt on error
  std::optional<YamlParseError> error;
};

// Parses one YAML document. An empty text gives a null root.
YamlParseResult parse_yaml(std::string_view text);

// The JSON value of a node under the YAML 1.2 core schema.
nlohmann::json to_json(const YamlNode& node);

// A scalar's JSON value under the core schema (plain scalars only; quoted ones are strings).
nlohmann::json resolve_plain_scalar(const std::string& text);

}  // namespace lorsync
