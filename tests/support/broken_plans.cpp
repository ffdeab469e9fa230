#include "support/broken_plans.hpp"

#include "support/temp_dir.hpp"

#include <fstream>

namespace lorsync::test {
namespace fs = std::filesystem;

namespace {

// The sample's letters/qureshi-home.md, a small file to damage.
constexpr const char* kLetter = "letters/qureshi-home.md";

void replace_in(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("fixture text not found: " + from);
  text.replace(at, from.size(), to);
  write_file(path, text);
}

}  // namespace

const std::vector<BrokenPlan>& broken_plans() {
  static const std::vector<BrokenPlan> plans = {
      {"empty file", [](const fs::path& p) { write_file(p / kLetter, ""); },
       "letters/qureshi-home.md:1:1: the file is empty"},
      {"no front matter", [](const fs::path& p) { write_file(p / kLetter, "writer: farah-qureshi\n"); },
       "letters/qureshi-home.md:1:1: no front matter"},
      {"unterminated front matter",
       [](const fs::path& p) { write_file(p / kLetter, "---\nwriter: farah-qureshi\nwaived: true\nNotes\n"); },
       "letters/qureshi-home.md:1:1: the front matter is not closed"},
      {"tab indentation",
       [](const fs::path& p) { replace_in(p / "writers/farah-qureshi.md", "  weeks:", "\tweeks:"); },
       "writers/farah-qureshi.md:12:1: tab used for indentation"},
      {"a control character in the fields",
       [](const fs::path& p) {
         replace_in(p / "writers/farah-qureshi.md", "title: research-mentor", "title: research\x1b[2Jmentor");
       },
       "writers/farah-qureshi.md:3:16: a control character (U+001B) in the fields"},
      {"bad nesting", [](const fs::path& p) { replace_in(p / kLetter, "waived: false", "  waived: false"); },
       "letters/qureshi-home.md:"},
      {"duplicate keys", [](const fs::path& p) { replace_in(p / kLetter, "waived: false", "waived: false\nwaived: true"); },
       "letters/qureshi-home.md:5:1: duplicate key \"waived\""},
      {"wrong type", [](const fs::path& p) { replace_in(p / "writers/farah-qureshi.md", "weeks: 104", "weeks: many"); },
       "writers/farah-qureshi.md:12:10: relationship.weeks: expected a whole number, got \"many\""},
      {"impossible date", [](const fs::path& p) { replace_in(p / "rotations/riverside-pmr-consult.md", "start: 2026-07-13", "start: 2026-02-30"); },
       "rotations/riverside-pmr-consult.md:8:8: start: \"2026-02-30\" is not a real calendar date"},
      {"unknown field", [](const fs::path& p) { replace_in(p / kLetter, "waived: false", "waved: false"); },
       "letters/qureshi-home.md:4:1: waved: unknown field; did you mean \"waived\"?"},
      {"an email written as a mapping",
       [](const fs::path& p) {
         replace_in(p / "writers/farah-qureshi.md", "email: farah.qureshi@ravi-rehab.example.org",
                    "email:\n  work: farah.qureshi@ravi-rehab.example.org");
       },
       "writers/farah-qureshi.md:8:3: email: expected text, got {\"work\":"},
      {"bad enum", [](const fs::path& p) { replace_in(p / "rotations/riverside-pmr-consult.md", "setting: consult", "setting: inpatient"); },
       "setting: \"inpatient\" is not one of: inpatient-rehab, consult, outpatient, research, other; did you mean \"inpatient-rehab\"?"},
      {"visa written the way a form writes it", [](const fs::path& p) { replace_in(p / "plan.yaml", "visa: j1 ", "visa: J-1"); },
       "plan.yaml:7:9: applicant.visa: \"J-1\" is not one of: none, j1, h1b, undecided; did you mean \"j1\"?"},
      {"dates out of order", [](const fs::path& p) { replace_in(p / "plan.yaml", "programs_review: 2026-09-24", "programs_review: 2025-09-24"); },
       "plan.yaml:13:20: dates.programs_review: programs_review (2025-09-24) is before eras_submit (2026-09-03)"},
      {"match day before the season", [](const fs::path& p) { replace_in(p / "plan.yaml", "match_day: 2027-03-19", "match_day: 2026-03-20"); },
       "dates.match_day: match_day (2026-03-20) is before eras_submit (2026-09-03)"},
      {"missing required field", [](const fs::path& p) { replace_in(p / kLetter, "writer: farah-qureshi\n", ""); },
       "letters/qureshi-home.md:2:1: writer: required field is missing"},
      {"dangling reference", [](const fs::path& p) { replace_in(p / kLetter, "writer: farah-qureshi", "writer: farah-qureshy"); },
       "letters/qureshi-home.md:2:9: writer: no writers/farah-qureshy.md in this plan; did you mean \"farah-qureshi\"?"},
      {"file name that is not an id",
       [](const fs::path& p) { fs::rename(p / "writers/farah-qureshi.md", p / "writers/Dr Smith.md"); },
       "writers/Dr Smith.md: the file name is not a valid id: use lowercase letters, digits and hyphens (rename it to dr-smith.md)"},
      {"non-UTF-8 bytes", [](const fs::path& p) { replace_in(p / kLetter, "Planned", "Pl\xe9nned"); },
       "letters/qureshi-home.md:6:3: the file is not valid UTF-8"},
      {"20 MB file",
       [](const fs::path& p) {
         std::ofstream out(p / kLetter, std::ios::app | std::ios::binary);
         std::string block(1 << 20, 'x');
         for (int i = 0; i < 20; ++i) out << block;
       },
       "letters/qureshi-home.md: is 21.0 MB; plan files are limited to 1 MiB"},
      {"YAML alias bomb",
       [](const fs::path& p) {
         std::string bomb = "---\nwriter: farah-qureshi\nx-a: &a [x, x, x, x, x, x, x, x, x, x]\n";
         char previous = 'a';
         for (char name = 'b'; name <= 'p'; ++name) {
           bomb += std::string("x-") + name + ": &" + name + " [";
           for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + previous;
           bomb += "]\n";
           previous = name;
         }
         write_file(p / kLetter, bomb + "---\n");
       },
       "aliases expand to more than"},
      {"symlink outside the plan",
       [](const fs::path& p) {
         write_file(p.parent_path() / "outside.md", "---\nname: Outside\n---\n");
         fs::create_symlink(p.parent_path() / "outside.md", p / "programs/outside.md");
       },
       "programs/outside.md: is a symlink to"},
      {"missing plan.yaml", [](const fs::path& p) { fs::remove(p / "plan.yaml"); },
       "plan.yaml: missing: every plan has a plan.yaml"},
  };
  return plans;
}

}  // namespace lorsync::test
