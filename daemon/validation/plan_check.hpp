// validation/plan_check: reads a plan directory into a Plan and checks all of
// it: every file against its schema, then the references between files. It
// remembers files it has already checked (by inode, size and mtime) so a
// long-lived store or daemon re-reads only what changed. An overlay lets the
// store check the plan as it would be after a change, before writing anything.
#pragma once

#include "common/diagnostic.hpp"
#include "model/plan.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lorsync {

struct CheckedPlan {
  Plan plan;
  std::vector<Diagnostic> diagnostics;  // sorted by path, line, column
  bool valid() const { return diagnostics.empty(); }
};

// A pending change to one file: its new document (already parsed), or nullopt for a removal.
struct FileOverlay {
  std::string path;
  DocumentKind kind = DocumentKind::plan;
  std::string id;
  DocumentPtr document;
};

class PlanChecker {
 public:
  explicit PlanChecker(std::filesystem::path root) : root_(std::move(root)) {}

  CheckedPlan check(const std::vector<FileOverlay>& overlays = {});

  // The parsed document at `path` if the file on disk is still the one last
  // checked (same inode, size and mtime); null otherwise.
  DocumentPtr unchanged_document(const std::string& path) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  struct CachedFile {
    FileStamp stamp;
    DocumentPtr document;
    std::vector<Diagnostic> diagnostics;
  };
  std::filesystem::path root_;
  std::map<std::string, CachedFile> cache_;

  static CachedFile check_text(DocumentKind kind, const std::string& path, const std::string& id, std::string text);
  static CachedFile check_parsed(DocumentPtr document);
  // Reads and checks these files, on every core when there are many; results in their order.
  static std::vector<CachedFile> check_files(const std::vector<const PlanFileEntry*>& files);
};

}  // namespace lorsync
