// common/json_members: reading a member of a JSON object that another program
// wrote (a daemon's reply), where a missing or mistyped member reads as empty
// instead of throwing: what every from_json of a wire type needs.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace lorsync {

inline std::string string_member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

inline int64_t int64_member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<int64_t>() : 0;
}

inline int int_member(const nlohmann::json& object, const char* key) {
  return static_cast<int>(int64_member(object, key));
}

}  // namespace lorsync
