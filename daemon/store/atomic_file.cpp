#include "store/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace lorsync {
namespace {

constexpr const char* kTempMarker = ".lorsync-";

Error io_error(const std::string& doing, const std::filesystem::path& path) {
  return make_error(ErrorCode::io, doing + " " + path.string() + ": " + std::strerror(errno));
}

Status sync_directory(const std::filesystem::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", directory);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("cannot sync", directory);
  return Ok{};
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return make_error(ErrorCode::io, "cannot create " + path.parent_path().string() + ": " + ec.message());
  std::filesystem::path temp = path;
  temp += kTempMarker + std::to_string(::getpid()) + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", temp);
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error error = io_error("cannot write", temp);
      ::close(fd);
      ::unlink(temp.c_str());
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Error error = io_error("cannot sync", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return error;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Error error = io_error("cannot replace", path);
    ::unlink(temp.c_str());
    return error;
  }
  return sync_directory(path.parent_path());
}

Status remove_file_durably(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("cannot remove", path);
  return sync_directory(path.parent_path());
}

void remove_stale_temp_files(const std::filesystem::path& plan_root) {
  std::error_code ec;
  for (const char* folder : {"", "rotations", "writers", "letters", "programs", "packet"}) {
    for (const auto& entry : std::filesystem::directory_iterator(plan_root / folder, ec)) {
      std::string name = entry.path().filename().string();
      if (name.find(kTempMarker) != std::string::npos && name.ends_with(".tmp"))
        std::filesystem::remove(entry.path(), ec);
    }
  }
}

}  // namespace lorsync
