// fuzz target merge_file: the three-way merge that sync runs on every plan
// file two devices both changed (merge/merge_file), on fuzzed base, ours and
// theirs texts and fuzzed sides (device names, commit times).
//
// Input: a header line "<path> [<our device> <our time> <their device> <their time>]",
// then base, ours and theirs separated by the byte 0x1e (ASCII record separator);
// with only two texts, there is no base (both sides added the file).
//
// Invariants (checked when the call meets merge_file's contract: ours != theirs, both differ from base):
//   - no git conflict markers (<<<<<<< or >>>>>>>) in the result unless an input (a text or a device name) had them;
//   - swapping ours and theirs (with their sides) gives the same bytes and the same conflicts;
//   - for letters whose three versions are valid and have `events` lists: the result parses and keeps every
//     event either side added and every event all three had;
//   - for text merged line by line (a file that is not a plan file): every line either side added is kept.
// Device names reach merge_file as sync reads them from a commit's trailer: as printable lines.
// regressions/merge_file/ holds inputs that once threw (a NUL byte in a key) or gave an unreadable letter (a
// device name that was not UTF-8).
#include "fuzz_support.hpp"

#include "common/text.hpp"
#include "merge/merge_file.hpp"
#include "validation/validator.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>
#include <vector>

using namespace lorsync;
using nlohmann::json;

namespace {

constexpr char kSeparator = '\x1e';

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < line.size()) {
    size_t space = line.find(' ', at);
    if (space == std::string_view::npos) space = line.size();
    if (space > at) words.push_back(line.substr(at, space - at));
    at = space + 1;
  }
  return words;
}

int64_t time_of(std::string_view word, int64_t fallback) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  return error == std::errc() && end == word.data() + word.size() ? value : fallback;
}

std::vector<std::string_view> sections_of(std::string_view text) {
  std::vector<std::string_view> sections;
  while (true) {
    size_t cut = text.find(kSeparator);
    sections.push_back(text.substr(0, cut));
    if (cut == std::string_view::npos) return sections;
    text.remove_prefix(cut + 1);
  }
}

bool has_markers(std::string_view text) {
  return text.find("<<<<<<<") != std::string_view::npos || text.find(">>>>>>>") != std::string_view::npos;
}

// The events of a valid letter; nullopt when the text is not one or has no events list.
std::optional<json> valid_letter_events(const fuzz::PlanFile& file, const std::string& text) {
  ParsedDocument parsed = parse_document(file.kind, file.path, file.id, text);
  if (!parsed.document || !parsed.diagnostics.empty() || !validate_document(*parsed.document).empty())
    return std::nullopt;
  auto events = parsed.document->data.find("events");
  if (events == parsed.document->data.end() || !events->is_array()) return std::nullopt;
  return *events;
}

bool contains(const json& list, const json& item) { return std::find(list.begin(), list.end(), item) != list.end(); }

std::string conflicts_text(const std::vector<SyncConflict>& conflicts) {
  std::string text;
  for (const auto& conflict : conflicts) text += describe(conflict) + "\n";
  return text;
}

std::set<std::string_view> lines_in(std::string_view text) {
  std::set<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.insert(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

void check_lines_kept(std::string_view base, std::string_view ours, std::string_view theirs, std::string_view merged) {
  std::set<std::string_view> before = lines_in(base), after = lines_in(merged);
  for (std::string_view side : {ours, theirs})
    for (std::string_view line : lines_in(side))
      if (!before.contains(line) && !after.contains(line))
        fuzz::require(false, "a line one side added was lost", std::string(line) + "\n---\n" + std::string(merged));
}

void check_events_kept(const fuzz::PlanFile& file, const std::optional<std::string>& base, const std::string& ours,
                       const std::string& theirs, const std::string& merged) {
  if (file.kind != DocumentKind::letter) return;
  auto ours_events = valid_letter_events(file, ours);
  auto theirs_events = valid_letter_events(file, theirs);
  if (!ours_events || !theirs_events) return;
  json base_events = json::array();
  if (base) {
    auto events = valid_letter_events(file, *base);
    if (!events) return;
    base_events = std::move(*events);
  }
  ParsedDocument parsed = parse_document(file.kind, file.path, file.id, merged);
  fuzz::require(parsed.document.has_value(), "merging valid letters gave a letter that does not parse", merged);
  json merged_events = parsed.document->data.value("events", json::array());
  for (const json* side : {&*ours_events, &*theirs_events})
    for (const auto& event : *side)
      if (!contains(base_events, event))
        fuzz::require(contains(merged_events, event), "an event one side added was lost", event.dump() + "\n" + merged);
  for (const auto& event : base_events)
    if (contains(*ours_events, event) && contains(*theirs_events, event))
      fuzz::require(contains(merged_events, event), "an event all three versions had was lost", event.dump() + "\n" + merged);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::scratch_dir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FirstLine header = fuzz::split_first_line(fuzz::as_text(data, size));
  if (!header.found) return 0;
  std::vector<std::string_view> words = words_of(header.line);
  if (words.empty()) return 0;
  std::string path(words[0]);
  MergeSide ours_side{"laptop", 100}, theirs_side{"phone", 200};
  if (words.size() >= 5) {
    ours_side = {printable_line(words[1]), time_of(words[2], 100)};
    theirs_side = {printable_line(words[3]), time_of(words[4], 200)};
  }

  std::vector<std::string_view> sections = sections_of(header.rest);
  if (sections.size() != 2 && sections.size() != 3) return 0;
  std::optional<std::string> base;
  if (sections.size() == 3) base = std::string(sections[0]);
  std::string ours(sections[sections.size() - 2]), theirs(sections.back());
  // merge_file's contract: called only when both sides changed the file, differently.
  if (ours == theirs || (base && (ours == *base || theirs == *base))) return 0;

  FileMerge merged = merge_file(path, base, ours, theirs, ours_side, theirs_side);
  FileMerge swapped = merge_file(path, base, theirs, ours, theirs_side, ours_side);

  // The device names are inputs too: the merge's "both versions are kept" note names them, as it should.
  bool inputs_have_markers = has_markers(ours) || has_markers(theirs) || (base && has_markers(*base)) ||
                             has_markers(ours_side.device) || has_markers(theirs_side.device);
  if (!inputs_have_markers)
    fuzz::require(!has_markers(merged.text), "the merge wrote git conflict markers", merged.text);
  fuzz::require(merged.text == swapped.text, "merging the other way round gave other bytes",
                "ours first:\n" + merged.text + "\ntheirs first:\n" + swapped.text);
  fuzz::require(merged.conflicts == swapped.conflicts, "merging the other way round reported other conflicts",
                "ours first:\n" + conflicts_text(merged.conflicts) + "theirs first:\n" + conflicts_text(swapped.conflicts));

  if (auto file = fuzz::plan_file_at(path))
    check_events_kept(*file, base, ours, theirs, merged.text);
  else if (path != "sync-conflicts.yaml")
    check_lines_kept(base.value_or(""), ours, theirs, merged.text);
  return 0;
}
