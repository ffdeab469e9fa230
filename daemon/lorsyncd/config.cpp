#include "lorsyncd/config.hpp"

#include "common/text.hpp"
#include "store/plan_location.hpp"

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>

namespace lorsync::daemon {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kKeys = {"port",           "allowed_origins", "debounce_ms",       "log_level",
                                        "max_connections", "max_unauthenticated", "auth_timeout_s", "idle_timeout_s",
                                        "sync_interval_s", "sync_debounce_ms", "sync_retry_min_s", "sync_retry_max_s"};

// The keys that take a whole number: their range and where the value goes.
struct NumberKey {
  const char* key;
  long long low, high;
  void (*apply)(DaemonConfig&, long long);
};

const NumberKey kNumberKeys[] = {
    {"port", 0, 65535, [](DaemonConfig& c, long long v) { c.port = static_cast<uint16_t>(v); }},
    {"debounce_ms", 10, 60000, [](DaemonConfig& c, long long v) { c.debounce = std::chrono::milliseconds(v); }},
    {"max_connections", 1, 100000, [](DaemonConfig& c, long long v) { c.max_connections = static_cast<size_t>(v); }},
    {"max_unauthenticated", 1, 10000, [](DaemonConfig& c, long long v) { c.max_unauthenticated = static_cast<size_t>(v); }},
    {"auth_timeout_s", 1, 600, [](DaemonConfig& c, long long v) { c.auth_timeout = std::chrono::seconds(v); }},
    {"idle_timeout_s", 2, 86400, [](DaemonConfig& c, long long v) { c.idle_timeout = std::chrono::seconds(v); }},
    {"sync_interval_s", 0, 86400, [](DaemonConfig& c, long long v) { c.sync.interval = std::chrono::seconds(v); }},
    {"sync_debounce_ms", 0, 600000, [](DaemonConfig& c, long long v) { c.sync.after_commit = std::chrono::milliseconds(v); }},
    {"sync_retry_min_s", 1, 3600, [](DaemonConfig& c, long long v) { c.sync.retry_min = std::chrono::seconds(v); }},
    {"sync_retry_max_s", 1, 86400, [](DaemonConfig& c, long long v) { c.sync.retry_max = std::chrono::seconds(v); }},
};

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
    auto numeric = std::find_if(std::begin(kNumberKeys), std::end(kNumberKeys),
                                [&key](const NumberKey& k) { return key == k.key; });
    if (numeric != std::end(kNumberKeys)) {
      auto number_value = number(path, value, key, numeric->low, numeric->high);
      if (!number_value) return number_value.take_error();
      numeric->apply(config, number_value.value());
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
  if (config.sync.retry_max < config.sync.retry_min)
    return config_error(path, root, "sync_retry_max_s must not be below sync_retry_min_s");
  return config;
}

}  // namespace

fs::path default_config_path() { return config_dir() / "config.yaml"; }

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
