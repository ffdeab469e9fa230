// model/entities and the words people type for them: kind_from_word and its did-you-mean, parse_field_path,
// parse_event_date, entity ids as paths, and the typed model a real plan builds (a letter's status from its
// events, its rotation when it names none). model/yaml_tree and model/front_matter_edit have their own files.
#include <catch2/catch.hpp>

#include "common/text.hpp"
#include "model/document.hpp"
#include "model/entities.hpp"
#include "model/front_matter_edit.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"
#include "validation/plan_check.hpp"

#include <filesystem>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

// The strong fixture in a temp dir, with `letter`'s file replaced by `text`, as a typed model.
Model strong_with_letter(const TempDir& dir, const std::string& letter, const std::string& text) {
  fs::copy(fixture_path("strong"), dir.path(), fs::copy_options::recursive);
  write_file(dir / ("letters/" + letter + ".md"), text);
  CheckedPlan checked = PlanChecker(dir.path()).check();
  INFO((checked.diagnostics.empty() ? std::string() : format_diagnostic(checked.diagnostics.front())));
  REQUIRE(checked.valid());
  return build_model(checked.plan);
}

}  // namespace

TEST_CASE("kind_from_word takes a kind or its folder and refuses anything else with the right did-you-mean") {
  for (auto [word, kind] : {std::pair{"rotation", EntityKind::rotation}, std::pair{"writers", EntityKind::writer},
                            std::pair{"letter", EntityKind::letter}, std::pair{"programs", EntityKind::program}}) {
    auto parsed = kind_from_word(word);
    REQUIRE(parsed.ok());
    CHECK(parsed.value() == kind);
  }
  auto typo = kind_from_word("leter");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().code == ErrorCode::usage);
  CHECK(typo.error().message ==
        "\"leter\" is not a kind of entity; use rotation, writer, letter or program; did you mean \"letter\"?");
  auto swapped = kind_from_word("wirter");
  REQUIRE_FALSE(swapped.ok());
  CHECK(swapped.error().message.ends_with("did you mean \"writer\"?"));
  auto program = kind_from_word("progam");
  REQUIRE_FALSE(program.ok());
  CHECK(program.error().message.ends_with("did you mean \"program\"?"));
  // Nothing close: no guess.
  auto far = kind_from_word("banana");
  REQUIRE_FALSE(far.ok());
  CHECK(far.error().message == "\"banana\" is not a kind of entity; use rotation, writer, letter or program");
  // Case matters, and an empty word is no kind.
  auto capital = kind_from_word("Letter");
  REQUIRE_FALSE(capital.ok());
  CHECK(capital.error().message.ends_with("did you mean \"letter\"?"));
  CHECK_FALSE(kind_from_word("").ok());
}

TEST_CASE("parse_field_path splits on dots and refuses a path with an empty part") {
  auto two = parse_field_path("relationship.weeks");
  REQUIRE(two.ok());
  CHECK(two.value() == std::vector<std::string>{"relationship", "weeks"});
  auto indexed = parse_field_path("events.2.date");
  REQUIRE(indexed.ok());
  CHECK(indexed.value() == std::vector<std::string>{"events", "2", "date"});
  auto one = parse_field_path("writer");
  REQUIRE(one.ok());
  CHECK(one.value() == std::vector<std::string>{"writer"});
  for (const char* bad : {"", ".", "a..b", ".a", "a.", "relationship..weeks"}) {
    INFO(bad);
    auto parsed = parse_field_path(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::usage);
    CHECK(parsed.error().message.find("has an empty part") != std::string::npos);
  }
  CHECK(parse_field_path("a..b").error().message.starts_with("the field \"a..b\" has an empty part"));
}

TEST_CASE("parse_event_date takes a real date and says how to write one otherwise") {
  auto good = parse_event_date("2026-09-24");
  REQUIRE(good.ok());
  CHECK(format_date(good.value()) == "2026-09-24");
  for (const char* bad : {"2026-02-30", "24/09/2026", "2026-9-24", "tomorrow", ""}) {
    INFO(bad);
    auto parsed = parse_event_date(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::usage);
    CHECK(parsed.error().message == in_quotes(bad) + " is not a date; write it as YYYY-MM-DD, e.g. 2026-09-24");
  }
}

TEST_CASE("an id names one file per kind, and parse_kind agrees with kind_name and kind_folder") {
  CHECK(entity_path(EntityKind::letter, "ana") == "letters/ana.md");
  CHECK(entity_path(EntityKind::rotation, "us-inpatient") == "rotations/us-inpatient.md");
  for (EntityKind kind : kEntityKinds) {
    CHECK(parse_kind(kind_name(kind)) == kind);
    CHECK(parse_kind(kind_folder(kind)) == kind);
    CHECK(entity_kind(document_kind(kind)) == kind);
  }
  CHECK_FALSE(entity_kind(DocumentKind::plan).has_value());
}

