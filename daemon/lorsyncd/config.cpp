#include "lorsyncd/config.hpp"

#include "common/text.hpp"

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>

namespace lorsync::daemon {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kKeys = {"port", "allowed_origins", "debounce_ms", "log_level", "max_connections",
                                        "idle_timeout_s"};

Error config_error(const fs::path& path, const YAML::Node& node, const std::string& message) {
  int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  int column = node.Mark().column >= 0 ? node.Mark().column + 1 : 0;
  return make_error(ErrorCode::usage, path.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                                          message);
}

// A whole number in [low, high], or an error naming the key.
Result<long long> number(const fs::path& path, const YAML::Node& node, const std::string& key, long long low,
                         long long high) {
  long long value = 0;
  if (!node.IsScalar() || !YAML::convert<long long>::decode(node, value) || value < low || value > high)
    return config_error(path, node, key + ": expected a whole number from " + std::to_string(low) + " to " +
                                        std::to_string(high));
  return value;
}

Result<DaemonConfig> read_config(const fs::path& path, const YAML::Node& root) {
  DaemonConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) return config_error(path, root, "expected keys: " + join(kKeys, ", "));
  for (const auto& entry : root) {
    if (!entry.first.IsScalar()) return config_error(path, entry.first, "expected a key (" + join(kKeys, ", ") + ")");
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "port") {
      auto port = number(path, value, key, 0, 65535);
      if (!port) return port.take_error();
      config.port = static_cast<uint16_t>(port.value());
    } else if (key == "debounce_ms") {
      auto ms = number(path, value, key, 10, 60000);
      if (!ms) return ms.take_error();
      config.debounce = std::chrono::milliseconds(ms.value());
    } else if (key == "max_connections") {
      auto max = number(path, value, key, 1, 100000);
      if (!max) return max.take_error();
      config.max_connections = static_cast<size_t>(max.value());
    } else if (key == "idle_timeout_s") {
      auto seconds = number(path, value, key, 2, 86400);
      if (!seconds) return seconds.take_error();
      config.idle_timeout = std::chrono::seconds(seconds.value());
    } else if (key == "log_level") {
      std::string level = value.IsScalar() ? value.as<std::string>() : "";
      const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
      if (std::find(levels.begin(), levels.end(), level) == levels.end())
        return config_error(path, value, "log_level: expected one of " + join(levels, ", ") + did_you_mean(level, levels));
      config.log_level = level;
    } else if (key == "allowed_origins") {
      if (!value.IsSequence()) return config_error(path, value, "allowed_origins: expected a list of origins");
      for (const auto& origin : value) {
        std::string text = origin.IsScalar() ? origin.as<std::string>() : "";
        if (!(text.starts_with("http://") || text.starts_with("https://") || text.starts_with("moz-extension://") ||
              text.starts_with("chrome-extension://")) || text.ends_with("/"))
          return config_error(path, origin, "allowed_origins: " + in_quotes(text) +
                                                " is not an origin (scheme://host[:port], no path, e.g. http://localhost:5173)");
        config.allowed_origins.push_back(text);
      }
    } else {
      return config_error(path, entry.first, "unknown key " + in_quotes(key) + did_you_mean(key, kKeys) +
                                                 " (known: " + join(kKeys, ", ") + ")");
    }
  }
  return config;
}

}  // namespace

fs::path default_config_path() {
  if (const char* config = std::getenv("XDG_CONFIG_HOME"); config && *config)
    return fs::path(config) / "lorsync" / "config.yaml";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".config" / "lorsync" / "config.yaml";
}

Result<DaemonConfig> load_config(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return DaemonConfig{};
  try {
    return read_config(path, YAML::LoadFile(path.string()));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::usage, path.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace lorsync::daemon
