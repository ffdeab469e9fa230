// merge/merge_file: the semantic three-way merge of one plan file (see the header).
// Everything below receives the two sides already ordered winner first, so
// convergence does not rest on each step being symmetric: the same call is made
// on both devices.
#include "merge/merge_file.hpp"

#include "model/document.hpp"
#include "model/front_matter_edit.hpp"
#include "model/plan.hpp"
#include "model/yaml_tree.hpp"
#include "git/git.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <climits>
#include <initializer_list>
#include <set>
#include <string_view>
#include <unordered_map>

namespace lorsync {
namespace {

using nlohmann::json;

// The two versions of the file, ordered by the winner rule.
struct Sides {
  const std::string& winner_text;
  const std::string& loser_text;
  const MergeSide& winner;
  const MergeSide& loser;
};

// ---- Line-wise merge (libgit2's xdiff), conflict hunks turned into "both kept" ----

// Conflict markers this long are unheard of in real text; marker_size_for() goes longer when an input has them.
constexpr size_t kMinMarkerSize = 31;

// A git_merge_file result, freed however the merge ends.
class MergeFileResult {
 public:
  MergeFileResult() = default;
  ~MergeFileResult() { git_merge_file_result_free(&result_); }
  MergeFileResult(const MergeFileResult&) = delete;
  MergeFileResult& operator=(const MergeFileResult&) = delete;

  git_merge_file_result* get() { return &result_; }
  std::string_view text() const { return std::string_view(result_.ptr, result_.len); }

