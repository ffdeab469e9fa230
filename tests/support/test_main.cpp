// The tests' main: every test process gets a private HOME (with a git author)
// and XDG dirs, so nothing ever reads or writes the user's real plan or config.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <cstdlib>
#include <memory>

namespace lorsync::test {
namespace {
std::unique_ptr<TempDir> home;
}

const std::filesystem::path& test_home() { return home->path(); }

}  // namespace lorsync::test

int main(int argc, char* argv[]) {
  using namespace lorsync::test;
  home = std::make_unique<TempDir>();
  write_file(home->path() / ".gitconfig",
             "[user]\n\tname = Test Applicant\n\temail = applicant@example.org\n[init]\n\tdefaultBranch = main\n");
  for (const auto& entry : test_environment({})) {
    size_t equals = entry.find('=');
    setenv(entry.substr(0, equals).c_str(), entry.substr(equals + 1).c_str(), 1);
  }
  int result = Catch::Session().run(argc, argv);
  home.reset();
  return result;
}
