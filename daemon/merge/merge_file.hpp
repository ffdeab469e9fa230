// merge/merge_file: the semantic three-way merge of one plan file. Front
// matter and plan.yaml merge field by field (scalars 3-way, mappings per key,
// lists as sets), bodies and other text line by line; where both sides changed
// the same thing the winner (later change) is kept and the loser is reported as
// a SyncConflict, or for lines both texts are kept under a plain note, never
// conflict markers. Every decision goes by the winner rule, never by which side
// is "ours", so two devices merging each other's changes get the same bytes.
#pragma once

#include "model/sync_conflicts.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lorsync {

// One side of a merge: who made its last change to the file and when.
struct MergeSide {
  std::string device;  // e.g. "laptop"
  int64_t time = 0;    // commit time (seconds since epoch) of the side's last commit that changed the file
};

struct FileMerge {
  std::string text;                     // the merged file
  std::vector<SyncConflict> conflicts;  // what the user must look at, in a deterministic order
};

// The three versions of one file, merged as often as the caller needs with each parsed once (git's merge driver
// merges in both orders to learn whether the order matters). See merge_file for what the arguments mean.
class FileVersions {
 public:
  FileVersions(const std::string& path, const std::optional<std::string>& base, const std::string& ours,
               const std::string& theirs);
  ~FileVersions();
  FileVersions(const FileVersions&) = delete;
  FileVersions& operator=(const FileVersions&) = delete;

  FileMerge merge(const MergeSide& ours_side, const MergeSide& theirs_side);

  class ParsedVersions;

 private:
  std::string path_;
  std::optional<std::string> base_;
  std::string ours_;
  std::string theirs_;
  std::unique_ptr<ParsedVersions> parsed_;  // null for a file that is not an entity file or plan.yaml
};

// Three-way merge of the file at `path` (relative to the plan root, e.g. "letters/ana.md", "plan.yaml",
// "packet/summary.md", "sync-conflicts.yaml", ".gitignore"). `base` is nullopt when both sides added the file
// (merge as if from an empty base). Called only when ours != theirs and both differ from base.
FileMerge merge_file(const std::string& path, const std::optional<std::string>& base, const std::string& ours,
                     const std::string& theirs, const MergeSide& ours_side, const MergeSide& theirs_side);

// Which side wins when both changed the same thing: the later time; on equal times the greater device name;
// then the greater text. Symmetric: winner(a,b) picks the same side as winner(b,a) (sides equal in all three
// are interchangeable).
bool merge_winner_is_first(const MergeSide& first, const MergeSide& second, const std::string& first_text,
                           const std::string& second_text);

// Whether merging `a` and `b` (each different from `base`) line by line can only conflict: each side changed one
// run of base's lines (everything else kept) in the one way a diff can see it (the lines it put there are not in
// base, and the lines it took out are nowhere else in base), the two runs overlap or touch (libgit2, like git,
// conflicts on adjacent changes), and the lines the sides put there differ in their first and in their last line
// (so no common line at either end can be trimmed off the conflict). A line merge that must conflict need not
// start libgit2. Symmetric in `a` and `b`; checked against libgit2's own merge on millions of random texts.
bool line_merge_must_conflict(std::string_view base, std::string_view a, std::string_view b);

// A value as a conflict record shows it: strings as they are, other values as JSON, an absent one (null
// pointer) as "(removed)".
std::string conflict_value_text(const nlohmann::json* value);

}  // namespace lorsync