 private:
  git_merge_file_result result_{};
};

// The lines of a text, each with its line end ("\n" or "\r\n"; the last one may have none).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string_view without_line_end(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

// The line end a text uses: "\r\n" when its first line ends so, else "\n".
std::string_view line_end_of(std::string_view text) {
  size_t newline = text.find('\n');
  return newline != std::string_view::npos && newline > 0 && text[newline - 1] == '\r' ? "\r\n" : "\n";
}

bool ends_with_line_end(std::string_view text) { return text.empty() || text.ends_with('\n'); }

// The line end with_final_line_end gives a last line that has none: the text's own, but only "\n" after a lone
// "\r" (which then reads as that line's CRLF, instead of a "\r" more in the line).
std::string_view added_line_end(std::string_view text) { return text.ends_with('\r') ? "\n" : line_end_of(text); }

// `text` with its last line ended, so that adding or dropping the final line end is not an edit of the last line.
std::string with_final_line_end(std::string_view text) {
  std::string out(text);
  if (!ends_with_line_end(text)) out += added_line_end(text);
  return out;
}

// Longer than any run of '<', '=' or '>' that starts a line of the inputs, so that a line of exactly this many
// marker characters can only be a marker git_merge_file wrote.
size_t marker_size_for(std::initializer_list<std::string_view> texts) {
  size_t longest = 0;
  for (std::string_view text : texts) {
    for (std::string_view line : lines_of(text)) {
      if (line.empty() || (line[0] != '<' && line[0] != '=' && line[0] != '>')) continue;
      size_t run = line.find_first_not_of(line[0]);
      longest = std::max(longest, run == std::string_view::npos ? line.size() : run);
    }
  }
  return std::clamp<size_t>(longest + 1, kMinMarkerSize, USHRT_MAX);
}

// A line git_merge_file wrote: `size` marker characters, then nothing or " " and a label (no input line starts
// with that many, see marker_size_for).
bool is_marker(std::string_view line, char marker, size_t size) {
  return line.size() >= size && line.find_first_not_of(marker) >= size && (line.size() == size || line[size] == ' ');
}

// The lines of a hunk as one value for a conflict record: line ends dropped, lines joined by "\n".
std::string joined_lines(std::string_view lines) {
  std::string out;
  bool first = true;
  for (std::string_view line : lines_of(lines)) {
    if (!first) out += '\n';
    out += without_line_end(line);
    first = false;
  }
  return out;
}

// Lines both sides changed, as each side has them (with their line ends).
struct LineConflict {
  std::string winner_lines;
  std::string loser_lines;
};

struct LineMerge {
  std::string text;
  std::vector<LineConflict> conflicts;
};

// Where both sides changed the same lines: a plain note, the winner's lines, then the loser's.
void keep_both(LineMerge& out, std::string winner_lines, std::string loser_lines, std::string_view line_end,
               const Sides& sides) {
  out.text += "(lorsync: " + sides.winner.device + " and " + sides.loser.device +
              " both changed the lines below; both versions are kept, " + sides.winner.device + "'s first)";
  out.text += line_end;
  out.text += winner_lines;
  out.text += loser_lines;
  out.conflicts.push_back(LineConflict{std::move(winner_lines), std::move(loser_lines)});
}

LineMerge merge_lines(std::string_view base, std::string_view winner, std::string_view loser, const Sides& sides) {
  if (winner == loser || loser == base) return LineMerge{std::string(winner), {}};
  if (winner == base) return LineMerge{std::string(loser), {}};

  // Whether the file ends with a line end merges like any two-valued field: a side that kept the base's gives way.
  const bool final_line_end =
      ends_with_line_end(winner) == ends_with_line_end(base) ? ends_with_line_end(loser) : ends_with_line_end(winner);
  const std::string base_lines = with_final_line_end(base), winner_lines = with_final_line_end(winner),
                    loser_lines = with_final_line_end(loser);
  const size_t marker_size = marker_size_for({base, winner, loser});

  git_merge_file_input base_input = GIT_MERGE_FILE_INPUT_INIT, winner_input = GIT_MERGE_FILE_INPUT_INIT,
                       loser_input = GIT_MERGE_FILE_INPUT_INIT;
  base_input.ptr = base_lines.data();
  base_input.size = base_lines.size();
  winner_input.ptr = winner_lines.data();
  winner_input.size = winner_lines.size();
  loser_input.ptr = loser_lines.data();
  loser_input.size = loser_lines.size();
  git_merge_file_options options = GIT_MERGE_FILE_OPTIONS_INIT;
  options.marker_size = static_cast<unsigned short>(marker_size);

  LineMerge out;
  MergeFileResult result;
  // libgit2 will not merge texts that are too large, and hands back no text at all for a side it takes for
  // binary (a NUL byte): keep both whole, as one conflict.
  if (git_merge_file(result.get(), &base_input, &winner_input, &loser_input, &options) < 0 ||
      result.get()->ptr == nullptr) {
    keep_both(out, winner_lines, loser_lines, line_end_of(winner_lines), sides);
  } else {
    // Rewrite each `<<<` winner `===` loser `>>>` hunk.
    enum class Part { merged, winner, loser } part = Part::merged;
    std::string winner_hunk, loser_hunk;
    for (std::string_view line : lines_of(result.text())) {
      std::string_view content = without_line_end(line);
      if (part == Part::merged && is_marker(content, '<', marker_size)) {
        part = Part::winner;
      } else if (part == Part::winner && is_marker(content, '=', marker_size)) {
        part = Part::loser;
      } else if (part == Part::loser && is_marker(content, '>', marker_size)) {
        keep_both(out, std::move(winner_hunk), std::move(loser_hunk), line.substr(content.size()), sides);
        winner_hunk.clear();
        loser_hunk.clear();
        part = Part::merged;
      } else {
        (part == Part::merged ? out.text : part == Part::winner ? winner_hunk : loser_hunk) += line;
      }
    }
  }
  if (!final_line_end) {
    // Take off the line end with_final_line_end added to the side whose last line ends the merged text (the
    // merged text's first line may come from the other side or a note).
    std::string_view added = out.text.ends_with("\r\n") ? "\r\n" : "\n";
    for (std::string_view side : {winner, loser}) {
      if (ends_with_line_end(side)) continue;
      size_t last_start = side.rfind('\n') == std::string_view::npos ? 0 : side.rfind('\n') + 1;
      if (out.text.ends_with(std::string(side.substr(last_start)) + std::string(added_line_end(side)))) {
        added = added_line_end(side);
        break;
      }
    }
    // Never the line end of an empty last line: that would drop the line.
    if (out.text.ends_with(added) && out.text.size() > added.size() &&
        out.text[out.text.size() - added.size() - 1] != '\n')
      out.text.resize(out.text.size() - added.size());
  }
  return out;
}

// A line merge of the file's text, or of part of it, reported under `field` ("notes" for a body, "text" else).
std::string merge_text(const std::string& path, const std::string& field, std::string_view base,
                     std::string_view winner, std::string_view loser, const Sides& sides,
                     std::vector<SyncConflict>& conflicts) {
  LineMerge merged = merge_lines(base, winner, loser, sides);
  for (const auto& hunk : merged.conflicts)
    conflicts.push_back(SyncConflict{path, field, joined_lines(hunk.winner_lines), joined_lines(hunk.loser_lines),
                                     sides.winner.device, sides.loser.device});
  return std::move(merged.text);
}

// ---- Set merge of lists ----

size_t item_hash(const json& item) { return std::hash<json>{}(item); }
size_t item_hash(const SyncConflict& record) {
  size_t hash = 0;
  for (const std::string* field : {&record.path, &record.field, &record.kept_value, &record.lost_value,
                                   &record.kept_device, &record.lost_device})
    hash = hash * 31 + std::hash<std::string>{}(*field);
  return hash;
}

// The items of lists, found by hash and then compared whole: a peer's list of thousands of events merges in
// about as many steps, not their square.
template <class Item>
class ItemIndex {
 public:
  ItemIndex() = default;
  template <class List>
  explicit ItemIndex(const List& list) {
    for (const Item& item : list) add(item);
  }
  void add(const Item& item) { items_.emplace(item_hash(item), &item); }
  bool contains(const Item& item) const {
    auto [first, last] = items_.equal_range(item_hash(item));
    return std::any_of(first, last, [&](const auto& entry) { return *entry.second == item; });
  }

