#include <catch2/catch.hpp>

#include "common/text.hpp"
#include "model/front_matter_edit.hpp"

using namespace lorsync;

namespace {

Document doc(const std::string& text, DocumentKind kind = DocumentKind::writer) {
  ParsedDocument parsed = parse_document(kind, "writers/x.md", "x", text);
  REQUIRE(parsed.document);
  return *parsed.document;
}

std::string edit(const std::string& text, std::vector<FieldEdit> edits, DocumentKind kind = DocumentKind::writer) {
  auto result = apply_edits(doc(text, kind), edits);
  REQUIRE(result.ok());
  return result.value().text;
}

FieldEdit set(std::vector<std::string> path, nlohmann::json value) {
  return FieldEdit{FieldEdit::Op::set, std::move(path), std::move(value)};
}

const std::string kWriter =
    "---\n"
    "# who this is\n"
    "name: Dr. Jane Lee   # attending on 4 West\n"
    "title: attending\n"
    "relationship:\n"
    "  weeks: 4 # four weeks\n"
    "  rotations: [a, b]\n"
    "---\n"
    "Notes: keep **this** exactly.\n"
    "  indented line\n";

}  // namespace

TEST_CASE("setting a scalar changes only its value - keeping the comment after it") {
  std::string out = edit(kWriter, {set({"relationship", "weeks"}, 6)});
  CHECK(out == "---\n# who this is\nname: Dr. Jane Lee   # attending on 4 West\ntitle: attending\nrelationship:\n"
               "  weeks: 6 # four weeks\n  rotations: [a, b]\n---\nNotes: keep **this** exactly.\n  indented line\n");
}

TEST_CASE("a string that would read back as something else is quoted") {
  std::string out = edit(kWriter, {set({"title"}, "true"), set({"name"}, "Lee: the best")});
  CHECK_THAT(out, Catch::Contains("title: \"true\"\n"));
  CHECK_THAT(out, Catch::Contains("name: \"Lee: the best\"   # attending on 4 West\n"));
}

TEST_CASE("a new field goes at the end of its mapping - nested ones at the right indent") {
  std::string out = edit(kWriter, {set({"email"}, "jane@example.org"), set({"relationship", "direct_supervision"}, true)});
  CHECK(out == "---\n# who this is\nname: Dr. Jane Lee   # attending on 4 West\ntitle: attending\nrelationship:\n"
               "  weeks: 4 # four weeks\n  rotations: [a, b]\n  direct_supervision: true\nemail: jane@example.org\n---\n"
               "Notes: keep **this** exactly.\n  indented line\n");
}

TEST_CASE("a new field goes after the comment lines indented under the last one") {
  const std::string plan = "cycle: 2027\npolicy: {}   # overrides: letters_min 3,\n             # packet_days 7\n\n# the end\n";
  std::string out = edit(plan, {set({"interests"}, nlohmann::json::array({"inpatient-rehab"}))}, DocumentKind::plan);
  CHECK(out == "cycle: 2027\npolicy: {}   # overrides: letters_min 3,\n             # packet_days 7\n"
               "interests: [inpatient-rehab]\n\n# the end\n");
}

TEST_CASE("a missing parent mapping is created") {
  std::string out = edit("---\nname: A\n---\n", {set({"relationship", "weeks"}, 2)});
  CHECK(out == "---\nname: A\nrelationship:\n  weeks: 2\n---\n");
}

TEST_CASE("removing a field removes its lines only") {
  std::string out = edit(kWriter, {FieldEdit{FieldEdit::Op::remove, {"title"}, nullptr}});
  CHECK(out == "---\n# who this is\nname: Dr. Jane Lee   # attending on 4 West\nrelationship:\n"
               "  weeks: 4 # four weeks\n  rotations: [a, b]\n---\nNotes: keep **this** exactly.\n  indented line\n");
  std::string nested = edit("---\nrelationship:\n  weeks: 4\n---\n", {FieldEdit{FieldEdit::Op::remove, {"relationship", "weeks"}, nullptr}});
  CHECK(nested == "---\nrelationship: {}\n---\n");
}

TEST_CASE("appending an event adds one line in the list's own style") {
  const std::string letter = "---\nwriter: lee\nevents:\n  - {date: 2026-07-01, event: asked}\n# later\n---\nbody\n";
  std::string out = edit(letter, {FieldEdit{FieldEdit::Op::append, {"events"}, {{"date", "2026-07-02"}, {"event", "agreed"}}}},
                         DocumentKind::letter);
  CHECK(out == "---\nwriter: lee\nevents:\n  - {date: 2026-07-01, event: asked}\n  - {date: 2026-07-02, event: agreed}\n"
               "# later\n---\nbody\n");
  std::string first = edit("---\nwriter: lee\n---\n", {FieldEdit{FieldEdit::Op::append, {"events"}, {{"date", "2026-07-02"}, {"event", "agreed"}}}},
                           DocumentKind::letter);
  CHECK(first == "---\nwriter: lee\nevents:\n  - {date: 2026-07-02, event: agreed}\n---\n");
}

