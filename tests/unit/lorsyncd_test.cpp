// lorsyncd/config: the daemon's config.yaml read by load_config from real files in a temp dir — a missing or
// empty file gives the defaults, a good file sets every key, and a malformed one (unknown key with its
// did-you-mean, a number out of range or not whole, a bad log level or origin, retry bounds the wrong way
// round, broken YAML) is a usage error that names the file and the line.
#include <catch2/catch.hpp>

#include "lorsyncd/config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <filesystem>

using namespace lorsync;
using namespace lorsync::daemon;
using namespace lorsync::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

Error refusal(const TempDir& dir, const std::string& text) {
  write_file(dir / "config.yaml", text);
  auto config = load_config(dir / "config.yaml");
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().code == ErrorCode::usage);
  return config.error();
}

}  // namespace

TEST_CASE("a missing config file, an empty one, and one of comments give the defaults") {
  TempDir dir;
  for (const char* text : {static_cast<const char*>(nullptr), "", "# nothing set yet\n"}) {
    if (text) write_file(dir / "config.yaml", text);
    auto config = load_config(dir / "config.yaml");
    REQUIRE(config.ok());
    CHECK(config->port == 23231);
    CHECK(config->debounce == 150ms);
    CHECK(config->log_level == "info");
    CHECK(config->allowed_origins.empty());
    CHECK(config->sync.interval == 300s);
  }
}

TEST_CASE("a good config file sets every key") {
  TempDir dir;
  write_file(dir / "config.yaml",
             "port: 0\n"
             "allowed_origins:\n  - http://localhost:5173\n  - moz-extension://abc\n  - https://plan.example.org\n"
             "debounce_ms: 10\n"
             "log_level: warn\n"
             "max_connections: 100000\n"
             "max_unauthenticated: 1\n"
             "auth_timeout_s: 600\n"
             "idle_timeout_s: 2\n"
             "sync_interval_s: 0\n"
             "sync_debounce_ms: 600000\n"
             "sync_retry_min_s: 7\n"
             "sync_retry_max_s: 7\n");
  auto config = load_config(dir / "config.yaml");
  REQUIRE(config.ok());
  CHECK(config->port == 0);
  CHECK(config->allowed_origins ==
        std::vector<std::string>{"http://localhost:5173", "moz-extension://abc", "https://plan.example.org"});
  CHECK(config->debounce == 10ms);
  CHECK(config->log_level == "warn");
  CHECK(config->max_connections == size_t{100000});
  CHECK(config->max_unauthenticated == size_t{1});
  CHECK(config->auth_timeout == 600s);
  CHECK(config->idle_timeout == 2s);
  CHECK(config->sync.interval == 0s);
  CHECK(config->sync.after_commit == 600000ms);
  CHECK(config->sync.retry_min == 7s);
  CHECK(config->sync.retry_max == 7s);
}

TEST_CASE("an unknown key is refused at its line, with the key it was meant to be") {
  TempDir dir;
  Error error = refusal(dir, "port: 8080\ndebounce: 200\n");
  std::string path = (dir / "config.yaml").string();
  CHECK(error.message.starts_with(path + ":2:1: unknown key \"debounce\"; did you mean \"debounce_ms\"? (known: port, "));
  Error level = refusal(dir, "log_level: warning\n");
  CHECK(level.message == path + ":1:12: log_level: expected one of trace, debug, info, warn, error, off; did you mean \"warn\"?");
}

TEST_CASE("numbers outside their range, or not whole, are refused naming the range") {
  TempDir dir;
  std::string path = (dir / "config.yaml").string();
  CHECK(refusal(dir, "port: 65536\n").message == path + ":1:7: port: expected a whole number from 0 to 65535");
  CHECK(refusal(dir, "port: -1\n").message.ends_with("port: expected a whole number from 0 to 65535"));
  CHECK(refusal(dir, "debounce_ms: 9\n").message.ends_with("debounce_ms: expected a whole number from 10 to 60000"));
  CHECK(refusal(dir, "debounce_ms: 150.5\n").message.ends_with("expected a whole number from 10 to 60000"));
  CHECK(refusal(dir, "idle_timeout_s: 1\n").message.ends_with("idle_timeout_s: expected a whole number from 2 to 86400"));
  CHECK(refusal(dir, "port: [1, 2]\n").message.ends_with("port: expected a whole number from 0 to 65535"));
  CHECK(refusal(dir, "port: many\n").message.ends_with("port: expected a whole number from 0 to 65535"));
}

TEST_CASE("origins must be scheme://host[:port] of a known scheme, with no path") {
  TempDir dir;
  CHECK(refusal(dir, "allowed_origins: [http://localhost:5173/]\n").message.find("\"http://localhost:5173/\" is not an origin") !=
        std::string::npos);
  CHECK(refusal(dir, "allowed_origins: [ftp://example.org]\n").message.find("\"ftp://example.org\" is not an origin") !=
        std::string::npos);
  CHECK(refusal(dir, "allowed_origins: http://localhost:5173\n").message.ends_with("allowed_origins: expected a list of origins"));
}

TEST_CASE("retry bounds the wrong way round, a file that is no mapping, and broken YAML are refused") {
  TempDir dir;
  std::string path = (dir / "config.yaml").string();
  CHECK(refusal(dir, "sync_retry_min_s: 60\nsync_retry_max_s: 30\n").message.ends_with(
      "sync_retry_max_s must not be below sync_retry_min_s"));
  CHECK(refusal(dir, "sync_retry_min_s: 601\n").message.ends_with(
      "sync_retry_max_s must not be below sync_retry_min_s"));  // above the default maximum of 600
  CHECK(refusal(dir, "- port\n- 8080\n").message.starts_with(path + ":1:1: expected keys: port, allowed_origins"));
  Error broken = refusal(dir, "port: 8080\nallowed_origins: [http://a\n");
  CHECK(broken.message.starts_with(path + ":"));
  CHECK(broken.message.find(":0:") == std::string::npos);  // a line of the file, not none
}

TEST_CASE("the default config path is under XDG_CONFIG_HOME, which the tests point into their private home") {
  CHECK(default_config_path() == fs::path(test_home()) / ".config/lorsync/config.yaml");
}
