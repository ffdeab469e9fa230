#include "model/plan.hpp"

#include "common/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lorsync {
namespace fs = std::filesystem;

FileStamp stamp_of(const struct ::stat& st) {
  return FileStamp{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                   static_cast<uint64_t>(st.st_size),
                   static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

namespace {

std::string megabytes(uintmax_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buffer;
}

bool is_inside(const fs::path& root, const fs::path& target) {
  auto r = root.begin(), t = target.begin();
  for (; r != root.end(); ++r, ++t)
    if (t == target.end() || *r != *t) return false;
  return true;
}

// Checks that `absolute` (which may be a symlink) is a regular file inside the
// plan and small enough; fills the stamp. Returns false after adding a diagnostic.
bool admit_file(const fs::path& root_canonical, const std::string& relative, const fs::path& absolute,
                PlanFileEntry& entry, std::vector<Diagnostic>& diagnostics) {
  auto problem = [&](std::string message) {
    diagnostics.push_back(Diagnostic{SourceRef{relative, 0, 0, ""}, std::move(message)});
    return false;
  };
  struct stat link_status {};
  if (lstat(absolute.c_str(), &link_status) != 0) return problem("cannot be read: " + std::string(strerror(errno)));
  fs::path target = absolute;
  if (S_ISLNK(link_status.st_mode)) {
    std::error_code ec;
    fs::path resolved = fs::canonical(absolute, ec);
    if (ec) return problem("is a symlink whose target does not exist");
    if (!is_inside(root_canonical, resolved))
      return problem("is a symlink to " + resolved.string() + ", outside the plan; plan files must live inside the plan");
    target = resolved;
  }
  struct stat status {};
  if (stat(target.c_str(), &status) != 0) return problem("cannot be read: " + std::string(strerror(errno)));
  if (!S_ISREG(status.st_mode)) return problem("is not a regular file");
  if (static_cast<uintmax_t>(status.st_size) > kMaxPlanFileBytes)
    return problem("is " + megabytes(status.st_size) + "; plan files are limited to 1 MiB (keep large documents out of the plan)");
  entry.path = relative;
  entry.absolute = target;
  entry.stamp = stamp_of(status);
  return true;
}

bool ignorable(const std::string& name) {
  // Editors' swap and backup files, and dot files (.DS_Store, .gitkeep).
  return name.empty() || name[0] == '.' || name.back() == '~' || name.ends_with(".swp") || name.ends_with(".tmp");
}

}  // namespace

std::optional<Diagnostic> linked_folder(const fs::path& root, std::string_view relative) {
  fs::path folder = root;
  std::string walked;
  fs::path path{std::string(relative)};
  for (auto part = path.begin(); part != path.end() && std::next(part) != path.end(); ++part) {
    folder /= *part;
    walked += part->string() + "/";
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(folder, ec))) continue;
    fs::path target = fs::read_symlink(folder, ec);
    return Diagnostic{SourceRef{walked, 0, 0, ""},
                      "is a link" + (ec ? std::string() : " to " + target.string()) +
                          "; lorsync reads and writes only real folders inside the plan: replace the link with a "
                          "folder holding the files"};
  }
  return std::nullopt;
}