TEST_CASE("CRLF files stay CRLF - and the body is untouched") {
  const std::string crlf = "---\r\nname: A\r\ntitle: attending\r\n---\r\nline one\r\nline two\r\n";
  std::string out = edit(crlf, {set({"title"}, "chair"), set({"email"}, "a@example.org")});
  CHECK(out == "---\r\nname: A\r\ntitle: chair\r\nemail: a@example.org\r\n---\r\nline one\r\nline two\r\n");
}

TEST_CASE("block-style values are replaced as a whole") {
  const std::string text = "---\npacket:\n  - cv\n  - summary\nwriter: lee\n---\n";
  std::string out = edit(text, {set({"packet"}, {"cv", "photo"})}, DocumentKind::letter);
  CHECK(out == "---\npacket: [cv, photo]\nwriter: lee\n---\n");
}

TEST_CASE("plan.yaml (no front matter markers) edits in place") {
  const std::string plan = "applicant:\n  name: A   # me\ndates:\n  eras_submit: 2026-09-03  # submit\n";
  std::string out = edit(plan, {set({"dates", "eras_submit"}, "2026-09-05")}, DocumentKind::plan);
  CHECK(out == "applicant:\n  name: A   # me\ndates:\n  eras_submit: 2026-09-05  # submit\n");
}

TEST_CASE("new entity text keeps the given field order") {
  auto text = new_entity(DocumentKind::writer, "writers/x.md", "x",
                              {set({"name"}, "Jane"), set({"title"}, "chair"), set({"relationship", "weeks"}, 3)}, "hello\n");
  REQUIRE(text.ok());
  CHECK(text.value().text == "---\nname: Jane\ntitle: chair\nrelationship:\n  weeks: 3\n---\nhello\n");
}

TEST_CASE("an edit whose value or field name is not UTF-8 is refused with an error - never thrown") {
  const std::string bad_value = "[Marcus \xff";
  const std::vector<FieldEdit> hostile = {
      set({"name"}, bad_value),                                          // needs quoting
      set({"name"}, "Marcus\xff"),                                       // plain
      set({"relationship", "rotations"}, nlohmann::json::array({"a", "b\xfe"})),
      set({"x-extra"}, nlohmann::json::object({{"k\xc3", 1}})),          // a key inside the value
      set({"x-\xff"}, "fine"),                                           // the field name
      FieldEdit{FieldEdit::Op::append, {"events"}, {{"date", "2026-07-02"}, {"note", "\xed\xa0\x80"}}},
  };
  for (const auto& edit : hostile) {
    INFO(field_name(edit.path));
    auto result = apply_edits(doc(kWriter), {edit});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::usage);
    CHECK_THAT(result.error().message, Catch::Contains("is not UTF-8 text"));
    CHECK_FALSE(find_invalid_utf8(result.error().message).has_value());  // the message itself goes out as JSON
  }
  // UTF-8 that needs quoting still edits.
  CHECK(edit(kWriter, {set({"title"}, "[Zoë Ω")}).find("title: \"[Zoë Ω\"") != std::string::npos);
}

TEST_CASE("text with control characters is written escaped and reads back as it was") {
  const std::string hostile = "Dr. \x1b]0;x\x07 \x7f \xc2\x9b \xc2\x85 \u2028 \u2029 \ufeff a\tb\nc \"q\" \\";
  std::string out = edit(kWriter, {set({"name"}, hostile), set({"x-\x1b"}, "k")});
  CHECK_FALSE(find_control_character(out).has_value());  // nothing raw that YAML refuses
  for (const char* separator : {"\xc2\x85", "\u2028", "\u2029", "\ufeff"})  // nor what YAML 1.1 readers break lines at
    CHECK(out.find(separator) == std::string::npos);
  CHECK(edit(kWriter, {set({"title"}, "a\u2028b")}).find("title: \"a\\u2028b\"") != std::string::npos);
  ParsedDocument reparsed = parse_document(DocumentKind::writer, "writers/x.md", "x", out);
  REQUIRE(reparsed.document);
  CHECK(reparsed.document->data["name"] == hostile);
  CHECK(reparsed.document->data["x-\x1b"] == "k");
}
