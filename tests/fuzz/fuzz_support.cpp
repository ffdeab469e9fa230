#include "fuzz_support.hpp"

#include "store/store.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <system_error>

namespace lorsync::fuzz {

namespace {

void remove_scratch_dir();

std::filesystem::path make_scratch_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/lorsync-fuzz-XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    std::perror("lorsync fuzz: mkdtemp");
    std::abort();
  }
  std::filesystem::path dir = pattern;
  for (const char* sub : {"home", "config", "data", "cache", "state", "runtime"})
    std::filesystem::create_directories(dir / sub);
  // Nothing a target runs may see the user's HOME, config or plan; git commits need an author.
  ::setenv("HOME", (dir / "home").c_str(), 1);
  ::setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
  ::setenv("XDG_DATA_HOME", (dir / "data").c_str(), 1);
  ::setenv("XDG_CACHE_HOME", (dir / "cache").c_str(), 1);
  ::setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1);
  ::setenv("XDG_RUNTIME_DIR", (dir / "runtime").c_str(), 1);
  ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  ::setenv("GIT_AUTHOR_NAME", "Fuzz", 1);
  ::setenv("GIT_AUTHOR_EMAIL", "fuzz@example.invalid", 1);
  ::setenv("GIT_COMMITTER_NAME", "Fuzz", 1);
  ::setenv("GIT_COMMITTER_EMAIL", "fuzz@example.invalid", 1);
  ::setenv("LORSYNC_DEVICE", "fuzz", 1);
  spdlog::set_level(spdlog::level::off);  // a log line per input would be most of the time spent
  std::atexit(remove_scratch_dir);
  return dir;
}

void remove_scratch_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_dir(), ignored);
}

}  // namespace

const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = make_scratch_dir();
  return dir;
}

std::filesystem::path sample_plan(const std::string& name) {
  std::filesystem::path root = scratch_dir() / name;
  InitOptions init;
  init.sample = true;
  init.today = *parse_date("2026-08-15");  // the day the sample is written for: its dates stay as they are
  init.store.device = "fuzz";
  auto made = Store::init(root, init);
  if (!made) {
    std::fprintf(stderr, "lorsync fuzz: cannot make the sample plan at %s: %s\n", root.c_str(),
                 made.error().message.c_str());
    std::abort();
  }
  return root;
}

void invariant_broken(const char* what, std::string_view detail) {
  constexpr size_t kShown = 2000;
  std::fprintf(stderr, "\n== lorsync fuzz: invariant broken: %s\n", what);
  if (!detail.empty())
    std::fprintf(stderr, "%.*s%s\n", static_cast<int>(std::min(detail.size(), kShown)), detail.data(),
                 detail.size() > kShown ? "\n[...]" : "");
  std::fflush(stderr);
  __builtin_trap();
}

std::optional<PlanFile> plan_file_at(std::string_view path) {
  if (path == "plan.yaml") return PlanFile{DocumentKind::plan, "plan.yaml", ""};
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || !path.ends_with(".md")) return std::nullopt;
  auto kind = parse_kind(path.substr(0, slash));
  if (!kind || path.substr(0, slash) != kind_folder(*kind)) return std::nullopt;
  std::string_view id = path.substr(slash + 1, path.size() - slash - 1 - 3);
  if (id.empty() || id.find('/') != std::string_view::npos) return std::nullopt;
  return PlanFile{document_kind(*kind), std::string(path), std::string(id)};
}

FirstLine split_first_line(std::string_view input) {
  size_t end = input.find('\n');
  if (end == std::string_view::npos) return {input, {}, false};
  return {input.substr(0, end), input.substr(end + 1), true};
}

}  // namespace lorsync::fuzz
