// tests/fuzz/fuzz_support: what every fuzz target shares: a private HOME (and
// XDG dirs and git author) made once per process and removed at exit, so no
// target ever reads or writes the user's real files; the invariant check that
// stops the run; and the "which plan file is this" convention of the inputs.
#pragma once

#include "model/document.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lorsync::fuzz {

// A fresh directory for this process (under $TMPDIR), with HOME, XDG_* and the git author pointing into it.
// Call it first, before anything reads the environment (libgit2 caches HOME on first use).
const std::filesystem::path& scratch_dir();

// A copy of the sample plan, as `lorsync init --sample` makes it (a git repository), under scratch_dir()/name.
std::filesystem::path sample_plan(const std::string& name);

// An invariant was broken: says which (and the detail, cut to a readable length) and traps, so that
// libFuzzer saves the input as a crash.
[[noreturn]] void invariant_broken(const char* what, std::string_view detail = {});
inline void require(bool condition, const char* what, std::string_view detail = {}) {
  if (!condition) invariant_broken(what, detail);
}

// Where a plan file lives, and what kind of document that makes it.
struct PlanFile {
  DocumentKind kind = DocumentKind::plan;
  std::string path;  // "plan.yaml", "letters/ana.md"
  std::string id;    // "ana"; empty for plan.yaml
};
// "plan.yaml", or "<folder>/<id>.md" for one of the four entity folders; nullopt for anything else.
std::optional<PlanFile> plan_file_at(std::string_view path);

// The input up to its first '\n', and what follows it (empty when there is no '\n').
struct FirstLine {
  std::string_view line;
  std::string_view rest;
  bool found = false;
};
FirstLine split_first_line(std::string_view input);

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace lorsync::fuzz
