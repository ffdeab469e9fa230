#include <catch2/catch.hpp>

#include "common/diagnostic.hpp"
#include "support/broken_plans.hpp"
#include "support/temp_dir.hpp"
#include "validation/plan_check.hpp"
#include "validation/schema_set.hpp"

#include <sys/resource.h>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

std::string all_lines(const CheckedPlan& checked) {
  std::string out;
  for (const auto& d : checked.diagnostics) out += format_diagnostic(d) + "\n";
  return out;
}

}  // namespace

TEST_CASE("the sample plan is valid") {
  TempDir dir;
  write_sample_plan(dir.path());
  CheckedPlan checked = PlanChecker(dir.path()).check();
  INFO(all_lines(checked));
  CHECK(checked.valid());
  CHECK(checked.plan.of(EntityKind::letter).size() == 5);
  CHECK(checked.plan.of(EntityKind::writer).size() == 5);
  CHECK(checked.plan.of(EntityKind::program).size() == 6);
  CHECK(checked.plan.of(EntityKind::rotation).size() >= 3);
  CHECK(checked.plan.packet_summary.has_value());
}

TEST_CASE("every kind of bad input gets one clear - located diagnostic") {
  for (const auto& broken : broken_plans()) {
    DYNAMIC_SECTION(broken.name) {
      TempDir dir;
      fs::path plan = dir / "plan";
      write_sample_plan(plan);
      broken.damage(plan);
      CheckedPlan checked = PlanChecker(plan).check();
      INFO(all_lines(checked));
      CHECK_FALSE(checked.valid());
      CHECK_THAT(all_lines(checked), Catch::Contains(broken.expected));
    }
  }
}

TEST_CASE("all problems of all files are listed at once") {
  TempDir dir;
  write_sample_plan(dir.path());
  write_file(dir / "letters/qureshi-home.md", "---\nwriter: nobody\nwaved: true\n---\n");
  write_file(dir / "programs/blue-ridge-pmr.md", "---\nname: Blue Ridge\nvisa: [j2]\n---\n");
  CheckedPlan checked = PlanChecker(dir.path()).check();
  std::string lines = all_lines(checked);
  CHECK_THAT(lines, Catch::Contains("letters/qureshi-home.md:2:9: writer: no writers/nobody.md"));
  CHECK_THAT(lines, Catch::Contains("letters/qureshi-home.md:3:1: waved: unknown field"));
  CHECK_THAT(lines, Catch::Contains("programs/blue-ridge-pmr.md:3:8: visa[0]: \"j2\" is not one of: j1, h1b"));
}

TEST_CASE("custom x- fields are allowed - min above max is not") {
  TempDir dir;
  write_sample_plan(dir.path());
  write_file(dir / "programs/blue-ridge-pmr.md",
             "---\nname: Blue Ridge\nx-contact: coordinator@example.org\nrequires: {letters_min: 4, letters_max: 3}\n---\n");
  CheckedPlan checked = PlanChecker(dir.path()).check();
  std::string lines = all_lines(checked);
  CHECK_THAT(lines, !Catch::Contains("x-contact"));
  CHECK_THAT(lines, Catch::Contains("letters_min (4) is more than letters_max (3)"));
}

TEST_CASE("a reference to a file that exists but does not parse is not reported as dangling") {
  TempDir dir;
  write_sample_plan(dir.path());
  write_file(dir / "writers/farah-qureshi.md", "---\nname: [unclosed\n---\n");
  CheckedPlan checked = PlanChecker(dir.path()).check();
  CHECK_THAT(all_lines(checked), !Catch::Contains("no writers/farah-qureshi.md"));
}

TEST_CASE("unchanged files are not re-read - changed ones are") {
  TempDir dir;
  write_sample_plan(dir.path());
  PlanChecker checker(dir.path());
  REQUIRE(checker.check().valid());
  write_file(dir / "letters/qureshi-home.md", "---\nwriter: farah-qureshi\nwaived: maybe\n---\n");
  CheckedPlan second = checker.check();
  CHECK_THAT(all_lines(second), Catch::Contains("waived: expected true or false"));
}

TEST_CASE("every schema property has a description and objects refuse unknown fields") {
  const SchemaSet& schemas = SchemaSet::instance();
  std::function<void(const nlohmann::json&, const std::string&)> walk = [&](const nlohmann::json& node,
                                                                            const std::string& where) {
    if (!node.is_object()) return;
    if (node.contains("properties")) {
      INFO(where);
      CHECK(node.value("additionalProperties", true) == false);
      CHECK(node.contains("patternProperties"));
      for (const auto& [name, sub] : node["properties"].items()) {
        INFO(where + "." + name);
        CHECK(sub.contains("description"));
        walk(sub, where + "." + name);
      }
    }
    if (node.contains("items")) walk(node["items"], where + "[]");
  };
  for (auto kind : {DocumentKind::plan, DocumentKind::rotation, DocumentKind::writer, DocumentKind::letter,
                    DocumentKind::program})
    walk(schemas.schema_json(kind), schema_file_name(kind));
}
