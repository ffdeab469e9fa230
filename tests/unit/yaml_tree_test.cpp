#include <catch2/catch.hpp>

#include "model/yaml_tree.hpp"

using namespace lorsync;
using namespace std::string_literals;

TEST_CASE("YAML 1.2 core schema: yes/no/on/off stay strings - dates stay strings") {
  auto parsed = parse_yaml("a: yes\nb: no\nc: on\nd: true\ne: 2026-09-24\nf: 12\ng: \"12\"\nh: ~\ni: 1.5\nj: False\n");
  REQUIRE(parsed.root);
  auto data = to_json(*parsed.root);
  CHECK(data["a"] == "yes");
  CHECK(data["b"] == "no");
  CHECK(data["c"] == "on");
  CHECK(data["d"] == true);
  CHECK(data["e"] == "2026-09-24");
  CHECK(data["f"] == 12);
  CHECK(data["g"] == "12");
  CHECK(data["h"].is_null());
  CHECK(data["i"] == 1.5);
  CHECK(data["j"] == false);
}

TEST_CASE("positions of keys and values are reported") {
  auto parsed = parse_yaml("writer: lee\nrelationship:\n  weeks: 4\n");
  REQUIRE(parsed.root);
  const YamlNode* weeks = parsed.root->find("relationship")->find("weeks");
  REQUIRE(weeks);
  CHECK(weeks->line == 2);
  CHECK(weeks->column == 9);
}

TEST_CASE("duplicate keys are an error at the second key") {
  auto parsed = parse_yaml("writer: a\nwaived: true\nwriter: b\n");
  REQUIRE(parsed.error);
  CHECK(parsed.error->line == 2);
  CHECK_THAT(parsed.error->message, Catch::Contains("duplicate key \"writer\""));
}

TEST_CASE("tab indentation is an error naming the line") {
  auto parsed = parse_yaml("relationship:\n\tweeks: 4\n");
  REQUIRE(parsed.error);
  CHECK(parsed.error->line == 1);
  CHECK_THAT(parsed.error->message, Catch::Contains("tab"));
}

TEST_CASE("bad nesting is an error - not a crash") {
  auto parsed = parse_yaml("writer: lee\n  waived: true\n");
  REQUIRE(parsed.error);
  auto unclosed = parse_yaml("packet: [cv, summary\n");
  REQUIRE(unclosed.error);
}

TEST_CASE("values nested past the bound are an error naming the line, not a stack overflow") {
  std::string deep = "x-deep:\n  " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  auto parsed = parse_yaml(deep);
  REQUIRE(parsed.error);
  CHECK_THAT(parsed.error->message, Catch::Contains("more than 64 levels"));
  CHECK(parsed.error->line == 1);
  auto fine = parse_yaml("x-deep: " + std::string(40, '[') + std::string(40, ']') + "\n");
  CHECK_FALSE(fine.error);
}

TEST_CASE("an alias bomb is refused quickly") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'p'; ++name) {
    bomb += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + previous;
    bomb += "]\n";
    previous = name;
  }
  auto parsed = parse_yaml(bomb);
  REQUIRE(parsed.error);
  CHECK_THAT(parsed.error->message, Catch::Contains("aliases expand"));
}

TEST_CASE("small aliases still work") {
  auto parsed = parse_yaml("base: &b {weeks: 4}\ncopy: *b\n");
  REQUIRE(parsed.root);
  CHECK(to_json(*parsed.root)["copy"]["weeks"] == 4);
}

TEST_CASE("deep nesting is refused - not a stack overflow") {
  std::string deep(5000, '[');
  auto parsed = parse_yaml("a: " + deep);
  CHECK(parsed.error);
}

TEST_CASE("control characters are refused where they are - YAML allows printable text only") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"writer: a\nlette\x0f\0_max: 4\n"s, "U+000F"},  // the fuzzer's NUL-and-SI key
      {"writer: a\nnote: x\0y\n"s, "U+0000"},
      {"writer: a\nname: \x1b[31mred\n", "U+001B"},
      {"writer: a\nname: b\x7f\n", "U+007F"},
      {"writer: a\nname: b\xc2\x9b" "31m\n", "U+009B"},  // C1 CSI
  };
  for (const auto& [text, code] : cases) {
    INFO(code);
    auto parsed = parse_yaml(text);
    REQUIRE(parsed.error);
    CHECK(parsed.error->line == 1);
    CHECK_THAT(parsed.error->message, Catch::Contains("a control character (" + code + ")"));
  }
  // Tabs inside values, CRLF line ends and NEL stay allowed; escaped control characters are data, shown escaped.
  CHECK_FALSE(parse_yaml("name: a\tb\r\nnote: \"bell\\a\"\r\nx: \xc2\x85\n").error);
}

TEST_CASE("the escapes yaml-cpp reads into one raw byte come out as UTF-8 - the data stays UTF-8") {
  // yaml-cpp writes \_ (U+00A0, as PyYAML's safe_dump writes a no-break space) and \N (U+0085) as one byte each.
  auto parsed = parse_yaml("name: \"Dr.\\_Lee\\N \\_\u00e9\"\n\"k\\_\": 1\n");
  REQUIRE_FALSE(parsed.error);
  CHECK(parsed.root->entries.at(0).second.text == "Dr.\xc2\xa0Lee\xc2\x85 \xc2\xa0\u00e9");
  CHECK(parsed.root->entries.at(1).first.text == "k\xc2\xa0");
  auto fine = parse_yaml("name: \"Dr.\\u00A0Lee \\x41\"\n");
  REQUIRE_FALSE(fine.error);
  CHECK(fine.root->entries.at(0).second.text == "Dr.\xc2\xa0Lee A");
}

TEST_CASE("a duplicate key is named as one printable line") {
  auto parsed = parse_yaml("\"\\e[2J\\nk\": 1\n\"\\e[2J\\nk\": 2\n");
  REQUIRE(parsed.error);
  CHECK_THAT(parsed.error->message, Catch::Contains("duplicate key \"?[2J\\nk\""));
}
