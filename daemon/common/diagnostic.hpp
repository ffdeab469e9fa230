// common/diagnostic: one problem found in a plan file, located by path, line,
// column and field, and the error value that carries diagnostics across layers.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lorsync {

struct SourceRef {
  std::string path;   // relative to the plan root, e.g. "letters/lee.md"
  int line = 0;       // 1-based; 0 when the problem concerns the whole file
  int column = 0;     // 1-based; 0 when unknown
  std::string field;  // dotted path inside the front matter, e.g. "relationship.weeks"
};

struct Diagnostic {
  SourceRef where;
  std::string message;
};

// "path:line:col: field: message", the one format every tool prints.
std::string format_diagnostic(const Diagnostic& diagnostic);
// The one wire form, for the API, sync reports and every --json: {path, line, column, field, message, text},
// text being format_diagnostic's line. Reading back ignores text and takes missing members as empty.
void to_json(nlohmann::json& out, const Diagnostic& diagnostic);
void from_json(const nlohmann::json& in, Diagnostic& diagnostic);

enum class ErrorCode {
  usage,          // the request itself is wrong (unknown kind, bad id, bad key=value)
  invalid_plan,   // the plan (or the plan after the change) does not validate
  not_found,      // no such entity or plan
  conflict,       // the entity changed since the revision the caller saw
  exists,         // the entity or plan already exists
  locked,         // another writer holds the plan
  io,             // the file system failed
  git,            // libgit2 failed
  no_author,      // git has no user.name / user.email
  remote,         // the sync remote could not be reached, refused us, or sent something unusable
};

const char* error_code_name(ErrorCode code);

// Why the sync remote failed (an ErrorCode::remote error), decided where the failure happens, from what git
// and the transport said rather than from message text: whoever shows it or acts on it (retry quietly while
// offline, ask the user for credentials) reads it from here.
enum class RemoteFailure {
  none,             // not a remote failure
  unreachable,      // no connection: offline, server down, name not resolved, timed out
  auth,             // the remote refused our credentials, or none could be offered
  certificate,      // the server's certificate or host key is not trusted
  not_found,        // no git repository at the URL (a missing folder, a folder that is not one)
  unsupported_url,  // not a kind of URL lorsync can use
  rejected,         // the remote refused the push (a hook, a lock, a protected branch)
  kept_moving,      // every push lost the race to another device's; the next round pushes
  damaged,          // the remote sent data that is corrupt or incomplete
  cancelled,        // the daemon stopped the transfer
  other,            // a failure of git's that fits none of the above
};

const char* remote_failure_name(RemoteFailure failure);
// The failure a name stands for (as another lorsync wrote it); nullopt for a name that is none.
std::optional<RemoteFailure> remote_failure_named(std::string_view name);

struct Error {
  ErrorCode code;
  std::string message;
  std::vector<Diagnostic> diagnostics;
  RemoteFailure remote_failure = RemoteFailure::none;
};

// A value or an Error; errors are values with context, never exceptions across layers.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const { return std::get<1>(state_); }
  Error&& take_error() { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;

inline Error make_error(ErrorCode code, std::string message, std::vector<Diagnostic> diagnostics = {}) {
  return Error{code, std::move(message), std::move(diagnostics)};
}

}  // namespace lorsync