PlanListing list_plan_files(const fs::path& root) {
  PlanListing listing;
  std::error_code ec;
  fs::path root_canonical = fs::canonical(root, ec);
  if (ec) {
    listing.diagnostics.push_back(Diagnostic{SourceRef{root.string(), 0, 0, ""}, "the plan folder does not exist"});
    return listing;
  }
  PlanFileEntry plan_entry;
  if (fs::exists(fs::symlink_status(root / kPlanFileName))) {
    plan_entry.kind = DocumentKind::plan;
    if (admit_file(root_canonical, kPlanFileName, root / kPlanFileName, plan_entry, listing.diagnostics))
      listing.files.push_back(plan_entry);
  } else {
    listing.diagnostics.push_back(Diagnostic{SourceRef{kPlanFileName, 0, 0, ""},
                                             "missing: every plan has a plan.yaml (run `lorsync init` to create a plan)"});
  }
  for (EntityKind kind : kEntityKinds) {
    fs::path folder = root / kind_folder(kind);
    if (auto link = linked_folder(root, std::string(kind_folder(kind)) + "/")) {
      listing.diagnostics.push_back(std::move(*link));
      continue;
    }
    if (!fs::is_directory(folder, ec)) continue;
    std::vector<std::string> names;
    for (const auto& item : fs::directory_iterator(folder, ec)) names.push_back(item.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (ignorable(name)) continue;
      std::string relative = std::string(kind_folder(kind)) + "/" + name;
      if (!name.ends_with(".md")) {
        listing.diagnostics.push_back(Diagnostic{SourceRef{relative, 0, 0, ""},
                                                 std::string("is not a plan file: ") + kind_folder(kind) +
                                                     "/ holds only <id>.md files"});
        continue;
      }
      std::string id = name.substr(0, name.size() - 3);
      if (!is_valid_id(id)) {
        std::string suggestion;
        for (char c : id) {
          if (c >= 'A' && c <= 'Z') suggestion += static_cast<char>(c - 'A' + 'a');
          else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') suggestion += c;
          else if (!suggestion.empty() && suggestion.back() != '-') suggestion += '-';
        }
        while (!suggestion.empty() && suggestion.back() == '-') suggestion.pop_back();
        listing.diagnostics.push_back(Diagnostic{
            SourceRef{relative, 0, 0, ""},
            "the file name is not a valid id: " +
                (is_windows_device_name(id) ? id_advice(id)
                                            : "use lowercase letters, digits and hyphens" +
                                                  (is_valid_id(suggestion) ? " (rename it to " + suggestion + ".md)"
                                                                           : std::string()))});
        continue;
      }
      PlanFileEntry entry;
      entry.kind = document_kind(kind);
      entry.id = id;
      if (admit_file(root_canonical, relative, folder / name, entry, listing.diagnostics)) listing.files.push_back(entry);
    }
  }
  if (auto link = linked_folder(root, kPacketSummaryPath)) {
    listing.diagnostics.push_back(std::move(*link));
  } else if (fs::exists(fs::symlink_status(root / kPacketSummaryPath, ec))) {
    PlanFileEntry summary;
    if (admit_file(root_canonical, kPacketSummaryPath, root / kPacketSummaryPath, summary, listing.diagnostics))
      listing.packet_summary = summary;
  }
  if (fs::exists(fs::symlink_status(root / kSyncConflictsPath, ec))) {
    PlanFileEntry conflicts;
    if (admit_file(root_canonical, kSyncConflictsPath, root / kSyncConflictsPath, conflicts, listing.diagnostics))
      listing.sync_conflicts = conflicts;
  }
  return listing;
}

std::optional<std::string> read_plan_file(const PlanFileEntry& entry, std::vector<Diagnostic>& diagnostics) {
  int fd = ::open(entry.absolute.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diagnostics.push_back(Diagnostic{SourceRef{entry.path, 0, 0, ""}, "cannot be read: " + std::string(std::strerror(errno))});
    return std::nullopt;
  }
  // Read at most one byte past the limit: a file that grew since it was listed is still refused.
  std::string text(static_cast<size_t>(std::min<uint64_t>(entry.stamp.size, kMaxPlanFileBytes)) + 1, '\0');
  size_t filled = 0;
  while (true) {
    if (filled == text.size()) {
      if (text.size() > kMaxPlanFileBytes) break;
      text.resize(std::min<size_t>(text.size() * 2, kMaxPlanFileBytes + 1));
    }
    ssize_t n = ::read(fd, text.data() + filled, text.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    filled += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(filled);
  if (text.size() > kMaxPlanFileBytes) {
    diagnostics.push_back(Diagnostic{SourceRef{entry.path, 0, 0, ""}, "is larger than 1 MiB"});
    return std::nullopt;
  }
  return text;
}

const Document* Plan::find(EntityKind kind, const std::string& id) const {
  const auto& documents = of(kind);
  auto found = documents.find(id);
  return found == documents.end() ? nullptr : found->second.get();
}

size_t Plan::entity_count() const {
  size_t count = 0;
  for (const auto& documents : entities) count += documents.size();
  return count;
}

std::optional<EntityKind> entity_kind(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::rotation: return EntityKind::rotation;
    case DocumentKind::writer: return EntityKind::writer;
    case DocumentKind::letter: return EntityKind::letter;
    case DocumentKind::program: return EntityKind::program;
    case DocumentKind::plan: return std::nullopt;
  }
  return std::nullopt;
}

bool is_template_path(std::string_view path) {
  std::string_view prefix = "templates/";
  if (!path.starts_with(prefix) || !path.ends_with(".txt")) return false;
  std::string_view name = path.substr(prefix.size());
  return name.size() > 4 && name.find('/') == std::string_view::npos && !name.starts_with('.');
}

bool is_packet_document_path(std::string_view path) {
  std::string_view prefix = "packet/";
  if (!path.starts_with(prefix) || path == kPacketSummaryPath) return false;
  std::string_view name = path.substr(prefix.size());
  return !name.empty() && name.find('/') == std::string_view::npos && !name.starts_with('.');
}

}  // namespace lorsync
