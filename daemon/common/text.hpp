// common/text: small text helpers shared by every layer: "did you mean",
// UTF-8 checks, quoting for messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lorsync {

// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean \"x\"?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// "1 problem", "2 problems": a count with its noun in the number it needs. `plural` defaults to noun + "s".
std::string count_of(size_t count, std::string_view noun, std::string_view plural = {});

// "a PM&R rotation", "an inpatient-rehab rotation": the article the phrase's first sound takes.
std::string with_article(std::string_view phrase);

struct CodePoint {
  char32_t value;
  size_t length;  // of its UTF-8 encoding, in bytes
};
// The code point whose UTF-8 encoding starts at `at`; nullopt when the bytes there are not UTF-8 (overlong, a
// surrogate, cut short).
std::optional<CodePoint> code_point_at(std::string_view text, size_t at);

// Byte offset of the first invalid UTF-8 sequence, or nullopt when `text` is valid UTF-8.
std::optional<size_t> find_invalid_utf8(std::string_view text);
// Byte offset of the first control character (C0, DEL, C1) other than tab, line feed, carriage return and
// next line: the characters YAML refuses in a stream. Bytes that are not UTF-8 are not looked at.
struct CharacterAt {
  size_t offset;
  char32_t code_point;
};
std::optional<CharacterAt> find_control_character(std::string_view text);
// `text` safe to write into a file or a message as one line: each byte that is not UTF-8 and each control
// character (line breaks and tabs too) becomes U+FFFD. For values a peer wrote, such as a commit's trailers.
std::string printable_line(std::string_view text);

// Whether JSON text nests arrays and objects deeper than kMaxNesting, counted before anything is built from it.
bool json_nests_too_deep(std::string_view text);

// Line and column (1-based, column in bytes) of a byte offset.
std::pair<int, int> line_column_at(std::string_view text, size_t offset);

std::string in_quotes(std::string_view text);  // "text" with control characters shown, as one UTF-8 line
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string_view trim(std::string_view text);  // without leading and trailing spaces, tabs and line ends

// An entity or plan id: ^[a-z0-9][a-z0-9-]{0,63}$, and not a name Windows keeps for a device (con, nul, com1...):
// the id is a file name, and a clone of the plan may land on Windows.
bool is_valid_id(std::string_view id);
// con, prn, aux, nul, com1-9, lpt1-9: no file on Windows can be named so, whatever its extension.
bool is_windows_device_name(std::string_view name);
// What to do about an id that is not valid ("use lowercase letters, ..."), for the messages that refuse it.
std::string id_advice(std::string_view id);
// "\"Dr_Smith\" is not a valid id: " and the advice: what every writer of the plan says of a bad id.
std::string invalid_id_message(std::string_view id);

// Compares every byte whatever the first difference, so that timing does not reveal a secret (the daemon's token).
bool same_secret(std::string_view given, std::string_view secret);

}  // namespace lorsync