 private:
  std::unordered_multimap<size_t, const Item*> items_;
};

// An item either side added survives; an item one side removed is gone (the other still had it as in base).
// Order: the winner's items, then the loser's additions in the loser's order.
template <class List>
List merge_as_set(const List& base, const List& winner, const List& loser) {
  using Item = std::decay_t<decltype(*base.begin())>;
  const ItemIndex<Item> in_base(base), in_winner(winner), in_loser(loser);
  List merged;
  for (const Item& item : winner)
    if (in_loser.contains(item) || !in_base.contains(item)) merged.push_back(item);
  ItemIndex<Item> added;
  for (const Item& item : loser)
    if (!in_winner.contains(item) && !in_base.contains(item) && !added.contains(item)) {
      merged.push_back(item);
      added.add(item);
    }
  return merged;
}

// A list of mappings that all have a date (letter events): kept in date order, then by content.
bool is_dated(const json& list) {
  auto dated = [](const json& item) { return item.is_object() && item.contains("date"); };
  return !list.empty() && std::all_of(list.begin(), list.end(), dated);
}

void sort_dated(json& list) {
  // Each item's key made once: a comparison that dumped both items made long lists slow to sort.
  std::vector<std::pair<std::pair<std::string, std::string>, json*>> keyed;
  keyed.reserve(list.size());
  for (json& item : list) {
    const json& date = item.at("date");
    keyed.emplace_back(std::pair(date.is_string() ? date.get<std::string>() : date.dump(), item.dump()), &item);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json sorted = json::array();
  for (auto& entry : keyed) sorted.push_back(std::move(*entry.second));
  list = std::move(sorted);
}

// ---- Field merge of YAML data ----

const json* child(const json* mapping, const std::string& key) {
  if (!mapping) return nullptr;
  auto found = mapping->find(key);
  return found == mapping->end() ? nullptr : &*found;
}

// Merges YAML data (null pointers are absent keys), recording the values it could not keep.
class FieldMerger {
 public:
  FieldMerger(const std::string& path, const Sides& sides, std::vector<SyncConflict>& conflicts)
      : path_(path), sides_(sides), conflicts_(conflicts) {}

  json merge_mappings(const std::string& field, const json* base, const json& winner, const json& loser) {
    std::set<std::string> keys;
    for (const auto& [key, value] : winner.items()) keys.insert(key);
    for (const auto& [key, value] : loser.items()) keys.insert(key);
    json merged = json::object();
    for (const auto& key : keys) {
      std::optional<json> value =
          merge(field.empty() ? key : field + "." + key, child(base, key), child(&winner, key), child(&loser, key));
      if (value) merged[key] = std::move(*value);
    }
    return merged;
  }

 private:
  std::optional<json> merge(const std::string& field, const json* base, const json* winner, const json* loser) {
    auto same = [](const json* a, const json* b) { return a && b ? *a == *b : a == b; };
    auto copy = [](const json* value) { return value ? std::optional<json>(*value) : std::nullopt; };
    if (same(winner, loser) || same(loser, base)) return copy(winner);
    if (same(winner, base)) return copy(loser);
    // Both sides changed it.
    if (winner && loser && winner->is_object() && loser->is_object())
      return merge_mappings(field, base && base->is_object() ? base : nullptr, *winner, *loser);
    // A list emptied by hand often reads back as null (`events:` with nothing under it): still a list.
    auto list_like = [](const json* value) { return value && (value->is_array() || value->is_null()); };
    if (list_like(winner) && list_like(loser)) {
      auto items = [](const json* value) { return value && value->is_array() ? *value : json::array(); };
      // An absent list is unknown, an empty one says "none" (`visa: []`: sponsors no visa). A side that says
      // "none" where the base did not (it created the list empty, or emptied it) contradicts the other side's
      // items: set-merging them would turn "none" into "some" silently, so the later one is kept and reported.
      // A letter's events are a log, not a fact: no events says nothing, so removals and additions both apply.
      auto says_none = [&](const json* side) {
        return field != "events" && items(side).empty() && !(list_like(base) && items(base).empty());
      };
      if ((says_none(winner) && !items(loser).empty()) || (says_none(loser) && !items(winner).empty())) {
        json winner_items = items(winner), loser_items = items(loser);  // `events:` shown as the [] it means
        record(field, &winner_items, &loser_items, sides_.winner, sides_.loser);
        return *winner;
      }
      json merged = merge_as_set(items(base), items(winner), items(loser));
      if (is_dated(merged)) sort_dated(merged);
      return merged;
    }
    if (!winner || !loser) {
      // Modify beats delete; the removal is reported so that the user can redo it.
      bool winner_modified = winner != nullptr;
      const json* kept = winner_modified ? winner : loser;
      record(field, kept, nullptr, winner_modified ? sides_.winner : sides_.loser,
             winner_modified ? sides_.loser : sides_.winner);
      return *kept;
    }
    record(field, winner, loser, sides_.winner, sides_.loser);
    return *winner;
  }

  void record(const std::string& field, const json* kept, const json* lost, const MergeSide& kept_side,
              const MergeSide& lost_side) {
    conflicts_.push_back(
        SyncConflict{path_, field, conflict_value_text(kept), conflict_value_text(lost), kept_side.device,
                     lost_side.device});
  }

  const std::string& path_;
  const Sides& sides_;
  std::vector<SyncConflict>& conflicts_;
};

// The edits that turn data `from` into `to`, by field path in sorted order (nested mappings edited per key).
void collect_edits(const json& from, const json& to, std::vector<std::string>& path, std::vector<FieldEdit>& edits) {
  std::set<std::string> keys;
  for (const auto& [key, value] : from.items()) keys.insert(key);
  for (const auto& [key, value] : to.items()) keys.insert(key);
  for (const auto& key : keys) {
    path.push_back(key);
    auto before = from.find(key), after = to.find(key);
    if (after == to.end()) {
      edits.push_back(FieldEdit{FieldEdit::Op::remove, path, json()});
    } else if (before == from.end() || *before != *after) {
      bool nested = before != from.end() && before->is_object() && after->is_object() && !before->empty() &&
                    !after->empty();
      if (nested) collect_edits(*before, *after, path, edits);
      else edits.push_back(FieldEdit{FieldEdit::Op::set, path, *after});
    }
    path.pop_back();
  }
}

// ---- Whole plan files ----

struct PlanFileKind {
  DocumentKind kind;
  std::string id;
};

// plan.yaml or an entity file (rotations|writers|letters|programs/<id>.md); nullopt for any other path.
std::optional<PlanFileKind> plan_file_kind(const std::string& path) {
  if (path == kPlanFileName) return PlanFileKind{DocumentKind::plan, ""};
  size_t slash = path.find('/');
  if (slash == std::string::npos || path.find('/', slash + 1) != std::string::npos || !path.ends_with(".md"))
    return std::nullopt;
  std::string folder = path.substr(0, slash);
  auto kind = parse_kind(folder);
  if (!kind || folder != kind_folder(*kind)) return std::nullopt;
  return PlanFileKind{document_kind(*kind), path.substr(slash + 1, path.size() - slash - 1 - 3)};
}

// A version of the file whose data can be merged field by field: it parses, and its YAML is a mapping.
std::optional<Document> parse_mergeable(const PlanFileKind& kind, const std::string& path, const std::string& text) {
  ParsedDocument parsed = parse_document(kind.kind, path, kind.id, text);
  if (!parsed.document || !parsed.document->data.is_object()) return std::nullopt;
  return std::move(parsed.document);
}

}  // namespace

// Each version parsed on first use, told apart by address (Sides refers to FileVersions' own strings): parsing is
// most of a merge's work.
class FileVersions::ParsedVersions {
 public:
  ParsedVersions(const FileVersions& versions, const PlanFileKind& kind) : versions_(versions), kind_(kind) {}
  const PlanFileKind& kind() const { return kind_; }
  const std::optional<Document>& of(const std::string& text) {
    Slot& slot = &text == &versions_.ours_ ? ours_ : &text == &versions_.theirs_ ? theirs_ : base_;
    if (!slot.parsed) {
      slot.document = parse_mergeable(kind_, versions_.path_, text);
      slot.parsed = true;
    }
    return slot.document;
  }

