#include "validation/plan_check.hpp"

#include "validation/validator.hpp"

#include <algorithm>

namespace lorsync {

PlanChecker::CachedFile PlanChecker::check_text(DocumentKind kind, const std::string& path, const std::string& id,
                                                std::string text) {
  CachedFile result;
  ParsedDocument parsed = parse_document(kind, path, id, std::move(text));
  result.diagnostics = std::move(parsed.diagnostics);
  if (parsed.document) {
    auto schema_problems = validate_document(*parsed.document);
    result.diagnostics.insert(result.diagnostics.end(), schema_problems.begin(), schema_problems.end());
    result.document = std::move(parsed.document);
  }
  return result;
}

CheckedPlan PlanChecker::check(const std::vector<FileOverlay>& overlays) {
  CheckedPlan out;
  PlanListing listing = list_plan_files(root_);
  out.plan.has_packet_summary = listing.has_packet_summary;
  std::vector<Diagnostic>& diagnostics = out.diagnostics;
  diagnostics = std::move(listing.diagnostics);

  auto overlay_for = [&](const std::string& path) -> const FileOverlay* {
    for (const auto& overlay : overlays)
      if (overlay.path == path) return &overlay;
    return nullptr;
  };
  auto accept = [&](const CachedFile& file) {
    diagnostics.insert(diagnostics.end(), file.diagnostics.begin(), file.diagnostics.end());
    if (!file.document) return;
    if (auto kind = entity_kind(file.document->kind)) out.plan.of(*kind).emplace(file.document->id, *file.document);
    else out.plan.settings = *file.document;
  };

  std::map<std::string, CachedFile> still_present;
  for (const auto& entry : listing.files) {
    if (const FileOverlay* overlay = overlay_for(entry.path)) {
      if (overlay->text) accept(check_text(overlay->kind, overlay->path, overlay->id, *overlay->text));
      continue;
    }
    auto cached = cache_.find(entry.path);
    if (cached != cache_.end() && cached->second.stamp == entry.stamp) {
      accept(cached->second);
      still_present.insert(cache_.extract(cached));
      continue;
    }
    std::vector<Diagnostic> read_problems;
    std::optional<std::string> text = read_plan_file(entry, read_problems);
    CachedFile file;
    if (text) file = check_text(entry.kind, entry.path, entry.id, std::move(*text));
    else file.diagnostics = std::move(read_problems);
    file.stamp = entry.stamp;
    accept(file);
    still_present.emplace(entry.path, std::move(file));
  }
  cache_ = std::move(still_present);
  for (const auto& overlay : overlays) {
    bool listed = std::any_of(listing.files.begin(), listing.files.end(),
                              [&](const PlanFileEntry& e) { return e.path == overlay.path; });
    if (!listed && overlay.text) {
      if (overlay.kind == DocumentKind::plan)
        std::erase_if(diagnostics, [](const Diagnostic& d) { return d.where.path == kPlanFileName; });
      accept(check_text(overlay.kind, overlay.path, overlay.id, *overlay.text));
    }
  }

  std::map<std::string, std::vector<std::string>> ids;
  for (EntityKind kind : kEntityKinds) {
    auto& list = ids[kind_folder(kind)];
    for (const auto& [id, doc] : out.plan.of(kind)) list.push_back(id);  // map order: sorted
  }
  // Files that failed to parse still exist: a reference to them is not "dangling".
  for (const auto& entry : listing.files)
    if (auto kind = entity_kind(entry.kind)) {
      auto& list = ids[kind_folder(*kind)];
      if (!std::binary_search(list.begin(), list.end(), entry.id)) list.insert(std::upper_bound(list.begin(), list.end(), entry.id), entry.id);
    }
  for (const auto& overlay : overlays)
    if (!overlay.text)
      if (auto kind = entity_kind(overlay.kind)) std::erase(ids[kind_folder(*kind)], overlay.id);
  static const std::vector<std::string> none;
  IdLookup lookup = [&](const std::string& folder) -> const std::vector<std::string>& {
    auto found = ids.find(folder);
    return found == ids.end() ? none : found->second;
  };
  auto check_document = [&](const Document& doc) {
    auto problems = check_references(doc, lookup);
    diagnostics.insert(diagnostics.end(), problems.begin(), problems.end());
  };
  if (out.plan.settings) check_document(*out.plan.settings);
  for (EntityKind kind : kEntityKinds)
    for (const auto& [id, doc] : out.plan.of(kind)) check_document(doc);

  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.path, a.where.line, a.where.column) < std::tie(b.where.path, b.where.line, b.where.column);
  });
  return out;
}

}  // namespace lorsync
