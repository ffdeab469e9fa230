// merge/merge_file on real plan files (the sample plan as base): fields 3-way
// with the later change winning and the other reported, lists as sets, bodies
// line-wise with both texts kept under a note and never conflict markers; and
// the property sync relies on: merging A into B gives the same bytes as B into A.
#include <catch2/catch.hpp>

#include "git/git.hpp"
#include "merge/merge_file.hpp"
#include "merge/tree_merge.hpp"
#include "model/document.hpp"
#include "model/front_matter_edit.hpp"
#include "model/sync_conflicts.hpp"
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

using namespace lorsync;
using namespace std::string_literals;

namespace {

const MergeSide kLaptop{"laptop", 1'780'000'000};
const MergeSide kPhone{"phone", 1'780'000'100};  // changed later than the laptop

std::string sample(const std::string& path) {
  std::ifstream in(test::source_path("daemon/store/sample/" + path), std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` with its one occurrence of `from` replaced.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool has_marker_line(const std::string& text) {
  for (const auto& line : lines_of(text))
    if (line.starts_with("<<<<<<<") || line.starts_with("=======") || line.starts_with(">>>>>>>")) return true;
  return false;
}

std::string note(const std::string& first, const std::string& second) {
  return "(lorsync: " + first + " and " + second + " both changed the lines below; both versions are kept, " + first +
         "'s first)";
}

// The merge as device A runs it; checks that device B, merging the other way round, gets the very same result,
// and that no conflict marker was written.
FileMerge merged(const std::string& path, const std::optional<std::string>& base, const std::string& a,
                 const std::string& b, const MergeSide& side_a, const MergeSide& side_b) {
  FileMerge ab = merge_file(path, base, a, b, side_a, side_b);
  FileMerge ba = merge_file(path, base, b, a, side_b, side_a);
  CHECK(ab.text == ba.text);
  CHECK(ab.conflicts == ba.conflicts);
  CHECK_FALSE(has_marker_line(ab.text));
  return ab;
}

nlohmann::json data_of(DocumentKind kind, const std::string& path, const std::string& text) {
  ParsedDocument parsed = parse_document(kind, path, "x", text);
  REQUIRE(parsed.document);
  return parsed.document->data;
}

const std::string kLetter = "letters/whitfield-inpatient.md";
const std::string kWriter = "writers/eleanor-whitfield.md";

}  // namespace

TEST_CASE("merge: different fields changed on each side merge without a conflict", "[merge]") {
  std::string base = sample(kLetter);
  std::string a = replaced(base, "eras_letter_id: LOR-2027-481736", "eras_letter_id: LOR-2027-000001");
  std::string b = replaced(base, "rotation: lakeshore-inpatient-rehab", "rotation: riverside-pmr-consult");
  FileMerge out = merged(kLetter, base, a, b, kLaptop, kPhone);
  CHECK(out.text == replaced(a, "rotation: lakeshore-inpatient-rehab", "rotation: riverside-pmr-consult"));
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: comments either side added to the front matter are kept", "[merge]") {
  std::string base = sample(kLetter);
  std::string laptop = replaced(base, "rotation: lakeshore-inpatient-rehab", "rotation: riverside-pmr-consult");
  laptop = replaced(laptop, "eras_letter_id:", "# from the ERAS confirmation email\neras_letter_id:");
  std::string phone = replaced(base, "packet: [cv, personal-statement, scores, photo, summary]",
                               "packet: [cv, personal-statement, scores, summary]   # no photo after all");
  FileMerge out = merged(kLetter, base, laptop, phone, kLaptop, kPhone);
  CHECK(out.text == replaced(laptop, "packet: [cv, personal-statement, scores, photo, summary]",
                             "packet: [cv, personal-statement, scores, summary]   # no photo after all"));
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: one field changed differently on both sides - the later change wins and the other is reported",
          "[merge]") {
  std::string base = sample(kLetter);
  std::string laptop = replaced(base, "LOR-2027-481736", "LOR-2027-111111");
  std::string phone = replaced(base, "LOR-2027-481736", "LOR-2027-222222");

  SECTION("the phone changed it later") {
    FileMerge out = merged(kLetter, base, laptop, phone, kLaptop, kPhone);
    CHECK(data_of(DocumentKind::letter, kLetter, out.text) == data_of(DocumentKind::letter, kLetter, phone));
    REQUIRE(out.conflicts.size() == 1);
    CHECK(out.conflicts[0] ==
          SyncConflict{kLetter, "eras_letter_id", "LOR-2027-222222", "LOR-2027-111111", "phone", "laptop"});
  }
  SECTION("the laptop changed it later") {
    MergeSide later_laptop{"laptop", kPhone.time + 60};
    FileMerge out = merged(kLetter, base, laptop, phone, later_laptop, kPhone);
    CHECK(out.text == laptop);
    REQUIRE(out.conflicts.size() == 1);
    CHECK(out.conflicts[0] ==
          SyncConflict{kLetter, "eras_letter_id", "LOR-2027-111111", "LOR-2027-222222", "laptop", "phone"});
  }
  SECTION("at the same second the greater device name wins") {
    MergeSide same_time_laptop{"laptop", kPhone.time};
    FileMerge out = merged(kLetter, base, laptop, phone, same_time_laptop, kPhone);
    CHECK(out.text == phone);
    REQUIRE(out.conflicts.size() == 1);
    CHECK(out.conflicts[0].kept_device == "phone");
  }
  SECTION("a value that is not text is reported as JSON, with its dotted field") {
    std::string writer = sample(kWriter);
    std::string eight = replaced(writer, "weeks: 6", "weeks: 8");
    std::string four = replaced(writer, "weeks: 6", "weeks: 4");
    FileMerge out = merged(kWriter, writer, eight, four, kPhone, kLaptop);
    CHECK(out.text == eight);
    REQUIRE(out.conflicts.size() == 1);
    CHECK(out.conflicts[0] == SyncConflict{kWriter, "relationship.weeks", "8", "4", "phone", "laptop"});
  }
}

TEST_CASE("merge: both sides setting the same new value is no conflict", "[merge]") {
  std::string base = sample("letters/qureshi-home.md");
  std::string a = replaced(base, "waived: false", "waived: true");
  std::string b = replaced(a, "Ask her after", "Ask Dr. Qureshi after");
  FileMerge out = merged("letters/qureshi-home.md", base, a, b, kLaptop, kPhone);
  CHECK(out.text == b);
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: events added on both sides all survive - in date order", "[merge]") {
  const std::string path = "letters/delgado-consult.md";
  std::string base = sample(path);
  const std::string last_event =
      "  - {date: 2026-08-12, event: asked, via: email, note: \"He was off service my last two days, so I asked by "
      "email.\"}\n";
  std::string laptop = replaced(base, last_event, last_event + "  - {date: 2026-08-20, event: agreed, via: email}\n");
  std::string phone = replaced(base, last_event,
                               last_event + "  - {date: 2026-08-15, event: reminded, via: phone}\n"
                                            "  - {date: 2026-08-20, event: agreed, via: in-person}\n");
  FileMerge out = merged(path, base, laptop, phone, kLaptop, kPhone);
  CHECK(out.text ==
        "---\n"
        "writer: marcus-delgado\n"
        "rotation: riverside-pmr-consult\n"
        "waived: true\n"
        "events:\n"
        "  - {date: 2026-08-12, event: asked, note: \"He was off service my last two days, so I asked by email.\", "
        "via: email}\n"
        "  - {date: 2026-08-15, event: reminded, via: phone}\n"
        "  - {date: 2026-08-20, event: agreed, via: email}\n"
        "  - {date: 2026-08-20, event: agreed, via: in-person}\n"
        "---\n"
        "Second US PM&R letter, the one I most need. No reply yet.\n"
        "If he agrees, send the packet the same day (CV, PS draft v4, summary).\n");
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: an event removed on one side is removed - an event added on the other survives", "[merge]") {
  std::string base = sample(kLetter);
  const std::string uploaded = "  - {date: 2026-08-10, event: uploaded, via: eras}\n";
  std::string removed = replaced(base, uploaded, "");

  SECTION("the other side did not touch the events") {
    std::string other = replaced(base, "waived: true", "waived: false");
    FileMerge out = merged(kLetter, base, removed, other, kPhone, kLaptop);
    CHECK(out.text == replaced(removed, "waived: true", "waived: false"));
    CHECK(out.conflicts.empty());
  }
  SECTION("the other side removed every event by hand - leaving `events:` empty") {
    std::string emptied = base.substr(0, base.find("  - {date: 2026-06-03")) + base.substr(base.find("---\nAnchor"));
    REQUIRE(emptied.find("events:\n---\n") != std::string::npos);
    std::string added = replaced(base, uploaded, uploaded + "  - {date: 2026-08-14, event: thanked, via: card}\n");
    FileMerge out = merged(kLetter, base, emptied, added, kPhone, kLaptop);
    CHECK(data_of(DocumentKind::letter, kLetter, out.text)["events"] ==
          nlohmann::json::parse(R"([{"date": "2026-08-14", "event": "thanked", "via": "card"}])"));
    CHECK(out.conflicts.empty());
  }
  SECTION("the other side added an event") {
    std::string added = replaced(base, uploaded, uploaded + "  - {date: 2026-08-14, event: thanked, via: card}\n");
    FileMerge out = merged(kLetter, base, removed, added, kPhone, kLaptop);
    nlohmann::json events = data_of(DocumentKind::letter, kLetter, out.text)["events"];
    CHECK(events == nlohmann::json::parse(R"([
      {"date": "2026-06-03", "event": "agreed", "via": "in-person"},
      {"date": "2026-06-03", "event": "asked", "via": "in-person"},
      {"date": "2026-06-08", "event": "packet-sent", "via": "email"},
      {"date": "2026-08-14", "event": "thanked", "via": "card"}])"));
    CHECK(out.conflicts.empty());
  }
}

TEST_CASE("merge: id lists merge as sets - the winner's order, then the loser's additions", "[merge]") {
  const std::string path = "programs/riverside-pmr.md";
  std::string base = sample(path);
  const std::string letters = "letters: [whitfield-inpatient, delgado-consult, brennan-neurology, qureshi-home]";
  // The phone (winner) drops qureshi-home and adds halvorsen-chair; the laptop drops brennan-neurology, adds lee-home.
  std::string phone = replaced(base, letters, "letters: [whitfield-inpatient, delgado-consult, brennan-neurology, "
                                              "halvorsen-chair]");
  std::string laptop =
      replaced(base, letters, "letters: [lee-home, whitfield-inpatient, delgado-consult, qureshi-home]");
  FileMerge out = merged(path, base, laptop, phone, kLaptop, kPhone);
  CHECK(out.text ==
        replaced(base, letters, "letters: [whitfield-inpatient, delgado-consult, halvorsen-chair, lee-home]"));
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: an unknown list set to items on one side and to none on the other is a conflict", "[merge]") {
  const std::string path = "programs/riverside-pmr.md";
  std::string base = replaced(sample(path), "visa: [j1]\n", "");  // visa unknown
  std::string laptop = replaced(sample(path), "visa: [j1]", "visa: []");  // sponsors none
  std::string phone = sample(path);                                       // sponsors J-1, later
  FileMerge out = merged(path, base, laptop, phone, kLaptop, kPhone);
  CHECK(data_of(DocumentKind::program, path, out.text) == data_of(DocumentKind::program, path, phone));
  CHECK(out.conflicts == std::vector<SyncConflict>{{path, "visa", "[\"j1\"]", "[]", "phone", "laptop"}});
  // The later "none" wins just the same: the merge never turns "none" into "some" or back without a record.
  FileMerge later_none = merged(path, base, laptop, phone, kPhone, kLaptop);
  CHECK(data_of(DocumentKind::program, path, later_none.text) == data_of(DocumentKind::program, path, laptop));
  CHECK(later_none.conflicts == std::vector<SyncConflict>{{path, "visa", "[]", "[\"j1\"]", "phone", "laptop"}});
}

TEST_CASE("merge: a list emptied on one side and changed on the other is a conflict", "[merge]") {
  const std::string path = "programs/riverside-pmr.md";
  std::string base = sample(path);
  std::string laptop = replaced(base, "visa: [j1]", "visa: [j1, h1b]");
  std::string phone = replaced(base, "visa: [j1]", "visa: []");
  FileMerge out = merged(path, base, laptop, phone, kLaptop, kPhone);
  CHECK(data_of(DocumentKind::program, path, out.text) == data_of(DocumentKind::program, path, phone));
  CHECK(out.conflicts == std::vector<SyncConflict>{{path, "visa", "[]", "[\"j1\",\"h1b\"]", "phone", "laptop"}});
}

TEST_CASE("merge: lists both sides created with items, or both emptied, merge without a conflict", "[merge]") {
  const std::string path = "programs/riverside-pmr.md";
  std::string base = replaced(sample(path), "visa: [j1]\n", "");
  FileMerge created = merged(path, base, replaced(sample(path), "visa: [j1]", "visa: [h1b]"), sample(path),
                             kLaptop, kPhone);
  CHECK(data_of(DocumentKind::program, path, created.text)["visa"] == nlohmann::json{"j1", "h1b"});
  CHECK(created.conflicts.empty());
  // Emptied as [] on one side and by hand as a bare key (null) on the other: both say "none".
  const std::string letters = "letters: [whitfield-inpatient, delgado-consult, brennan-neurology, qureshi-home]";
  FileMerge emptied = merged(path, sample(path), replaced(sample(path), letters, "letters: []"),
                             replaced(sample(path), letters, "letters:"), kLaptop, kPhone);
  CHECK(emptied.conflicts.empty());
  CHECK(data_of(DocumentKind::program, path, emptied.text)["letters"].empty());
}

TEST_CASE("merge: every list field keeps the none-versus-items rule", "[merge]") {
  struct Case {
    DocumentKind kind;
    std::string path, line, field;
  };
  // Each list field of the plan, emptied on one side (the later) while the other side adds an item. (A letter's
  // events are a log: emptied on one side and added to on the other, both apply - see the events tests above.)
  for (const Case& c : std::vector<Case>{
           {DocumentKind::program, "programs/riverside-pmr.md", "visa: [j1]", "visa"},
           {DocumentKind::program, "programs/riverside-pmr.md",
            "letters: [whitfield-inpatient, delgado-consult, brennan-neurology, qureshi-home]", "letters"},
           {DocumentKind::letter, kLetter, "packet: [cv, personal-statement, scores, photo, summary]", "packet"},
           {DocumentKind::plan, "plan.yaml", "interests: [inpatient-rehab, spinal-cord-injury]", "interests"},
           {DocumentKind::rotation, "rotations/lahore-pmr-inpatient.md", "focus: [spinal-cord-injury, stroke]", "focus"},
           {DocumentKind::writer, kWriter, "rotations: [lakeshore-inpatient-rehab]", "relationship.rotations"}}) {
    DYNAMIC_SECTION(c.path << " " << c.field) {
      std::string base = sample(c.path);
      std::string laptop = replaced(base, c.line, c.line.substr(0, c.line.size() - 1) + ", added-item]");
      std::string phone = replaced(base, c.line, c.line.substr(0, c.line.find(':')) + ": []");
      FileMerge out = merged(c.path, base, laptop, phone, kLaptop, kPhone);
      CHECK(data_of(c.kind, c.path, out.text) == data_of(c.kind, c.path, phone));
      REQUIRE(out.conflicts.size() == 1);
      CHECK(out.conflicts[0].field == c.field);
      CHECK(out.conflicts[0].kept_value == "[]");
    }
  }
}

TEST_CASE("merge: nested mappings merge per key", "[merge]") {
  std::string base = sample(kWriter);
  std::string laptop = replaced(base, "  weeks: 6\n", "  weeks: 8\n");
  std::string phone = replaced(replaced(base, "  direct_supervision: true\n", "  direct_supervision: false\n"),
                               "rotations: [lakeshore-inpatient-rehab]",
                               "rotations: [lakeshore-inpatient-rehab, riverside-pmr-consult]");
  FileMerge out = merged(kWriter, base, laptop, phone, kLaptop, kPhone);
  CHECK(out.text == replaced(phone, "  weeks: 6\n", "  weeks: 8\n"));
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: a key removed on one side and changed on the other keeps the change - the removal is reported",
          "[merge]") {
  std::string base = sample(kLetter);
  std::string removed = replaced(base, "eras_letter_id: LOR-2027-481736\n", "");
  std::string changed = replaced(base, "LOR-2027-481736", "LOR-2027-999999");
  for (bool remover_later : {true, false}) {
    INFO("remover later: " << remover_later);
    const MergeSide& remover = remover_later ? kPhone : kLaptop;
    const MergeSide& changer = remover_later ? kLaptop : kPhone;
    FileMerge out = merged(kLetter, base, removed, changed, remover, changer);
    CHECK(out.text == changed);
    REQUIRE(out.conflicts.size() == 1);
    CHECK(out.conflicts[0] ==
          SyncConflict{kLetter, "eras_letter_id", "LOR-2027-999999", "(removed)", changer.device, remover.device});
  }
}

TEST_CASE("merge: a key removed on one side and untouched on the other is removed", "[merge]") {
  std::string base = sample(kLetter);
  std::string removed = replaced(base, "eras_letter_id: LOR-2027-481736\n", "");
  std::string other = replaced(base, "Anchor letter.", "Anchor letter!");
  FileMerge out = merged(kLetter, base, removed, other, kLaptop, kPhone);
  CHECK(out.text == replaced(removed, "Anchor letter.", "Anchor letter!"));
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: a file both sides added merges as if from an empty one", "[merge]") {
  const std::string path = "letters/lee-home.md";
  std::string laptop = "---\nwriter: jane-lee\nwaived: true\n---\nAsked at grand rounds.\n";
  std::string phone =
      "---\nwriter: jane-lee\nwaived: false\nevents:\n  - {date: 2026-08-01, event: asked, via: email}\n---\n"
      "Emailed her the CV.\n";
  FileMerge out = merged(path, std::nullopt, laptop, phone, kLaptop, kPhone);
  CHECK(out.text == "---\nwriter: jane-lee\nwaived: false\nevents:\n  - {date: 2026-08-01, event: asked, via: email}\n"
                    "---\n" +
                        note("phone", "laptop") + "\nEmailed her the CV.\nAsked at grand rounds.\n");
  CHECK(out.conflicts == std::vector<SyncConflict>{
                             {path, "waived", "false", "true", "phone", "laptop"},
                             {path, "notes", "Emailed her the CV.", "Asked at grand rounds.", "phone", "laptop"}});
}

TEST_CASE("merge: body lines both sides changed are kept twice under a note - the winner's first", "[merge]") {
  std::string base = sample(kLetter);
  const std::string line = "Anchor letter. Uploaded Aug 10, well ahead of ERAS opening.\n";
  std::string laptop = replaced(base, line, "Anchor letter. Uploaded Aug 10; confirmed in ERAS.\n");
  std::string phone = replaced(base, line, "Anchor letter, uploaded Aug 10.\nShe copied me on the upload email.\n");
  FileMerge out = merged(kLetter, base, laptop, phone, kLaptop, kPhone);
  CHECK(out.text == replaced(base, line,
                             note("phone", "laptop") +
                                 "\nAnchor letter, uploaded Aug 10.\nShe copied me on the upload email.\n"
                                 "Anchor letter. Uploaded Aug 10; confirmed in ERAS.\n"));
  CHECK(out.conflicts ==
        std::vector<SyncConflict>{{kLetter, "notes",
                                   "Anchor letter, uploaded Aug 10.\nShe copied me on the upload email.",
                                   "Anchor letter. Uploaded Aug 10; confirmed in ERAS.", "phone", "laptop"}});
}

TEST_CASE("merge: body lines changed at different places merge cleanly", "[merge]") {
  std::string base = sample(kWriter);
  std::string laptop = replaced(base, "SCI unit attending;", "SCI unit attending (4 West);");
  std::string phone = replaced(base, "Prefers email; answers fastest early morning.",
                               "Prefers email; answers fastest before 7 am.");
  FileMerge out = merged(kWriter, base, laptop, phone, kLaptop, kPhone);
  CHECK(out.text == replaced(laptop, "Prefers email; answers fastest early morning.",
                             "Prefers email; answers fastest before 7 am."));
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: notes kept after a file that ended at its closing line start on a line of their own", "[merge]") {
  const std::string path = "letters/lee-home.md";
  std::string base = "---\nwriter: jane-lee\n---\nAsked.\n";
  std::string phone = "---\nwriter: jane-lee\n---";  // notes deleted, up to the line end of "---"
  std::string laptop = "---\nwriter: jane-lee\n---\nAsked.\nShe agreed.\n";
  FileMerge out = merged(path, base, laptop, phone, kLaptop, kPhone);
  CHECK(out.text == "---\nwriter: jane-lee\n---\n" + note("phone", "laptop") + "\nAsked.\nShe agreed.\n");
}

TEST_CASE("merge: plan.yaml merges field by field - keeping its comments", "[merge]") {
  std::string base = sample("plan.yaml");
  std::string laptop = replaced(replaced(base, "visa: j1", "visa: h1b"),
                                "interests: [inpatient-rehab, spinal-cord-injury]",
                                "interests: [inpatient-rehab, spinal-cord-injury, brain-injury]");
  std::string phone = replaced(replaced(base, "eras_submit: 2026-09-03", "eras_submit: 2026-09-10"),
                               "interests: [inpatient-rehab, spinal-cord-injury]",
                               "interests: [spinal-cord-injury, stroke]");
  FileMerge out = merged("plan.yaml", base, laptop, phone, kLaptop, kPhone);
  std::string expected = replaced(replaced(laptop, "eras_submit: 2026-09-03", "eras_submit: 2026-09-10"),
                                  "interests: [inpatient-rehab, spinal-cord-injury, brain-injury]",
                                  "interests: [spinal-cord-injury, stroke, brain-injury]");
  CHECK(out.text == expected);
  CHECK(out.conflicts.empty());

  SECTION("the same field changed on both sides") {
    std::string other = replaced(base, "visa: j1", "visa: none");
    FileMerge conflict = merged("plan.yaml", base, laptop, other, kLaptop, kPhone);
    CHECK(data_of(DocumentKind::plan, "plan.yaml", conflict.text)["applicant"]["visa"] == "none");
    CHECK(conflict.conflicts ==
          std::vector<SyncConflict>{{"plan.yaml", "applicant.visa", "none", "h1b", "phone", "laptop"}});
  }
}

TEST_CASE("merge: sync-conflicts.yaml merges its records as a set", "[merge]") {
  SyncConflict weeks{kWriter, "relationship.weeks", "8", "4", "phone", "laptop"};
  SyncConflict waived{kLetter, "waived", "true", "false", "laptop", "phone"};
  SyncConflict visa{"plan.yaml", "applicant.visa", "none", "h1b", "phone", "laptop"};
  std::string base = emit_sync_conflicts({weeks});
  std::string laptop = emit_sync_conflicts({weeks, waived});  // recorded one more
  std::string phone = emit_sync_conflicts({visa});            // settled weeks, recorded visa
  FileMerge out = merged(kSyncConflictsPath, base, laptop, phone, kLaptop, kPhone);
  CHECK(out.text == emit_sync_conflicts({waived, visa}));
  CHECK(out.conflicts.empty());
}

TEST_CASE("merge: a side whose YAML does not parse is merged line by line", "[merge]") {
  std::string base = sample(kLetter);
  std::string broken = replaced(base, "packet: [cv, personal-statement, scores, photo, summary]",
                                "packet: [cv, personal-statement, scores, photo, summary");
  SECTION("different lines: a clean line merge") {
    std::string other = replaced(base, "Anchor letter.", "Anchor letter!");
    FileMerge out = merged(kLetter, base, broken, other, kLaptop, kPhone);
    CHECK(out.text == replaced(broken, "Anchor letter.", "Anchor letter!"));
    CHECK(out.conflicts.empty());
  }
  SECTION("the same line: both kept under a note") {
    std::string other = replaced(base, "packet: [cv, personal-statement, scores, photo, summary]",
                                 "packet: [cv, personal-statement, scores, summary]");
    FileMerge out = merged(kLetter, base, broken, other, kLaptop, kPhone);
    CHECK(out.text == replaced(base, "packet: [cv, personal-statement, scores, photo, summary]\n",
                               note("phone", "laptop") +
                                   "\npacket: [cv, personal-statement, scores, summary]\n"
                                   "packet: [cv, personal-statement, scores, photo, summary\n"));
    CHECK(out.conflicts == std::vector<SyncConflict>{{kLetter, "text",
                                                      "packet: [cv, personal-statement, scores, summary]",
                                                      "packet: [cv, personal-statement, scores, photo, summary",
                                                      "phone", "laptop"}});
  }
}

TEST_CASE("merge: a side with a NUL byte in a key is merged line by line - the merge does not throw", "[merge]") {
  // The fuzzer's finding: yaml-cpp read the key into bytes that are not UTF-8, and the field merge threw on them.
  const std::string program = "programs/lakeshore-pmr.md";
  std::string base = sample(program);
  std::string with_nul = replaced(base, "letters_max: 4", "letters\0_max: 4"s);
  std::string other = replaced(base, "letters_max: 4", "letters_max: 3");
  FileMerge out = merged(program, base, with_nul, other, kLaptop, kPhone);
  CHECK(out.text.find("letters\0_max: 4"s) != std::string::npos);  // nothing of the side is lost
  CHECK(out.text.find("letters_max: 3") != std::string::npos);
  CHECK(out.conflicts.size() == 1);
}

TEST_CASE("merge: last lines keep their bytes - one that ends in a lone carriage return - an empty one", "[merge]") {
  // Found by the fuzzer: the line end added to the last line was taken off by the merged text's first line.
  for (const auto& [ours, theirs] : std::vector<std::pair<std::string, std::string>>{
           {"x\r\nlast\r", "y\n"}, {"last\r", "y\n"}, {"x\r\nlast", "y\r\n"}, {"x\r\nlast\r", "\ny"}}) {
    FileMerge out = merged("notes.txt", std::nullopt, ours, theirs, kLaptop, kPhone);
    INFO(out.text);
    std::string last = ours.substr(ours.rfind('\n') == std::string::npos ? 0 : ours.rfind('\n') + 1);
    CHECK(out.text.ends_with("\n" + last));
    CHECK(out.text.find(theirs) != std::string::npos);
  }
  // The other side's empty last line stays, though the winner has no final line end.
  FileMerge empty_line = merged("notes.txt", std::string(), "x\ny", "z\n\n", kPhone, kLaptop);
  CHECK(empty_line.text.ends_with("\nz\n\n"));
  // The winner's last line in the middle of the merged text: its "\r" reads as that line's CRLF.
  FileMerge middle = merged("notes.txt", std::string(), "y\n", "x\r\nlast\r", kLaptop, kPhone);
  INFO(middle.text);
  CHECK(middle.text.ends_with("\nx\r\nlast\r\ny"));  // and no final line end, as the winner has none
}

TEST_CASE("merge: CRLF files stay CRLF - notes included", "[merge]") {
  auto crlf = [](const std::string& text) {
    std::string out;
    for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return out;
  };
  std::string base = crlf(sample(kLetter));
  std::string laptop = replaced(replaced(base, "waived: true", "waived: false"), "Anchor letter.", "Anchor.");
  std::string phone =
      replaced(replaced(base, "LOR-2027-481736", "LOR-2027-000002"), "Anchor letter.", "Anchor letter, uploaded.");
  FileMerge out = merged(kLetter, base, laptop, phone, kLaptop, kPhone);
  std::string body_line = "Anchor letter. Uploaded Aug 10, well ahead of ERAS opening.\r\n";
  std::string expected = replaced(replaced(replaced(base, "waived: true", "waived: false"), "LOR-2027-481736",
                                           "LOR-2027-000002"),
                                  body_line,
                                  note("phone", "laptop") + "\r\n" +
                                      "Anchor letter, uploaded. Uploaded Aug 10, well ahead of ERAS opening.\r\n"
                                      "Anchor. Uploaded Aug 10, well ahead of ERAS opening.\r\n");
  CHECK(out.text == expected);
  REQUIRE(out.conflicts.size() == 1);
  CHECK(out.conflicts[0].kept_value == "Anchor letter, uploaded. Uploaded Aug 10, well ahead of ERAS opening.");
}

TEST_CASE("merge: other text files merge line by line - the last line's missing line end is kept", "[merge]") {
  const std::string path = "packet/summary.md";
  std::string base = sample(path);
  REQUIRE(base.ends_with("would help programs that know little about my school.\n"));
  base.pop_back();  // no line end after the last line

  SECTION("an addition at the end and a change at the start") {
    std::string laptop = base + "\n- Available for a call any weekday.";
    std::string phone = replaced(base, "# Amina Rahman:", "# Amina Rahman, MBBS:");
    FileMerge out = merged(path, base, laptop, phone, kLaptop, kPhone);
    CHECK(out.text == replaced(laptop, "# Amina Rahman:", "# Amina Rahman, MBBS:"));
    CHECK(out.conflicts.empty());
  }
  SECTION("both changed the last line") {
    std::string laptop = base + " Thank you!";
    std::string phone = base + "\n";  // only ended the last line
    std::string third = replaced(base, "know little about my school.", "know my school less well.");
    FileMerge out = merged(path, base, laptop, third, kLaptop, kPhone);
    CHECK(out.text == replaced(base, "  would help programs that know little about my school.",
                               note("phone", "laptop") + "\n  would help programs that know my school less well.\n" +
                                   "  would help programs that know little about my school. Thank you!"));
    CHECK(out.conflicts ==
          std::vector<SyncConflict>{{path, "text", "  would help programs that know my school less well.",
                                     "  would help programs that know little about my school. Thank you!", "phone",
                                     "laptop"}});
    // Ending the last line is not a change of that line: it merges with a change of its text.
    CHECK(merged(path, base, laptop, phone, kLaptop, kPhone).text == laptop + "\n");
  }
}

TEST_CASE("merge: text that looks like conflict markers is only text", "[merge]") {
  const std::string path = ".gitignore";
  std::string base = "# local state\n" + std::string(40, '=') + "\n<<<<<<< HEAD\n.lorsync/\n";
  std::string laptop = replaced(base, ".lorsync/\n", ".lorsync/\n*.tmp\n");
  std::string phone = replaced(base, ".lorsync/\n", ".lorsync/\n*.swp\n");
  FileMerge ab = merge_file(path, base, laptop, phone, kLaptop, kPhone);
  FileMerge ba = merge_file(path, base, phone, laptop, kPhone, kLaptop);
  CHECK(ab.text == ba.text);
  CHECK(ab.text == base + note("phone", "laptop") + "\n*.swp\n*.tmp\n");
  CHECK(ab.conflicts == std::vector<SyncConflict>{{path, "text", "*.swp", "*.tmp", "phone", "laptop"}});
}

TEST_CASE("merge: winner rule - later time, then greater device, then greater text - whichever side asks", "[merge]") {
  CHECK(merge_winner_is_first(kPhone, kLaptop, "a", "b"));
  CHECK_FALSE(merge_winner_is_first(kLaptop, kPhone, "b", "a"));
  MergeSide phone_now{"phone", kLaptop.time};
  CHECK(merge_winner_is_first(phone_now, kLaptop, "a", "b"));
  CHECK_FALSE(merge_winner_is_first(kLaptop, phone_now, "b", "a"));
  CHECK(merge_winner_is_first(kLaptop, kLaptop, "b", "a"));
  CHECK_FALSE(merge_winner_is_first(kLaptop, kLaptop, "a", "b"));
}

namespace {

const std::vector<std::string> kEventNames = {"asked", "agreed", "packet-sent", "reminded", "uploaded", "thanked"};
const std::vector<std::string> kPacketItems = {"cv", "personal-statement", "scores", "photo", "summary"};

// Random edits a user could make to a letter file: fields through the editor the CLI uses, body lines by hand,
// now and then a raw edit anywhere (which may break the YAML).
class LetterEditor {
 public:
  explicit LetterEditor(std::mt19937& random) : random_(random) {}

  std::string edit(const std::string& text) {
    std::string out = text;
    int edits = pick(1, 3);
    for (int i = 0; i < edits; ++i) out = edit_once(out);
    return out;
  }

 private:
  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  const std::string& one_of(const std::vector<std::string>& items) {
    return items[static_cast<size_t>(pick(0, static_cast<int>(items.size()) - 1))];
  }

  std::string edit_once(const std::string& text) {
    int what = pick(0, 9);
    if (what <= 3) return edit_field(text);
    if (what <= 8) return edit_body(text);
    return edit_lines(text);
  }

  std::string edit_field(const std::string& text) {
    ParsedDocument parsed = parse_document(DocumentKind::letter, "letters/x.md", "x", text);
    if (!parsed.document) return edit_lines(text);
    const nlohmann::json& data = parsed.document->data;
    FieldEdit edit;
    switch (pick(0, 5)) {
      case 0: edit = {FieldEdit::Op::set, {"waived"}, pick(0, 1) == 1}; break;
      case 1: edit = {FieldEdit::Op::set, {"eras_letter_id"}, "LOR-2027-" + std::to_string(pick(100, 999))}; break;
      case 2: edit = {FieldEdit::Op::remove, {"eras_letter_id"}, {}}; break;
      case 3: {
        std::string date = "2026-08-" + std::to_string(pick(10, 28));
        edit = {FieldEdit::Op::append, {"events"}, {{"date", date}, {"event", one_of(kEventNames)}}};
        break;
      }
      case 4: {
        nlohmann::json events = data.value("events", nlohmann::json::array());
        if (events.empty()) return text;
        events.erase(events.begin() + pick(0, static_cast<int>(events.size()) - 1));
        edit = {FieldEdit::Op::set, {"events"}, events};
        break;
      }
      default: {
        nlohmann::json packet = data.value("packet", nlohmann::json::array());
        std::string item = one_of(kPacketItems);
        auto found = std::find(packet.begin(), packet.end(), item);
        if (found != packet.end()) packet.erase(found);
        else packet.push_back(item);
        edit = {FieldEdit::Op::set, {"packet"}, packet};
      }
    }
    Result<Document> edited = apply_edits(*parsed.document, {edit});
    return edited ? edited->text : text;
  }

  std::string edit_body(const std::string& text) {
    size_t body = text.find("\n---\n");
    if (body == std::string::npos) return edit_lines(text);
    return text.substr(0, body + 5) + edit_lines(text.substr(body + 5));
  }

  std::string edit_lines(const std::string& text) {
    std::vector<std::string> lines = lines_of(text);
    size_t at = static_cast<size_t>(pick(0, static_cast<int>(lines.size())));
    std::string fresh = "line " + std::to_string(pick(0, 99999));
    switch (pick(0, 3)) {
      case 0: lines.insert(lines.begin() + static_cast<long>(at), fresh); break;
      case 1: if (at < lines.size()) lines.erase(lines.begin() + static_cast<long>(at)); break;
      case 2: if (at < lines.size()) lines[at] += " (" + fresh + ")"; break;
      default: lines.push_back(fresh);
    }
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    if (pick(0, 9) == 0 && !out.empty()) out.pop_back();  // sometimes no line end at the end
    return out;
  }

  std::mt19937& random_;
};

std::set<std::string> line_set(const std::string& text) {
  std::vector<std::string> lines = lines_of(text);
  return std::set<std::string>(lines.begin(), lines.end());
}

}  // namespace

TEST_CASE("merge: random edits on two devices merge to the same bytes either way - with nothing lost", "[merge]") {
  std::mt19937 random(20260815);
  LetterEditor editor(random);
  const std::vector<std::string> letters = {"letters/whitfield-inpatient.md", "letters/delgado-consult.md",
                                            "letters/brennan-neurology.md", "letters/qureshi-home.md"};
  const std::vector<MergeSide> sides = {{"laptop", 100}, {"phone", 100}, {"phone", 200}, {"desktop", 200}};
  int merges = 0;
  for (int iteration = 0; iteration < 200; ++iteration) {
    const std::string& path = letters[static_cast<size_t>(iteration) % letters.size()];
    std::string base = sample(path);
    std::string a = editor.edit(base), b = editor.edit(base);
    if (a == b || a == base || b == base) continue;
    ++merges;
    const MergeSide& side_a = sides[random() % sides.size()];
    const MergeSide& side_b = sides[random() % sides.size()];
    INFO("iteration " << iteration << "\n--- base:\n" << base << "--- a:\n" << a << "--- b:\n" << b);
    FileMerge out = merged(path, base, a, b, side_a, side_b);
    INFO("--- merged:\n" << out.text);

    // Every line a side added is in the result, unless the merge rewrote the front matter (then its data is).
    ParsedDocument parsed_a = parse_document(DocumentKind::letter, path, "x", a);
    ParsedDocument parsed_b = parse_document(DocumentKind::letter, path, "x", b);
    ParsedDocument parsed_base = parse_document(DocumentKind::letter, path, "x", base);
    std::set<std::string> result_lines = line_set(out.text), base_lines = line_set(base);
    bool semantic = parsed_a.document && parsed_b.document;
    for (const auto* side : {&parsed_a, &parsed_b}) {
      const std::string& text = side == &parsed_a ? a : b;
      std::string checked = semantic ? std::string(side->document->body()) : text;
      for (const auto& line : lines_of(checked))
        if (!base_lines.count(line)) CHECK(result_lines.count(line) == 1);
    }
    if (!semantic) continue;
    ParsedDocument parsed = parse_document(DocumentKind::letter, path, "x", out.text);
    REQUIRE(parsed.document);
    nlohmann::json events = parsed.document->data.value("events", nlohmann::json::array());
    nlohmann::json base_events = parsed_base.document->data.value("events", nlohmann::json::array());
    for (const auto* side : {&parsed_a, &parsed_b})
      for (const auto& event : side->document->data.value("events", nlohmann::json::array()))
        if (std::find(base_events.begin(), base_events.end(), event) == base_events.end())
          CHECK(std::find(events.begin(), events.end(), event) != events.end());
  }
  CHECK(merges > 150);
}

namespace {

// A repository as git's merge driver finds it mid-merge: `ours` committed on this branch (by "laptop"), `theirs`
// committed later on another (by "phone"), MERGE_HEAD naming it. Returns theirs' commit.
std::string repository_mid_merge(const std::filesystem::path& root, const std::string& path, const std::string& base,
                                 const std::string& ours, const std::string& theirs) {
  auto git = [&](std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), {"git", "-C", root.string()});
    auto run = test::run_process(args, {}, env);
    REQUIRE(run.exit_code == 0);
    return run.out;
  };
  auto commit = [&](const std::string& text, const std::string& device, const std::string& date) {
    test::write_file(root / path, text);
    git({"add", path});
    git({"commit", "-q", "-m", "edit\n\nLorsync-Device: " + device},
        {{"GIT_AUTHOR_DATE", date}, {"GIT_COMMITTER_DATE", date}});
  };
  REQUIRE(test::run_process({"git", "init", "-q", "-b", "main", root.string()}).exit_code == 0);
  commit(base, "laptop", "2026-08-01T10:00:00Z");
  git({"checkout", "-q", "-b", "other"});
  commit(theirs, "phone", "2026-08-03T10:00:00Z");
  git({"checkout", "-q", "main"});
  commit(ours, "laptop", "2026-08-02T10:00:00Z");
  std::string theirs_commit = git({"rev-parse", "other"});
  theirs_commit.pop_back();
  test::write_file(root / ".git/MERGE_HEAD", theirs_commit + "\n");
  return theirs_commit;
}

}  // namespace

TEST_CASE("merge: git's merge driver reads the history only when the order of the sides changes the file", "[merge]") {
  const std::string path = "letters/brennan-neurology.md";
  const std::string base = sample(path);
  const std::string last_event = "  - {date: 2026-07-14, event: packet-sent, via: email}\n";
  auto with_event = [&](const std::string& event) {
    return replaced(base, last_event, last_event + "  - {date: 2026-08-21, event: " + event + ", via: email}\n");
  };
  test::TempDir dir;

  SECTION("notes on one side, an event on the other, or an event each: the same file either way, no history read") {
    const std::string notes = base + "Reminder sent by text message as well.\n";
    repository_mid_merge(dir.path(), path, base, notes, with_event("reminded"));
    auto merged = merge_for_git(dir.path(), path, base, notes, with_event("reminded"));
    REQUIRE(merged);
    CHECK(merged->merged.text == with_event("reminded") + "Reminder sent by text message as well.\n");
    CHECK(merged->merged.conflicts.empty());
    CHECK(merged->theirs_commit.empty());

    merged = merge_for_git(dir.path(), path, base, with_event("reminded"), with_event("thanked"));
    REQUIRE(merged);
    CHECK(merged->merged.text.find("event: reminded") != std::string::npos);
    CHECK(merged->merged.text.find("event: thanked") != std::string::npos);
    CHECK(merged->theirs_commit.empty());
  }
  SECTION("one field changed differently on each side: the later change (the phone's, in MERGE_HEAD) wins") {
    const std::string phone = replaced(base, "rotation: riverside-neurology-obs", "rotation: riverside-pmr-consult");
    const std::string phone_too = replaced(phone, "waived: true", "waived: false");
    const std::string laptop_rotation = replaced(base, "rotation: riverside-neurology-obs", "rotation: lakeshore-rehab");
    const std::string theirs_commit = repository_mid_merge(dir.path(), path, base, laptop_rotation, phone_too);
    auto merged = merge_for_git(dir.path(), path, base, laptop_rotation, phone_too);
    REQUIRE(merged);
    CHECK(merged->theirs_commit == theirs_commit);
    CHECK(merged->merged.text == phone_too);
    REQUIRE(merged->merged.conflicts.size() == 1);
    CHECK(merged->merged.conflicts[0].kept_device == "phone");
    CHECK(merged->merged.conflicts[0].lost_device == "laptop");
    // Content alone would have kept this device's ("this device" sorts after "the other side").
    test::TempDir elsewhere;
    auto by_content = merge_for_git(elsewhere.path(), path, base, laptop_rotation, phone_too);
    REQUIRE(by_content);
    CHECK(by_content->merged.text.find("rotation: lakeshore-rehab") != std::string::npos);
  }
}

TEST_CASE("merge: a line merge said to conflict for sure does conflict in libgit2 - random texts with repeated lines",
          "[merge]") {
  // Few distinct lines, so that repeats make a diff ambiguous; some CRLF. (Every line ends: the line merge gives
  // libgit2 texts whose last line ends, and so does this test.)
  const char* kLines[] = {"a\n", "b\n", "c\r\n", "e\n", "d\n", "f\r\n", "g\n", "h\n"};
  std::mt19937 random(20261207);
  auto pick = [&](int below) { return static_cast<int>(random() % static_cast<unsigned>(below)); };
  int said_to_conflict = 0;
  for (int round = 0; round < 200'000; ++round) {
    const int size = pick(9);
    std::vector<std::string> base_lines;
    for (int i = 0; i < size; ++i) base_lines.push_back(kLines[pick(4)]);
    // One run of base's lines replaced by up to three lines.
    auto edited = [&] {
      const int begin = pick(size + 1), end = begin + pick(size - begin + 1);
      std::string text;
      for (int i = 0; i < begin; ++i) text += base_lines[i];
      for (int added = pick(4); added > 0; --added) text += kLines[pick(8)];
      for (int i = end; i < size; ++i) text += base_lines[i];
      return text;
    };
    std::string base;
    for (const auto& line : base_lines) base += line;
    const std::string a = edited(), b = edited();
    if (a == base || b == base || a == b) continue;
    const bool must_conflict = line_merge_must_conflict(base, a, b);
    REQUIRE(line_merge_must_conflict(base, b, a) == must_conflict);
    if (!must_conflict) continue;
    ++said_to_conflict;
    git_merge_file_input base_input = GIT_MERGE_FILE_INPUT_INIT, a_input = GIT_MERGE_FILE_INPUT_INIT,
                         b_input = GIT_MERGE_FILE_INPUT_INIT;
    base_input.ptr = base.data();
    base_input.size = base.size();
    a_input.ptr = a.data();
    a_input.size = a.size();
    b_input.ptr = b.data();
    b_input.size = b.size();
    git_merge_file_result result{};
    REQUIRE(lorsync::git_merge_file(&result, &base_input, &a_input, &b_input, nullptr) == 0);
    const bool clean = result.automergeable != 0;
    lorsync::git_merge_file_result_free(&result);
    if (clean) FAIL("libgit2 merged cleanly what was said to conflict:\nbase:\n" << base << "a:\n" << a << "b:\n" << b);
  }
  CHECK(said_to_conflict > 10'000);  // the shortcut is taken often enough to matter
}
