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

// Byte offset of the first invalid UTF-8 sequence, or nullopt when `text` is valid UTF-8.
std::optional<size_t> find_invalid_utf8(std::string_view text);

// Line and column (1-based, column in bytes) of a byte offset.
std::pair<int, int> line_column_at(std::string_view text, size_t offset);

std::string in_quotes(std::string_view text);  // "text" with control characters escaped
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string_view trim(std::string_view text);  // without leading and trailing spaces, tabs and line ends

// An entity or plan id: ^[a-z0-9][a-z0-9-]{0,63}$, and not a name Windows keeps for a device (con, nul, com1...):
// the id is a file name, and a clone of the plan may land on Windows.
bool is_valid_id(std::string_view id);
// con, prn, aux, nul, com1-9, lpt1-9: no file on Windows can be named so, whatever its extension.
bool is_windows_device_name(std::string_view name);
// What to do about an id that is not valid ("use lowercase letters, ..."), for the messages that refuse it.
std::string id_advice(std::string_view id);

// Compares every byte whatever the first difference, so that timing does not reveal a secret (the daemon's token).
bool same_secret(std::string_view given, std::string_view secret);

}  // namespace lorsync
