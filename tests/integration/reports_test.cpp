// status, audit, deadlines (and --ics), programs and assign, as a user runs them.
#include <catch2/catch.hpp>

#include "integration/programs.hpp"
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <nlohmann/json.hpp>

using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json run_json(std::vector<std::string> args, int expected_exit = 0) {
  args.push_back("--json");
  ProcessResult result = run_lorsync(args);
  INFO(result.err);
  REQUIRE(result.exit_code == expected_exit);
  return nlohmann::json::parse(result.out);
}

}  // namespace

TEST_CASE("status of the sample plan: one readable screen without colour when piped") {
  TempDir dir;
  fs::path plan = sample(dir);
  ProcessResult status = run_lorsync({"--plan", plan.string(), "status"});
  INFO(status.err);
  REQUIRE(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("Amina Rahman · PM&R Match 2027 · today 2026-08-15"));
  CHECK_THAT(status.out, Catch::Contains("Readiness:"));
  CHECK_THAT(status.out, Catch::Contains("Dr. Eleanor Whitfield"));
  CHECK_THAT(status.out, Catch::Contains("Next deadlines"));
  CHECK_THAT(status.out, Catch::Contains("Top findings"));
  CHECK(status.out.find('\033') == std::string::npos);

  auto json = run_json({"--plan", plan.string(), "status"});
  CHECK(json["applicant"] == "Amina Rahman");
  CHECK(json["letters"].size() == 5);
  CHECK(json["next_deadlines"].size() <= 5);
  CHECK(json["readiness"].contains("errors"));
}

TEST_CASE("audit exits 1 on errors and 0 without - and --today and LORSYNC_TODAY both set the day") {
  ProcessResult weak = run_lorsync({"--plan", fixture_path("weak").string(), "--today", "2026-09-10", "audit"});
  CHECK(weak.exit_code == 1);
  CHECK_THAT(weak.out, Catch::Contains("big-name-weak-tie"));
  ProcessResult strong = run_lorsync({"--plan", fixture_path("strong").string(), "audit"}, {}, {{"LORSYNC_TODAY", "2026-10-10"}});
  CHECK(strong.exit_code == 0);
  CHECK_THAT(strong.out, Catch::Contains("No findings"));
  auto json = run_json({"--plan", fixture_path("weak").string(), "--today", "2026-09-25", "audit"}, 1);
  bool overdue = false;
  for (const auto& f : json["findings"]) {
    overdue = overdue || f["rule"] == "upload-overdue";
    CHECK(f.contains("refs"));
    CHECK(f.contains("action"));
    CHECK(f.contains("guide"));
  }
  CHECK(overdue);
  CHECK(run_lorsync({"--plan", fixture_path("weak").string(), "--today", "2026-02-30", "audit"}).exit_code == 2);
}

TEST_CASE("deadlines --within and the iCalendar file read by an independent parser") {
  fs::path weak = fixture_path("weak");
  auto soon = run_json({"--plan", weak.string(), "--today", "2026-09-10", "deadlines", "--within", "7"});
  for (const auto& d : soon) {
    CHECK(d["state"] != "done");
    CHECK(d["date"].get<std::string>() <= "2026-09-17");
  }
  auto all = run_json({"--plan", weak.string(), "--today", "2026-09-10", "deadlines"});
  REQUIRE(all.size() > soon.size());

  TempDir dir;
  for (int run = 0; run < 2; ++run) {
    fs::path ics = dir / ("deadlines-" + std::to_string(run) + ".ics");
    REQUIRE(run_lorsync({"--plan", weak.string(), "--today", run ? "2026-09-12" : "2026-09-10", "deadlines", "--ics", "-o",
                         ics.string()})
                .exit_code == 0);
    ProcessResult parsed = run_process({NODE_BINARY, source_path("tests/ics/check-ics.mjs").string(), ics.string()});
    INFO(parsed.err);
    REQUIRE(parsed.exit_code == 0);
    auto calendar = nlohmann::json::parse(parsed.out);
    CHECK(calendar["version"] == "2.0");
    REQUIRE(calendar["todos"].size() == all.size());
    for (size_t i = 0; i < all.size(); ++i) {
      const auto& todo = calendar["todos"][i];
      CHECK(todo["uid"] == all[i]["id"].get<std::string>() + "@lorsync");  // stable: the same on both runs
      CHECK(todo["due"] == all[i]["date"]);
      CHECK(todo["summary"] == all[i]["title"]);
      CHECK(todo["alarms"].size() == (all[i]["state"] == "done" ? 0u : 1u));
    }
  }
}

TEST_CASE("programs: fit, visa, deadline and a suggested set of at most 4, each choice explained") {
  TempDir dir;
  fs::path plan = sample(dir);
  auto programs = run_json({"--plan", plan.string(), "programs"});
  REQUIRE(programs.size() == 6);
  for (const auto& p : programs) {
    CHECK(p["suggestion"].size() <= 4);
    for (const auto& choice : p["suggestion"]) CHECK_FALSE(choice["reason"].get<std::string>().empty());
  }
  auto harbor = std::find_if(programs.begin(), programs.end(), [](const auto& p) { return p["id"] == "harbor-bay-pmr"; });
  REQUIRE(harbor != programs.end());
  CHECK((*harbor)["sponsors_visa"] == false);
  CHECK((*harbor)["suggestion"][0]["letter"] == "whitfield-inpatient");
}

TEST_CASE("assign refuses more than 4 letters and a set that breaks the requirements unless --force") {
  TempDir dir;
  fs::path plan = sample(dir);
  ProcessResult five = run_lorsync({"--plan", plan.string(), "assign", "blue-ridge-pmr", "whitfield-inpatient",
                                    "delgado-consult", "brennan-neurology", "qureshi-home", "halvorsen-chair"});
  CHECK(five.exit_code == 2);
  CHECK_THAT(five.err, Catch::Contains("at most 4"));
  ProcessResult weak = run_lorsync({"--plan", plan.string(), "assign", "blue-ridge-pmr", "brennan-neurology"});
  CHECK(weak.exit_code == 2);
  CHECK_THAT(weak.err, Catch::Contains("--force"));
  CHECK(run_process({"git", "-C", plan.string(), "rev-list", "--count", "HEAD"}).out == "1\n");

  auto good = run_json({"--plan", plan.string(), "assign", "blue-ridge-pmr", "whitfield-inpatient", "delgado-consult",
                        "brennan-neurology"});
  CHECK(good["message"] == "set: programs/blue-ridge-pmr — letters=[whitfield-inpatient, delgado-consult, brennan-neurology]");
  CHECK_THAT(read_file(plan / "programs/blue-ridge-pmr.md"),
             Catch::Contains("letters: [whitfield-inpatient, delgado-consult, brennan-neurology]"));
  auto forced = run_json({"--plan", plan.string(), "assign", "blue-ridge-pmr", "brennan-neurology", "--force"});
  CHECK_FALSE(forced["problems"].empty());
  CHECK(run_lorsync({"--plan", plan.string(), "assign", "nowhere-pmr", "brennan-neurology"}).exit_code == 2);
}

TEST_CASE("programs on a plan without programs says so and how to add one") {
  TempDir dir;
  fs::path plan = sample(dir);
  for (const auto& entry : fs::directory_iterator(plan / "programs")) fs::remove(entry.path());
  ProcessResult result = run_lorsync({"--plan", plan.string(), "programs"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("No programs in this plan yet"));
}
