// tests/support/temp_dir: a private temp folder removed when the test ends, pass or fail.
#pragma once

#include <filesystem>
#include <string>

namespace lorsync::test {

class TempDir {
 public:
  TempDir();
  // Under `parent` instead of the system's temp folder (e.g. /dev/shm, memory, where fsync costs nothing).
  explicit TempDir(const std::filesystem::path& parent);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& relative) const { return path_ / relative; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, const std::string& contents);
std::string read_file(const std::filesystem::path& path);

// A sample plan (as `lorsync init --sample` writes it for 2026-08-15) in `dir`, without git.
void write_sample_plan(const std::filesystem::path& dir);

}  // namespace lorsync::test
