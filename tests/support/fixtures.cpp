#include "support/fixtures.hpp"

#include "validation/plan_check.hpp"

#include <stdexcept>

namespace lorsync::test {

std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(LORSYNC_SOURCE_DIR) / relative;
}

std::filesystem::path fixture_path(const std::string& name) { return source_path("tests/fixtures/" + name); }

Model load_fixture(const std::string& name) {
  CheckedPlan checked = PlanChecker(fixture_path(name)).check();
  if (!checked.valid())
    throw std::runtime_error("fixture " + name + " is invalid: " + format_diagnostic(checked.diagnostics.front()));
  return build_model(checked.plan);
}

}  // namespace lorsync::test
