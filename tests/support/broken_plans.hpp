// tests/support/broken_plans: every kind of bad input the validator must
// report clearly, each as a change to a copy of the sample plan and the
// diagnostic it must produce. Shared by the unit tests (PlanChecker) and the
// integration tests (`lorsync validate` exits 2 and prints it).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lorsync::test {

struct BrokenPlan {
  std::string name;
  std::function<void(const std::filesystem::path& plan)> damage;
  std::string expected;  // a substring of one diagnostic line, e.g. "letters/x.md:5:1: waved: unknown field"
};

const std::vector<BrokenPlan>& broken_plans();

}  // namespace lorsync::test
