// The emails lorsync drafts: the default step follows the letter's life, the words follow the guide,
// the mailto: URL is RFC 6068, and a plan's own template is checked.
#include <catch2/catch.hpp>

#include "draft/draft.hpp"
#include "support/fixtures.hpp"
#include "support/temp_dir.hpp"
#include "validation/plan_check.hpp"

#include <nlohmann/json.hpp>

#include <regex>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

// The strong plan with Dr. Ana Pérez's letter at a given point of its life.
class DraftPlan {
 public:
  explicit DraftPlan(const std::vector<std::string>& ana_events) {
    fs::copy(fixture_path("strong"), dir_.path(), fs::copy_options::recursive);
    std::string writer = read_file(dir_ / "writers/ana-pmr.md");
    writer.insert(writer.find("title:"), "email: ana.perez@northlake.example\n");
    write_file(dir_ / "writers/ana-pmr.md", writer);
    std::string letter = read_file(dir_ / "letters/ana.md");
    size_t start = letter.find("events:");
    std::string list = ana_events.empty() ? "events: []\n" : "events:\n";
    for (const auto& e : ana_events) list += "  - " + e + "\n";
    write_file(dir_ / "letters/ana.md", letter.substr(0, start) + list + letter.substr(letter.find("---", start)));
  }
  const fs::path& root() const { return dir_.path(); }
  void write(const std::string& file, const std::string& text) {
    fs::create_directories((dir_ / file).parent_path());
    write_file(dir_ / file, text);
  }
  Model model() const {
    CheckedPlan checked = PlanChecker(dir_.path()).check();
    REQUIRE(checked.valid());
    return build_model(checked.plan);
  }
  Draft draft(const char* today, std::optional<DraftStep> step = std::nullopt) const {
    Model m = model();
    const Letter& ana = m.letters.at("ana");
    if (!step) {
      auto next = next_step(m, ana, *parse_date(today));
      REQUIRE(next);
      step = draft_step_for(*next);
    }
    auto drafted = render_draft(m, ana, *step, dir_.path());
    REQUIRE(drafted.ok());
    return *drafted;
  }

 private:
  TempDir dir_;
};

}  // namespace

TEST_CASE("draft: the default step follows the letter's life") {
  struct Case {
    std::vector<std::string> events;
    const char* today;
    DraftStep step;
    const char* body_has;
  };
  const std::vector<Case> cases = {
      {{}, "2026-05-25", DraftStep::ask, "feel comfortable writing me a strong letter"},
      {{"{date: 2026-05-28, event: asked, via: in-person}"}, "2026-05-28", DraftStep::follow_up, ""},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}"}, "2026-05-30", DraftStep::packet,
       "adapt to the US clinical environment"},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}", "{date: 2026-05-30, event: packet-sent}"},
       "2026-08-27", DraftStep::remind, "2026-09-24"},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}", "{date: 2026-05-30, event: packet-sent}",
        "{date: 2026-09-01, event: uploaded}"},
       "2026-09-02", DraftStep::thank, ""},
      {{"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}", "{date: 2026-05-30, event: packet-sent}",
        "{date: 2026-09-01, event: uploaded}", "{date: 2026-09-02, event: thanked}"},
       "2027-03-20", DraftStep::match, "[program]"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(draft_step_name(c.step) << " on " << c.today) {
      DraftPlan plan(c.events);
      Draft draft = plan.draft(c.today);
      CHECK(draft.step == c.step);
      CHECK(draft.to == "ana.perez@northlake.example");
      CHECK_FALSE(draft.subject.empty());
      CHECK(draft.body.find("Dr. Ana Pérez") != std::string::npos);
      CHECK(draft.body.find(c.body_has) != std::string::npos);
      CHECK(draft.body.find('{') == std::string::npos);  // every placeholder filled
    }
  }
}

