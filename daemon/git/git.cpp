#include "git/git.hpp"

#include "common/text.hpp"

namespace lorsync::git {

Error failure(int rc, const std::string& doing) {
  const git_error* last = git_error_last();
  std::string detail = last && last->message ? last->message : "libgit2 error " + std::to_string(rc);
  return make_error(ErrorCode::git, doing + ": " + detail);
}

std::string oid_hex(const git_oid& oid) {
  char buffer[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buffer, sizeof buffer, &oid);
  return buffer;
}

std::string trailer(const std::string& message, std::string_view key) {
  const std::string line_start = "\n" + std::string(key) + ": ";
  size_t at = message.rfind(line_start);
  if (at == std::string::npos) return "";
  size_t start = at + line_start.size();
  size_t end = message.find('\n', start);
  std::string_view value = std::string_view(message).substr(start, end == std::string::npos ? end : end - start);
  if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
  return printable_line(value);
}

}  // namespace lorsync::git
