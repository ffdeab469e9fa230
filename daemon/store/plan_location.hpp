// store/plan_location: which plan a command or the daemon works on: --plan DIR, else the plan
// enclosing the current directory, else $XDG_DATA_HOME/lorsync/plan; where `lorsync init` and
// `lorsync clone` create one; and the one message for a folder that holds no plan.
#pragma once

#include "common/diagnostic.hpp"

#include <filesystem>
#include <string>

namespace lorsync {

std::filesystem::path config_dir();        // $XDG_CONFIG_HOME/lorsync (~/.config/lorsync)
std::filesystem::path default_plan_dir();  // $XDG_DATA_HOME/lorsync/plan (~/.local/share/lorsync/plan)
std::filesystem::path find_plan(const std::string& plan_option);

// The folder a new plan goes into: the command's DIR argument, else --plan, else default_plan_dir(). Unlike
// find_plan, no enclosing plan is looked for: a new plan is never created inside another.
std::filesystem::path new_plan_dir(const std::string& dir_argument, const std::string& plan_option);

// not_found: "no plan at ROOT; create one with `lorsync init` ...", whoever finds the plan missing.
Error no_plan_at(const std::filesystem::path& root);

}  // namespace lorsync
