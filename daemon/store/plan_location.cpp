#include "store/plan_location.hpp"

#include "model/plan.hpp"

#include <cstdlib>

namespace lorsync {
namespace fs = std::filesystem;

fs::path config_dir() {
  if (const char* config = std::getenv("XDG_CONFIG_HOME"); config && *config) return fs::path(config) / "lorsync";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".config" / "lorsync";
}

fs::path default_plan_dir() {
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) return fs::path(data) / "lorsync" / "plan";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".local" / "share" / "lorsync" / "plan";
}

fs::path find_plan(const std::string& plan_option) {
  if (!plan_option.empty()) return fs::absolute(plan_option).lexically_normal();
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / kPlanFileName, ec) && fs::exists(dir / ".git", ec)) return dir;
    if (dir == dir.root_path()) break;
  }
  return default_plan_dir();
}

fs::path new_plan_dir(const std::string& dir_argument, const std::string& plan_option) {
  if (!dir_argument.empty()) return fs::absolute(dir_argument);
  if (!plan_option.empty()) return fs::absolute(plan_option);
  return default_plan_dir();
}

Error no_plan_at(const fs::path& root) {
  return make_error(ErrorCode::not_found, "no plan at " + root.string() +
                                              "; create one with `lorsync init` (or `lorsync init --sample` to try "
                                              "lorsync), or pass --plan DIR");
}

}  // namespace lorsync