TEST_CASE("draft: the IMG themes go only to a non-US IMG's writers") {
  DraftPlan plan({"{date: 2026-05-28, event: asked}", "{date: 2026-05-29, event: agreed}"});
  CHECK(plan.draft("2026-05-30", DraftStep::packet).body.find("non-US citizen IMG") != std::string::npos);
  std::string settings = read_file(plan.root() / "plan.yaml");
  settings = std::regex_replace(settings, std::regex("citizenship: non-us"), "citizenship: us");
  settings = std::regex_replace(settings, std::regex("graduate: img"), "graduate: us-md");
  settings = std::regex_replace(settings, std::regex("\n  visa: j1"), "");
  plan.write("plan.yaml", settings);
  CHECK(plan.draft("2026-05-30", DraftStep::packet).body.find("non-US citizen IMG") == std::string::npos);
}

TEST_CASE("draft: the mailto URL is RFC 6068: percent-encoded, CRLF line breaks") {
  Draft draft{DraftStep::thank, "ana.perez@northlake.example", "Thank you & more", "Dear Dr. Pérez,\nThanks?", {}};
  std::string url = mailto_url(draft);
  CHECK(url == "mailto:ana.perez@northlake.example?subject=Thank%20you%20%26%20more&body=Dear%20Dr.%20P%C3%A9rez%2C%0D%0AThanks%3F");
  CHECK(percent_encode("a-b_c.d~e") == "a-b_c.d~e");
  auto json = draft_json(draft);
  CHECK(json["step"] == "thank");
  CHECK(json["mailto"] == url);
}

TEST_CASE("draft: a plan's own template is used, and an unknown placeholder names its line") {
  DraftPlan plan({});
  plan.write("templates/ask.txt", "Subject: A letter, {writer.name}?\n\nHello {writer.name}, by {due}.\n");
  Draft draft = plan.draft("2026-05-25");
  CHECK(draft.subject == "A letter, Dr. Ana Pérez?");
  CHECK(draft.body.find("Hello Dr. Ana Pérez, by 2026-09-24.") != std::string::npos);

  plan.write("templates/ask.txt", "Subject: A letter\n\nHello,\nsee {writer.nmae}\n");
  Model m = plan.model();
  auto drafted = render_draft(m, m.letters.at("ana"), DraftStep::ask, plan.root());
  REQUIRE_FALSE(drafted.ok());
  REQUIRE_FALSE(drafted.error().diagnostics.empty());
  const auto& where = drafted.error().diagnostics.front().where;
  CHECK(where.path == "templates/ask.txt");
  CHECK(where.line == 4);
  CHECK(where.column == 5);
  CHECK(drafted.error().diagnostics.front().message.find("{writer.nmae}") != std::string::npos);
}

TEST_CASE("draft: lorsync validate checks the plan's templates, and a linked template is refused, not read") {
  DraftPlan plan({});
  CHECK(check_plan_templates(plan.root()).empty());  // no templates/ folder
  plan.write("templates/ask.txt", "Subject: A letter\n\nHello {writer.name}\n");
  CHECK(check_plan_templates(plan.root()).empty());
  plan.write("templates/thank.txt", "Subject: Thanks\n\nDear {writer.name},\nthanks {aplicant.name}\n");
  plan.write("templates/notes.txt", "Subject: x\n\ny\n");
  auto problems = check_plan_templates(plan.root());
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].where.path == "templates/notes.txt");
  CHECK(problems[1].where.path == "templates/thank.txt");
  CHECK(problems[1].where.line == 4);
  CHECK(format_diagnostic(problems[1]).rfind("templates/thank.txt:4:8:", 0) == 0);

  TempDir outside;
  write_file(outside / "secret.txt", "Subject: secret\n\nthe secret\n");
  fs::remove(plan.root() / "templates/ask.txt");
  fs::create_symlink(outside / "secret.txt", plan.root() / "templates/ask.txt");
  problems = check_plan_templates(plan.root());
  CHECK(std::any_of(problems.begin(), problems.end(), [](const Diagnostic& d) {
    return d.where.path == "templates/ask.txt" && d.message.find("link") != std::string::npos;
  }));
  Draft draft = plan.draft("2026-05-25", DraftStep::ask);
  CHECK(draft.body.find("the secret") == std::string::npos);  // the default wording instead
  CHECK(draft.body.find("feel comfortable") != std::string::npos);
}
