// sync/remote: the plan repository's `origin` over the network (ssh, https,
// git://) or a local path, through libgit2: set it, fetch it, push to it, with
// credentials from the ssh agent, ~/.ssh keys, or a token for https. A failure
// comes back as an ErrorCode::remote Error whose remote_failure says what kind
// it is (decided here, from libgit2's codes and error classes), in plain words
// ("cannot reach the remote ...: failed to connect to 127.0.0.1") because it
// ends up in front of the user. Nothing here touches the work tree.
#pragma once

#include "common/diagnostic.hpp"
#include "git/git.hpp"
#include "store/plan_lock.hpp"

#include <atomic>
#include <chrono>

#include <filesystem>
#include <optional>
#include <string>

namespace lorsync {

enum class PushOutcome { pushed, up_to_date, rejected_not_fast_forward };

class Remote {
 public:
  // Opens the plan's repository (a handle of its own, so a sync thread can use it beside the store's).
  static Result<Remote> open(const std::filesystem::path& plan_root);

  // origin's URL; nullopt when the plan has no origin.
  Result<std::optional<std::string>> origin_url();
  // Creates origin, or points it at `url`; origin's branch becomes our branch's upstream unless it has one.
  Status set_origin(const std::string& url);

  // Fetches origin's branch of the same name as ours; returns its tip (nullopt: origin has no such branch yet).
  Result<std::optional<std::string>> fetch();
  // Pushes our branch to origin. Never forced: a remote that moved on is reported, not overwritten. A bare
  // folder whose HEAD names a branch it lacks (plain `git init --bare`) gets HEAD on ours, so that a
  // `git clone` of it checks the plan out.
  Result<PushOutcome> push();

  // One fetch and push at a time per plan (the daemon and a `lorsync sync` may both try); if the last holder
  // was killed mid-fetch, the git lock files it left on origin's tracking refs are removed first.
  Result<PlanLock> lock_for_sync(std::chrono::milliseconds patience);

  // How many commits our branch has that origin's (as last fetched) lacks, and the other way round.
  Result<std::pair<size_t, size_t>> ahead_behind();

  // Transfers check `flag` and stop when it is set (a daemon stopping does not wait on a stalled network).
  void cancel_when(const std::atomic<bool>* flag) { cancel_ = flag; }

  // Our branch's name ("main") and its tip.
  Result<std::string> branch();
  Result<std::optional<std::string>> tip_of(const std::string& reference);

 private:
  explicit Remote(git::Repository repo) : repo_(std::move(repo)) {}
  Result<git::Remote> origin();
  git::Repository repo_;
  const std::atomic<bool>* cancel_ = nullptr;
};

// not_found: the plan has no origin yet, and how to set one.
Error no_remote_error();

// Where the token for https remotes is read from when $LORSYNC_GIT_TOKEN is not set:
// $XDG_CONFIG_HOME/lorsync/git-token, which must have mode 0600.
std::filesystem::path git_token_path();

}  // namespace lorsync
