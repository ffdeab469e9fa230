// The tests' main: every test process gets a private HOME (with a git author)
// and XDG dirs, so nothing ever reads or writes the user's real plan or config.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

int main(int argc, char* argv[]) {
  lorsync::test::PrivateHome home;
  spdlog::set_level(spdlog::level::warn);  // lifecycle logs would drown the test output
  return Catch::Session().run(argc, argv);
}
