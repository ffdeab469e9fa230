#include "common/text.hpp"

#include "common/limits.hpp"

#include <algorithm>
#include <cctype>

namespace lorsync {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance: a transposition ("wiaved") counts as one edit.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// Lowercase letters and digits only: "J-1", "H1B" and "Inpatient Rehab" fold to "j1", "h1b", "inpatientrehab".
std::string folded(std::string_view word) {
  std::string out;
  for (char c : word)
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > 200) return std::nullopt;
  // A candidate that extends what was typed ("inpatient" -> "inpatient-rehab") beats one a few edits away.
  // The same letters written another way (case, hyphens, spaces) is the likeliest intent of all.
  const std::string word_folded = folded(word);
  for (const auto& candidate : candidates)
    if (!word_folded.empty() && folded(candidate) == word_folded && candidate != word) return candidate;
  std::optional<std::string> best;
  size_t best_score = 0;
  for (const auto& candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    size_t allowed = std::max<size_t>(1, std::min(word.size(), candidate.size()) / 3);
    bool prefix = candidate.size() >= 3 && word.size() >= 3 &&
                  (candidate.starts_with(word) || word.starts_with(candidate));
    if (distance > allowed && !prefix) continue;
    size_t score = prefix ? 0 : distance + 1;
    if (!best || score < best_score) {
      best = candidate;
      best_score = score;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto match = closest_match(word, candidates);
  return match ? "; did you mean " + in_quotes(*match) + "?" : std::string();
}

std::string count_of(size_t count, std::string_view noun, std::string_view plural) {
  std::string word = count == 1 ? std::string(noun) : plural.empty() ? std::string(noun) + "s" : std::string(plural);
  return std::to_string(count) + " " + word;
}

std::string with_article(std::string_view phrase) {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  bool vowel_sound = false;
  if (!phrase.empty()) {
    const char first = phrase[0];
    const bool acronym = phrase.size() > 1 && std::isupper(static_cast<unsigned char>(first)) &&
                         std::isupper(static_cast<unsigned char>(phrase[1]));
    // Acronyms are read letter by letter: "an MRI", "an SCI", "a PM&R".
    if (acronym) vowel_sound = std::string_view("AEFHILMNORSX").find(first) != std::string_view::npos;
    else {
      std::string start;
      for (char c : phrase.substr(0, 3)) start += lower(c);
      // "a unit", "a one-month", "an hour": the spelling's first letter is not always the first sound.
      const bool you_or_won = start.rfind("uni", 0) == 0 || start.rfind("use", 0) == 0 || start.rfind("one", 0) == 0;
      vowel_sound = (std::string_view("aeiou").find(lower(first)) != std::string_view::npos && !you_or_won) ||
                    start.rfind("hon", 0) == 0 || start.rfind("hou", 0) == 0;
    }
  }
  return (vowel_sound ? "an " : "a ") + std::string(phrase);
}

std::optional<CodePoint> code_point_at(std::string_view text, size_t at) {
  auto c = static_cast<unsigned char>(text[at]);
  if (c < 0x80) return CodePoint{c, 1};
  size_t length;
  char32_t min_value;
  if ((c & 0xE0) == 0xC0) { length = 2; min_value = 0x80; }
  else if ((c & 0xF0) == 0xE0) { length = 3; min_value = 0x800; }
  else if ((c & 0xF8) == 0xF0) { length = 4; min_value = 0x10000; }
  else return std::nullopt;
  if (at + length > text.size()) return std::nullopt;
  char32_t value = c & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    auto cc = static_cast<unsigned char>(text[at + k]);
    if ((cc & 0xC0) != 0x80) return std::nullopt;
    value = (value << 6) | (cc & 0x3F);
  }
  if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
  return CodePoint{value, length};
}

namespace {

bool is_control(char32_t value, bool line_breaks_allowed) {
  if (line_breaks_allowed && (value == '\t' || value == '\n' || value == '\r' || value == 0x85)) return false;
  return value < 0x20 || (value >= 0x7F && value <= 0x9F);
}

}  // namespace

std::optional<size_t> find_invalid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    auto point = code_point_at(text, i);
    if (!point) return i;
    i += point->length;
  }
  return std::nullopt;
}

std::optional<CharacterAt> find_control_character(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    auto point = code_point_at(text, i);
    if (point && is_control(point->value, true)) return CharacterAt{i, point->value};
    i += point ? point->length : 1;
  }
  return std::nullopt;
}

std::string printable_line(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto point = code_point_at(text, i);
    if (!point || is_control(point->value, false)) out += kReplacement;
    else out += text.substr(i, point->length);
    i += point ? point->length : 1;
  }
  return out;
}

bool json_nests_too_deep(std::string_view text) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

std::pair<int, int> line_column_at(std::string_view text, size_t offset) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(offset - line_start) + 1};
}

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    std::optional<CodePoint> point = code_point_at(text, i);
    char32_t value = point ? point->value : 0xFFFD;
    if (value == '"' || value == '\\') { out += '\\'; out += static_cast<char>(value); }
    else if (value == '\n') out += "\\n";
    else if (value == '\t') out += "\\t";
    else if (is_control(value, false)) out += '?';
    else if (!point) out += "\xEF\xBF\xBD";  // U+FFFD
    else out += text.substr(i, point->length);
    i += point ? point->length : 1;
  }
  return out + "\"";
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

bool is_windows_device_name(std::string_view name) {
  for (std::string_view device : {"con", "prn", "aux", "nul"})
    if (name == device) return true;
  return name.size() == 4 && (name.starts_with("com") || name.starts_with("lpt")) && name[3] >= '1' && name[3] <= '9';
}

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(id[0])) return false;
  return std::all_of(id.begin() + 1, id.end(), [&](char c) { return lower_or_digit(c) || c == '-'; }) &&
         !is_windows_device_name(id);
}

std::string invalid_id_message(std::string_view id) { return in_quotes(id) + " is not a valid id: " + id_advice(id); }

std::string id_advice(std::string_view id) {
  if (is_windows_device_name(id))
    return "Windows keeps " + std::string(id) + " for a device, so no file there can have it (and a clone of the "
           "plan may land there): choose another, e.g. " + std::string(id) + "-1";
  return "use lowercase letters, digits and hyphens (at most 64), e.g. jane-smith";
}

bool same_secret(std::string_view given, std::string_view secret) {
  if (given.size() != secret.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < secret.size(); ++i)
    difference |= static_cast<unsigned char>(given[i]) ^ static_cast<unsigned char>(secret[i]);
  return difference == 0;
}

std::string_view trim(std::string_view text) {
  const char* blank = " \t\r\n";
  size_t first = text.find_first_not_of(blank);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(blank) - first + 1);
}

}  // namespace lorsync