TEST_CASE("a real plan builds the model: ids, settings and the letters' statuses") {
  Model model = load_fixture("strong");
  CHECK(model.letters.size() == 3);
  CHECK(model.settings.applicant.non_us_img());
  CHECK(format_date(model.settings.programs_review) == "2026-09-24");
  const Letter& ana = model.letters.at("ana");
  CHECK(ana.status == LetterStatus::thanked);
  REQUIRE(model.writer_of(ana));
  CHECK(model.writer_of(ana)->id == "ana-pmr");
  CHECK(model.writer_of(ana)->is_clinical());
  CHECK(model.writer("nobody") == nullptr);
  REQUIRE(model.rotation_of(ana));
  CHECK(model.rotation_of(ana)->id == "us-inpatient");
  const Program& northlake = model.programs.at("northlake");
  CHECK(northlake.letters == std::vector<std::string>{"ana", "ben", "cara"});
  REQUIRE(northlake.requires_.letters_min);
  CHECK(*northlake.requires_.letters_min == 3);
}

TEST_CASE("a letter's status is the furthest step its events reached, in date order, unless the writer declined") {
  TempDir dir;
  SECTION("events out of order in the file are sorted by date and keep their place in the file") {
    Model model = strong_with_letter(dir, "ana",
                                     "---\nwriter: ana-pmr\nrotation: us-inpatient\nevents:\n"
                                     "  - {date: 2026-06-10, event: packet-sent}\n"
                                     "  - {date: 2026-05-28, event: asked}\n"
                                     "  - {date: 2026-06-01, event: agreed}\n---\n");
    const Letter& ana = model.letters.at("ana");
    CHECK(ana.status == LetterStatus::packet_sent);
    REQUIRE(ana.events.size() == 3);
    CHECK(ana.events[0].event == "asked");
    CHECK(ana.events[0].index == 1);
    CHECK(ana.events[2].event == "packet-sent");
    CHECK(ana.events[2].index == 0);
    REQUIRE(ana.first("asked"));
    CHECK(format_date(ana.first("asked")->date) == "2026-05-28");
    CHECK(ana.count("reminded") == 0);
    CHECK(ana.last("uploaded") == nullptr);
  }
  SECTION("a reminder after the upload does not take the letter back") {
    Model model = strong_with_letter(dir, "ana",
                                     "---\nwriter: ana-pmr\nevents:\n"
                                     "  - {date: 2026-05-28, event: asked}\n"
                                     "  - {date: 2026-08-20, event: uploaded}\n"
                                     "  - {date: 2026-08-21, event: reminded}\n---\n");
    CHECK(model.letters.at("ana").status == LetterStatus::uploaded);
  }
  SECTION("declined ends it, however far it had come") {
    Model model = strong_with_letter(dir, "ana",
                                     "---\nwriter: ana-pmr\nevents:\n"
                                     "  - {date: 2026-05-28, event: asked}\n"
                                     "  - {date: 2026-05-29, event: agreed}\n"
                                     "  - {date: 2026-06-02, event: declined}\n---\n");
    const Letter& ana = model.letters.at("ana");
    CHECK(ana.status == LetterStatus::declined);
    CHECK_FALSE(ana.active());
    CHECK(std::string(status_name(ana.status)) == "declined");
  }
  SECTION("no events: planned; no rotation named: the writer's rotation") {
    Model model = strong_with_letter(dir, "ana", "---\nwriter: ana-pmr\n---\n");
    const Letter& ana = model.letters.at("ana");
    CHECK(ana.status == LetterStatus::planned);
    REQUIRE(model.rotation_of(ana));
    CHECK(model.rotation_of(ana)->id == "us-inpatient");
  }
}

TEST_CASE("a letter that names no rotation gets the latest of its writer's rotations") {
  TempDir dir;
  fs::copy(fixture_path("strong"), dir.path(), fs::copy_options::recursive);
  // Dr. Pérez supervised the consult rotation too (it ended later than the inpatient one).
  std::string writer = read_file(dir / "writers/ana-pmr.md");
  auto at = writer.find("rotations: [us-inpatient]");
  REQUIRE(at != std::string::npos);
  writer.replace(at, std::string("rotations: [us-inpatient]").size(), "rotations: [us-consult, us-inpatient]");
  write_file(dir / "writers/ana-pmr.md", writer);
  write_file(dir / "letters/ana.md", "---\nwriter: ana-pmr\n---\n");
  CheckedPlan checked = PlanChecker(dir.path()).check();
  REQUIRE(checked.valid());
  Model model = build_model(checked.plan);
  const Rotation* consult = model.rotation("us-consult");
  const Rotation* inpatient = model.rotation("us-inpatient");
  REQUIRE(consult);
  REQUIRE(inpatient);
  const Rotation* later = consult->end < inpatient->end ? inpatient : consult;
  REQUIRE(model.rotation_of(model.letters.at("ana")));
  CHECK(model.rotation_of(model.letters.at("ana"))->id == later->id);
  CHECK(later->id == "us-consult");  // the fixture's consult rotation ends after the inpatient one
}
