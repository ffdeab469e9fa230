// Each mutating command's refusals as `lorsync --json` gives them, without a
// daemon (the CLI writes through the store itself) and with one (the CLI sends
// the change to lorsyncd): the same error code, message and diagnostics.
#include <catch2/catch.hpp>

#include "integration/programs.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"

#include <nlohmann/json.hpp>

using namespace lorsync;
using namespace lorsync::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Refusal {
  std::string name;
  std::vector<std::string> args;
  std::string code;  // the ErrorCode's name both ways
};

const std::vector<Refusal>& refusals() {
  static const std::vector<Refusal> list = {
      {"add an entity that exists", {"add", "writer", "samuel-brennan", "--set", "name=Dr. Samuel Brennan"}, "exists"},
      {"add with an id that is not one", {"add", "writer", "Dr_Smith", "--set", "name=Dr. Smith"}, "usage"},
      {"add what the plan would not accept", {"add", "writer", "jane-lee", "--set", "name=Dr. Jane Lee", "--set", "country=USA"},
       "invalid_plan"},
      {"add a letter for a writer not in the plan", {"add", "letter", "lee-consult", "--set", "writer=jane-lee"}, "invalid_plan"},
      {"set a field of an entity not in the plan", {"set", "writer", "ghost", "relationship.weeks=5"}, "not_found"},
      {"set a value the schema refuses", {"set", "writer", "samuel-brennan", "relationship.weeks=-3"}, "invalid_plan"},
      {"set with an empty part in the field path", {"set", "writer", "samuel-brennan", "relationship..weeks=3"},
       "usage"},
      {"remove an entity not in the plan", {"rm", "writer", "ghost"}, "not_found"},
      {"remove a writer that letters name", {"rm", "writer", "samuel-brennan"}, "invalid_plan"},
      {"record an event of a letter not in the plan", {"record", "ghost-letter", "asked"}, "not_found"},
      {"record an event on a day that does not exist", {"record", "brennan-neurology", "reminded", "--on", "2026-02-30"},
       "usage"},
      {"record an event that is not one", {"record", "brennan-neurology", "bribed"}, "invalid_plan"},
      {"record with a via longer than the schema allows",
       {"record", "brennan-neurology", "reminded", "--via", std::string(70, 'x')}, "invalid_plan"},
      {"record a packet document that is not one", {"record", "brennan-neurology", "packet-sent", "--packet", "cv,bogus"},
       "invalid_plan"},
      {"set a field path of 40,000 characters", {"set", "writer", "samuel-brennan", std::string(40000, 'a') + "=1"},
       "usage"},
      {"assign to a program not in the plan", {"assign", "ghost-pmr", "brennan-neurology"}, "not_found"},
      {"assign a letter not in the plan", {"assign", "riverside-pmr", "ghost-letter"}, "usage"},
      {"assign more than four letters",
       {"assign", "riverside-pmr", "brennan-neurology", "delgado-consult", "halvorsen-chair", "qureshi-home",
        "whitfield-inpatient"},
       "usage"},
      {"resolve a conflict there is not", {"resolve", "letters/brennan-neurology.md", "status"},
       "not_found"},
  };
  return list;
}

json error_of(const fs::path& plan, const Refusal& refusal) {
  std::vector<std::string> args = {"--plan", plan.string(), "--json"};
  args.insert(args.end(), refusal.args.begin(), refusal.args.end());
  ProcessResult run = run_lorsync(args);
  INFO(refusal.name << "\nstdout: " << run.out << "\nstderr: " << run.err);
  CHECK(run.exit_code != 0);
  json out = json::parse(run.out, nullptr, false);
  REQUIRE(out.is_object());
  REQUIRE(out.contains("error"));
  out["error"]["exit_code"] = run.exit_code;
  return out["error"];
}

}  // namespace

TEST_CASE("Every mutating command's refusal is the same error with and without a daemon") {
  TempDir dir;
  fs::path plan = sample(dir);
  std::vector<json> direct;
  for (const auto& refusal : refusals()) direct.push_back(error_of(plan, refusal));

  DaemonProcess daemon(plan);
  REQUIRE(daemon.running());
  for (size_t i = 0; i < refusals().size(); ++i) {
    const Refusal& refusal = refusals()[i];
    INFO(refusal.name);
    json through_daemon = error_of(plan, refusal);
    CHECK(direct[i]["code"] == refusal.code);
    CHECK(through_daemon.dump(2) == direct[i].dump(2));
  }
  // Nothing was changed by any of them.
  CHECK(run_git(plan, {"status", "--porcelain"}).out == "");
}
