// store/plan_location: which plan a command or the daemon works on: --plan DIR, else the plan
// enclosing the current directory, else $XDG_DATA_HOME/lorsync/plan.
#pragma once

#include <filesystem>
#include <string>

namespace lorsync {

std::filesystem::path config_dir();        // $XDG_CONFIG_HOME/lorsync (~/.config/lorsync)
std::filesystem::path default_plan_dir();  // $XDG_DATA_HOME/lorsync/plan (~/.local/share/lorsync/plan)
std::filesystem::path find_plan(const std::string& plan_option);

}  // namespace lorsync
