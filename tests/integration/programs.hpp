// tests/integration/programs: running the real programs from an integration
// test (lorsync, and git as the judge of what landed) and making a sample plan.
#pragma once

#include <catch2/catch.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lorsync::test {

inline ProcessResult run_lorsync(std::vector<std::string> args, const std::filesystem::path& cwd = {},
                                 const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), LORSYNC_BINARY);
  return run_process(args, cwd, env);
}

// `lorsync --plan PLAN ...` as a function of the rest of the arguments.
inline auto lorsync_on(const std::filesystem::path& plan) {
  return [plan](std::vector<std::string> args) {
    args.insert(args.begin(), {"--plan", plan.string()});
    return run_lorsync(args);
  };
}

inline ProcessResult run_git(const std::filesystem::path& repo, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", repo.string()});
  return run_process(args);
}

// `lorsync init --sample DIR/plan` (dated by the test environment's LORSYNC_TODAY).
inline std::filesystem::path sample(const TempDir& dir) {
  std::filesystem::path plan = dir / "plan";
  ProcessResult init = run_lorsync({"init", "--sample", plan.string()});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  return plan;
}

}  // namespace lorsync::test