  // The YAML of `start` with the fields that differ from `merged` edited in place; nullopt when they cannot be
  // written back. Asked again with the same arguments when both orders of a merge mean the same data.
  std::optional<std::string> edited(const Document& start, const json& merged) {
    if (last_edit_ && last_edit_->start == &start && last_edit_->merged == merged) return last_edit_->yaml;
    std::vector<FieldEdit> edits;
    std::vector<std::string> field_path;
    collect_edits(start.data, merged, field_path, edits);
    Result<Document> document = apply_edits(start, edits);
    std::optional<std::string> yaml = document ? std::optional(std::string(document->yaml_text())) : std::nullopt;
    last_edit_ = Edit{&start, merged, yaml};
    return yaml;
  }

 private:
  struct Slot {
    bool parsed = false;
    std::optional<Document> document;
  };
  struct Edit {
    const Document* start;
    json merged;
    std::optional<std::string> yaml;
  };
  const FileVersions& versions_;
  PlanFileKind kind_;
  Slot base_, ours_, theirs_;
  std::optional<Edit> last_edit_;
};

namespace {

std::string_view opening_line(const Document& document) {
  return std::string_view(document.text).substr(0, document.yaml_begin);
}
std::string_view closing_line(const Document& document) {
  return std::string_view(document.text).substr(document.yaml_end, document.body_begin - document.yaml_end);
}

// The winner's part unless it is the base's, then the loser's (a side that kept the base's part gives way).
std::string_view changed_part(std::optional<std::string_view> base, std::string_view winner, std::string_view loser) {
  return base && winner == *base ? loser : winner;
}

// Front matter and body merged separately; nullopt when the data cannot be merged or written back.
std::optional<FileMerge> merge_document(const std::string& path, const std::optional<std::string>& base_text,
                                        const Sides& sides, FileVersions::ParsedVersions& parsed) {
  const PlanFileKind& kind = parsed.kind();
  const std::optional<Document>* base_parsed = base_text ? &parsed.of(*base_text) : nullptr;
  if (base_parsed && !*base_parsed) return std::nullopt;
  const std::optional<Document>& winner = parsed.of(sides.winner_text);
  const std::optional<Document>& loser = parsed.of(sides.loser_text);
  if (!winner || !loser) return std::nullopt;
  const Document* base = base_parsed ? &**base_parsed : nullptr;

  FileMerge out;
  json merged = FieldMerger(path, sides, out.conflicts)
                    .merge_mappings("", base ? &base->data : nullptr, winner->data, loser->data);

  auto base_part = [&](std::string_view (*part)(const Document&)) {
    return base ? std::optional<std::string_view>(part(*base)) : std::nullopt;
  };
  std::string opening(changed_part(base_part(opening_line), opening_line(*winner), opening_line(*loser)));
  std::string closing(changed_part(base_part(closing_line), closing_line(*winner), closing_line(*loser)));
  auto means_merged = [&](std::string_view yaml) {
    ParsedDocument parsed = parse_document(kind.kind, path, kind.id, opening + std::string(yaml) + closing);
    return parsed.document && parsed.document->data == merged;
  };

  std::string_view base_yaml = base ? base->yaml_text() : std::string_view();
  std::string yaml;
  if (winner->yaml_text() == base_yaml) {
    yaml = loser->yaml_text();  // verbatim: their comments and layout
  } else if (loser->yaml_text() == base_yaml) {
    yaml = winner->yaml_text();
  } else {
    // Both changed the YAML. A clean line merge keeps both sides' comments and layout, when it means the merged data.
    // (An event recorded on each device adds two lines at the same place: that line merge can only conflict.)
    std::optional<LineMerge> lines;
    if (!line_merge_must_conflict(base_yaml, winner->yaml_text(), loser->yaml_text()))
      lines = merge_lines(base_yaml, winner->yaml_text(), loser->yaml_text(), sides);
    if (lines && lines->conflicts.empty() && means_merged(lines->text)) {
      yaml = std::move(lines->text);
    } else {
      // Else edit the changed fields in place, from the base (from the winner's when both sides added the file).
      auto edited = parsed.edited(base ? *base : *winner, merged);
      if (!edited) return std::nullopt;
      yaml = std::move(*edited);
    }
  }

  std::string body =
      merge_text(path, "notes", base ? base->body() : "", winner->body(), loser->body(), sides, out.conflicts);
  // A side whose file ended at the closing "---" must not glue the other side's notes to it.
  if (!body.empty() && !closing.ends_with('\n')) closing += line_end_of(winner->text);
  out.text = opening + yaml + closing + body;
  return out;
}

// sync-conflicts.yaml: the records merge as a set and are written in the file's canonical form; nullopt when
// a version is not a valid conflicts file.
std::optional<std::string> merge_conflict_records(const std::optional<std::string>& base, const Sides& sides) {
  auto records = [](const std::string& text) -> std::optional<std::vector<SyncConflict>> {
    ParsedSyncConflicts parsed = parse_sync_conflicts(text);
    if (!parsed.diagnostics.empty()) return std::nullopt;
    return std::move(parsed.conflicts);
  };
  std::optional<std::vector<SyncConflict>> base_records = base ? records(*base) : std::vector<SyncConflict>{};
  std::optional<std::vector<SyncConflict>> winner = records(sides.winner_text), loser = records(sides.loser_text);
  if (!base_records || !winner || !loser) return std::nullopt;
  return emit_sync_conflicts(merge_as_set(*base_records, *winner, *loser));
}

}  // namespace

bool line_merge_must_conflict(std::string_view base, std::string_view a, std::string_view b) {
  const std::string base_text = with_final_line_end(base), a_text = with_final_line_end(a),
                    b_text = with_final_line_end(b);
  const std::vector<std::string_view> base_lines = lines_of(base_text);
  struct Change {
    size_t begin, end;                      // the run of base's lines replaced
    std::vector<std::string_view> lines;  // what replaces it
  };
  auto change_of = [&](std::string_view side) {
    const std::vector<std::string_view> lines = lines_of(side);
    size_t prefix = 0;
    while (prefix < lines.size() && prefix < base_lines.size() && lines[prefix] == base_lines[prefix]) ++prefix;
    size_t suffix = 0;
    while (suffix < lines.size() - prefix && suffix < base_lines.size() - prefix &&
           lines[lines.size() - 1 - suffix] == base_lines[base_lines.size() - 1 - suffix])
      ++suffix;
    return Change{prefix, base_lines.size() - suffix,
                  std::vector<std::string_view>(lines.begin() + prefix, lines.end() - suffix)};
  };
  const Change first = change_of(a_text), second = change_of(b_text);
  if (std::max(first.begin, second.begin) > std::min(first.end, second.end) || first.lines.empty() ||
      second.lines.empty() || first.lines.front() == second.lines.front() || first.lines.back() == second.lines.back())
    return false;
  // How often each line stands in base, counted once, so that a peer's huge front matter costs linear time.
  std::unordered_map<std::string_view, size_t> in_base;
  for (std::string_view line : base_lines) ++in_base[line];
  auto seen_one_way = [&](const Change& change) {
    for (std::string_view line : change.lines)
      if (in_base.contains(line)) return false;
    std::unordered_map<std::string_view, size_t> taken_out;
    for (size_t i = change.begin; i < change.end; ++i) ++taken_out[base_lines[i]];
    for (const auto& [line, count] : taken_out)
      if (in_base.at(line) > count) return false;
    return true;
  };
  return seen_one_way(first) && seen_one_way(second);
}

std::string conflict_value_text(const json* value) {
  if (!value) return "(removed)";
  return value->is_string() ? value->get<std::string>() : value->dump();
}

bool merge_winner_is_first(const MergeSide& first, const MergeSide& second, const std::string& first_text,
                           const std::string& second_text) {
  if (first.time != second.time) return first.time > second.time;
  if (first.device != second.device) return first.device > second.device;
  return first_text >= second_text;
}

FileVersions::FileVersions(const std::string& path, const std::optional<std::string>& base, const std::string& ours,
                           const std::string& theirs)
    : path_(path), base_(base), ours_(ours), theirs_(theirs) {
  if (auto kind = path == kSyncConflictsPath ? std::nullopt : plan_file_kind(path))
    parsed_ = std::make_unique<ParsedVersions>(*this, *kind);
}

FileVersions::~FileVersions() = default;

FileMerge FileVersions::merge(const MergeSide& ours_side, const MergeSide& theirs_side) {
  const bool ours_wins = merge_winner_is_first(ours_side, theirs_side, ours_, theirs_);
  const Sides sides{ours_wins ? ours_ : theirs_, ours_wins ? theirs_ : ours_, ours_wins ? ours_side : theirs_side,
                    ours_wins ? theirs_side : ours_side};

  if (path_ == kSyncConflictsPath) {
    if (auto records = merge_conflict_records(base_, sides)) return FileMerge{std::move(*records), {}};
  } else if (parsed_) {
    if (auto merged = merge_document(path_, base_, sides, *parsed_)) return std::move(*merged);
  }
  // Any other text, or a plan file that does not parse: line by line, nothing dropped.
  FileMerge out;
  out.text = merge_text(path_, "text", base_.value_or(""), sides.winner_text, sides.loser_text, sides, out.conflicts);
  return out;
}

FileMerge merge_file(const std::string& path, const std::optional<std::string>& base, const std::string& ours,
                     const std::string& theirs, const MergeSide& ours_side, const MergeSide& theirs_side) {
  return FileVersions(path, base, ours, theirs).merge(ours_side, theirs_side);
}

}  // namespace lorsync
