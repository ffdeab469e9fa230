// model/plan: the files of a plan directory and the Plan they make: plan.yaml,
// one document per entity, the packet summary. Listing the directory is where
// file-level problems are caught: names that are not ids, symlinks that leave
// the plan, files too large to be plan files, stray files.
#pragma once

#include "common/diagnostic.hpp"
#include "model/document.hpp"
#include "model/sync_conflicts.hpp"

#include <sys/stat.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lorsync {

inline constexpr const char* kPlanFileName = "plan.yaml";
inline constexpr const char* kPacketSummaryPath = "packet/summary.md";
inline constexpr const char* kTemplatesFolder = "templates";  // a plan's own email wording (`lorsync draft`)

// "templates/NAME.txt": a plan's own draft template, committed, synced and merged as text like the plan files.
bool is_template_path(std::string_view path);
// A file of the packet folder other than the summary (a CV, a statement as PDF): committed and synced with
// the plan, so that every device has the documents plan.yaml names; merged by keeping both versions.
bool is_packet_document_path(std::string_view path);

// When a folder on the way to `relative` (such as letters/ for "letters/ana.md") is a link: the problem,
// named at that folder. A link can lead out of the plan, so lorsync neither reads nor writes through one.
std::optional<Diagnostic> linked_folder(const std::filesystem::path& root, std::string_view relative);

inline constexpr uintmax_t kMaxPlanFileBytes = 1 << 20;  // 1 MiB: far above any real plan file

// Identity of a file's current contents on disk, to skip re-reading unchanged files.
struct FileStamp {
  uint64_t device = 0, inode = 0, size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const struct ::stat& status);

struct PlanFileEntry {
  std::string path;  // relative to the plan root
  DocumentKind kind = DocumentKind::plan;
  std::string id;
  std::filesystem::path absolute;  // what to read (a symlink's target inside the plan)
  FileStamp stamp;
};

struct PlanListing {
  std::vector<PlanFileEntry> files;  // plan.yaml and entity files that may be read
  std::optional<PlanFileEntry> packet_summary;
  std::optional<PlanFileEntry> sync_conflicts;  // sync-conflicts.yaml, when present
  std::vector<Diagnostic> diagnostics;  // file-level problems; such files are not in `files`
};

PlanListing list_plan_files(const std::filesystem::path& root);

// Reads a listed file, refusing (with a diagnostic) one that grew past the limit since listing.
std::optional<std::string> read_plan_file(const PlanFileEntry& entry, std::vector<Diagnostic>& diagnostics);

// Documents are immutable once parsed and shared (between a checker's cache and
// the plans it hands out, and between successive plans), never copied.
using DocumentPtr = std::shared_ptr<const Document>;

struct Plan {
  DocumentPtr settings;  // plan.yaml; null when it is missing or unreadable
  std::array<std::map<std::string, DocumentPtr>, 4> entities;  // indexed by EntityKind
  std::optional<std::string> packet_summary;  // packet/summary.md: free Markdown, not validated
  std::vector<SyncConflict> sync_conflicts;    // sync-conflicts.yaml

  std::map<std::string, DocumentPtr>& of(EntityKind kind) { return entities[static_cast<size_t>(kind)]; }
  const std::map<std::string, DocumentPtr>& of(EntityKind kind) const { return entities[static_cast<size_t>(kind)]; }
  const Document* find(EntityKind kind, const std::string& id) const;
  size_t entity_count() const;
};

std::optional<EntityKind> entity_kind(DocumentKind kind);

}  // namespace lorsync
