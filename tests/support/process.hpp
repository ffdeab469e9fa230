// tests/support/process: runs a real program (lorsync, git) with its own
// environment and captures what it prints.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lorsync::test {

struct ProcessResult {
  int exit_code = -1;  // -signal when killed
  std::string out;
  std::string err;
};

// Runs `argv` in `cwd` (empty: the current one) with the test environment
// (see test_environment) plus `extra_env`, waiting for it to finish.
ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {},
                          const std::map<std::string, std::string>& extra_env = {});

// The environment every child gets: HOME and XDG_* point into the test's
// private home, never the user's; LORSYNC_TODAY is fixed.
std::vector<std::string> test_environment(const std::map<std::string, std::string>& extra_env);

// The private home of this process (see PrivateHome).
const std::filesystem::path& test_home();

// Creates a private home with a .gitconfig naming an author, and points this
// process's HOME and XDG_* at it for its lifetime (tests and benchmarks alike).
class PrivateHome {
 public:
  PrivateHome();
  ~PrivateHome();
  PrivateHome(const PrivateHome&) = delete;
  PrivateHome& operator=(const PrivateHome&) = delete;
};

}  // namespace lorsync::test
