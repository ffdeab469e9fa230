#include "validation/plan_check.hpp"

#include "common/text.hpp"
#include "model/plan.hpp"
#include "model/sync_conflicts.hpp"
#include "validation/validator.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <thread>

namespace lorsync {

PlanChecker::CachedFile PlanChecker::check_text(DocumentKind kind, const std::string& path, const std::string& id,
                                                std::string text) {
  CachedFile result;
  ParsedDocument parsed = parse_document(kind, path, id, std::move(text));
  result.diagnostics = std::move(parsed.diagnostics);
  if (parsed.document) {
    auto schema_problems = validate_document(*parsed.document);
    result.diagnostics.insert(result.diagnostics.end(), schema_problems.begin(), schema_problems.end());
    result.document = std::make_shared<const Document>(std::move(*parsed.document));
  }
  return result;
}

PlanChecker::CachedFile PlanChecker::check_parsed(DocumentPtr document) {
  CachedFile result;
  result.diagnostics = validate_document(*document);
  result.document = std::move(document);
  return result;
}

namespace {

// The packet documents plan.yaml names by file must be files of the plan (packet/cv.pdf): those are
// committed and synced, so a clone has them and a draft can attach them on every device.
std::vector<Diagnostic> check_packet_files(const Document& settings, const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::vector<Diagnostic> out;
  auto packet = settings.data.find("packet");
  if (packet == settings.data.end() || !packet->is_object()) return out;
  for (const auto& [key, document] : packet->items()) {
    if (!document.is_object() || !document.contains("file") || !document["file"].is_string()) continue;
    const std::string file = document["file"].get<std::string>();
    const SourceRef where = locate(settings, {"packet", key, "file"});
    fs::path relative = fs::path(file).lexically_normal();
    const std::string in_packet = "packet/" + fs::path(file).filename().string();
    if (relative.is_absolute() || relative.empty() || *relative.begin() == "..") {
      out.push_back({where, in_quotes(file) + " is outside the plan, so your other devices would not have it: copy it "
                                               "into the plan's packet/ folder and name it " + in_packet});
      continue;
    }
    // Only the packet folder's files are committed with the plan (the rest of the folder may be anything).
    if (!is_packet_document_path(relative.string()) && relative.string() != kPacketSummaryPath) {
      out.push_back({where, in_quotes(file) + " is not in the plan's packet/ folder, whose files are committed and "
                                               "synced with the plan: move it there and name it " + in_packet});
      continue;
    }
    if (auto link = linked_folder(root, relative.string())) {
      out.push_back({where, link->where.path + " " + link->message});
      continue;
    }
    std::error_code ec;
    fs::file_status status = fs::symlink_status(root / relative, ec);
    if (status.type() == fs::file_type::not_found || ec)
      out.push_back({where, "no " + relative.string() + " in the plan: put the document there (it is committed and "
                                                        "synced with the plan), or correct the name"});
    else if (!fs::is_regular_file(status))
      out.push_back({where, relative.string() + " is " + (fs::is_symlink(status) ? "a link" : "not a plain file") +
                                "; copy the document itself into the plan"});
  }
  return out;
}

// The plan's two files that are not documents: the packet summary (free Markdown) and the sync conflicts
// record. Their problems join the listing's.
void read_companion_files(PlanListing& listing, Plan& plan) {
  if (listing.packet_summary) {
    std::vector<Diagnostic> problems;
    plan.packet_summary = read_plan_file(*listing.packet_summary, problems);
    if (plan.packet_summary && find_invalid_utf8(*plan.packet_summary))
      problems.push_back(Diagnostic{SourceRef{kPacketSummaryPath, 0, 0, ""}, "is not valid UTF-8 text"});
    listing.diagnostics.insert(listing.diagnostics.end(), problems.begin(), problems.end());
  }
  if (listing.sync_conflicts) {
    std::vector<Diagnostic> problems;
    if (auto text = read_plan_file(*listing.sync_conflicts, problems)) {
      ParsedSyncConflicts parsed = parse_sync_conflicts(*text);
      plan.sync_conflicts = std::move(parsed.conflicts);
      problems.insert(problems.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    }
    listing.diagnostics.insert(listing.diagnostics.end(), problems.begin(), problems.end());
  }
}

const FileOverlay* overlay_for(const std::vector<FileOverlay>& overlays, const std::string& path) {
  for (const auto& overlay : overlays)
    if (overlay.path == path) return &overlay;
  return nullptr;
}

// The ids a reference may name, by kind folder, sorted: the documents read, and the files that failed to
// parse (they still exist: a reference to them is not "dangling"), less those an overlay removes.
std::map<std::string, std::vector<std::string>> known_ids(const Plan& plan, const PlanListing& listing,
                                                          const std::vector<FileOverlay>& overlays) {
  std::map<std::string, std::vector<std::string>> ids;
  for (EntityKind kind : kEntityKinds) {
    auto& list = ids[kind_folder(kind)];
    for (const auto& [id, doc] : plan.of(kind)) list.push_back(id);  // map order: sorted
  }
  for (const auto& entry : listing.files)
    if (auto kind = entity_kind(entry.kind)) {
      auto& list = ids[kind_folder(*kind)];
      if (!std::binary_search(list.begin(), list.end(), entry.id)) list.insert(std::upper_bound(list.begin(), list.end(), entry.id), entry.id);
    }
  for (const auto& overlay : overlays)
    if (!overlay.document)
      if (auto kind = entity_kind(overlay.kind)) std::erase(ids[kind_folder(*kind)], overlay.id);
  return ids;
}

// The checks between files: every document's references, and the packet files plan.yaml names.
std::vector<Diagnostic> check_between_files(const Plan& plan, const std::map<std::string, std::vector<std::string>>& ids,
                                            const std::filesystem::path& root) {
  std::vector<Diagnostic> diagnostics;
  static const std::vector<std::string> none;
  IdLookup lookup = [&](const std::string& folder) -> const std::vector<std::string>& {
    auto found = ids.find(folder);
    return found == ids.end() ? none : found->second;
  };
  auto check_document = [&](const Document& doc) {
    auto problems = check_references(doc, lookup);
    diagnostics.insert(diagnostics.end(), problems.begin(), problems.end());
  };
  if (plan.settings) {
    check_document(*plan.settings);
    auto problems = check_packet_files(*plan.settings, root);
    diagnostics.insert(diagnostics.end(), problems.begin(), problems.end());
  }
  for (EntityKind kind : kEntityKinds)
    for (const auto& [id, doc] : plan.of(kind)) check_document(*doc);
  return diagnostics;
}

}  // namespace

std::vector<PlanChecker::CachedFile> PlanChecker::check_files(const std::vector<const PlanFileEntry*>& files) {
  std::vector<CachedFile> results(files.size());
  auto work = [&](size_t worker, size_t workers) {
    for (size_t i = worker; i < files.size(); i += workers) {
      std::vector<Diagnostic> read_problems;
      std::optional<std::string> text = read_plan_file(*files[i], read_problems);
      CachedFile file;
      try {
        if (text) file = check_text(files[i]->kind, files[i]->path, files[i]->id, std::move(*text));
        else file.diagnostics = std::move(read_problems);
      } catch (const std::exception& e) {
        // A worker thread must not throw; whatever went wrong is this file's problem.
        file.document.reset();
        file.diagnostics = {Diagnostic{SourceRef{files[i]->path, 0, 0, ""}, std::string("cannot be checked: ") + e.what()}};
      }
      file.stamp = files[i]->stamp;
      results[i] = std::move(file);
    }
  };
  size_t workers = files.size() < 64 ? 1 : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work, w, workers);
  work(0, workers);
  for (auto& thread : threads) thread.join();
  return results;
}

DocumentPtr PlanChecker::unchanged_document(const std::string& path) const {
  auto cached = cache_.find(path);
  if (cached == cache_.end() || !cached->second.document) return nullptr;
  struct stat status {};
  if (::lstat((root_ / path).c_str(), &status) != 0 || !S_ISREG(status.st_mode)) return nullptr;
  if (!(stamp_of(status) == cached->second.stamp)) return nullptr;
  return cached->second.document;
}

CheckedPlan PlanChecker::check(const std::vector<FileOverlay>& overlays) {
  CheckedPlan out;
  PlanListing listing = list_plan_files(root_);
  read_companion_files(listing, out.plan);
  std::vector<Diagnostic>& diagnostics = out.diagnostics;
  diagnostics = std::move(listing.diagnostics);
  auto accept = [&](const CachedFile& file) {
    diagnostics.insert(diagnostics.end(), file.diagnostics.begin(), file.diagnostics.end());
    if (!file.document) return;
    if (auto kind = entity_kind(file.document->kind)) out.plan.of(*kind).emplace(file.document->id, file.document);
    else out.plan.settings = file.document;
  };

  // Files not seen before (or changed) are read and checked; results are taken in listing order.
  std::vector<const PlanFileEntry*> fresh;
  for (const auto& entry : listing.files) {
    if (overlay_for(overlays, entry.path)) continue;
    auto cached = cache_.find(entry.path);
    if (cached == cache_.end() || !(cached->second.stamp == entry.stamp)) fresh.push_back(&entry);
  }
  std::vector<CachedFile> fresh_results = check_files(fresh);
  std::map<std::string, CachedFile> still_present;
  size_t next_fresh = 0;
  for (const auto& entry : listing.files) {
    if (const FileOverlay* overlay = overlay_for(overlays, entry.path)) {
      if (overlay->document) accept(check_parsed(overlay->document));
      continue;
    }
    if (next_fresh < fresh.size() && fresh[next_fresh] == &entry) {
      accept(fresh_results[next_fresh]);
      still_present.emplace(entry.path, std::move(fresh_results[next_fresh]));
      ++next_fresh;
      continue;
    }
    auto cached = cache_.find(entry.path);
    accept(cached->second);
    still_present.insert(cache_.extract(cached));
  }
  cache_ = std::move(still_present);
  for (const auto& overlay : overlays) {
    bool listed = std::any_of(listing.files.begin(), listing.files.end(),
                              [&](const PlanFileEntry& e) { return e.path == overlay.path; });
    if (!listed && overlay.document) {
      if (overlay.kind == DocumentKind::plan)
        std::erase_if(diagnostics, [](const Diagnostic& d) { return d.where.path == kPlanFileName; });
      accept(check_parsed(overlay.document));
    }
  }

  auto between = check_between_files(out.plan, known_ids(out.plan, listing, overlays), root_);
  diagnostics.insert(diagnostics.end(), between.begin(), between.end());
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.path, a.where.line, a.where.column) < std::tie(b.where.path, b.where.line, b.where.column);
  });
  return out;
}

}  // namespace lorsync
