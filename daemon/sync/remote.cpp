#include "sync/remote.hpp"

#include "common/text.hpp"
#include "store/plan_location.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <vector>

namespace lorsync {
namespace fs = std::filesystem;

namespace {

// One fetch or push, as its callbacks see it. libgit2 calls the credential callback again after each
// refusal, so each way is offered once and then the callback gives up instead of looping.
struct TransferState {
  bool tried_agent = false;
  size_t next_key = 0;
  bool tried_token = false;
  std::string refused;    // why no more credentials can be offered, for the error
  std::string rejection;  // what the remote said when it refused our reference ("pre-receive hook declined")
  const std::atomic<bool>* cancel = nullptr;  // set: stop the transfer (the daemon is stopping)
  // The remote answered: it asked for credentials, sent progress or data. A network failure after
  // that is the server's doing (it refused or hung up), not a sign of being offline.
  bool heard_from_remote = false;
};

// Every callback libgit2 makes once the remote has answered passes through here.
bool cancelled(void* payload) {
  auto& state = *static_cast<TransferState*>(payload);
  state.heard_from_remote = true;
  return state.cancel && state.cancel->load();
}

int check_cancel(const git_indexer_progress*, void* payload) { return cancelled(payload) ? -1 : 0; }
int check_cancel_sideband(const char*, int, void* payload) { return cancelled(payload) ? -1 : 0; }
int check_cancel_push(unsigned int, unsigned int, size_t, void* payload) { return cancelled(payload) ? -1 : 0; }

const std::string kNotARepository = "the remote is not a git repository, or it does not exist: ";
const std::string kUnreachable = "cannot reach the remote (offline, or the server is down): ";

fs::path home_dir() {
  const char* home = std::getenv("HOME");
  return home && *home ? fs::path(home) : fs::path(".");
}

// The token for https remotes, or nullopt; a token file others can read is refused (and said why).
std::optional<std::string> https_token(std::string& refused) {
  if (const char* token = std::getenv("LORSYNC_GIT_TOKEN"); token && *token) return std::string(token);
  fs::path path = git_token_path();
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  if ((status.st_mode & 077) != 0) {
    refused = path.string() + " can be read by other users; run `chmod 600 " + path.string() + "`";
    return std::nullopt;
  }
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  token = std::string(trim(token));
  if (token.empty()) return std::nullopt;
  return token;
}

int offer_credentials(git_credential** out, const char* url, const char* username_from_url, unsigned int allowed,
                      void* payload) {
  auto& state = *static_cast<TransferState*>(payload);
  const char* user = username_from_url && *username_from_url ? username_from_url : "git";
  if (cancelled(payload)) return GIT_EUSER;
  // ssh asks for the user name alone first (a URL without one), then for a way to authenticate as them.
  if (allowed & GIT_CREDENTIAL_USERNAME) return git_credential_username_new(out, user);
  if (allowed & GIT_CREDENTIAL_SSH_KEY) {
    if (!state.tried_agent) {
      state.tried_agent = true;
      if (std::getenv("SSH_AUTH_SOCK") && git_credential_ssh_key_from_agent(out, user) == 0) return 0;
    }
    static const char* const kKeys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
    while (state.next_key < std::size(kKeys)) {
      fs::path key = home_dir() / ".ssh" / kKeys[state.next_key++];
      std::error_code ec;
      if (!fs::exists(key, ec)) continue;
      fs::path pub = key;
      pub += ".pub";
      if (git_credential_ssh_key_new(out, user, fs::exists(pub, ec) ? pub.c_str() : nullptr, key.c_str(), nullptr) == 0)
        return 0;
    }
    state.refused = "no ssh key was accepted (tried the ssh agent and ~/.ssh/id_ed25519, id_ecdsa, id_rsa)";
  }
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && !state.tried_token) {
    state.tried_token = true;
    if (auto token = https_token(state.refused)) {
      // Hosts take a personal access token as the password; the user name is what the URL says, else any.
      const char* name = username_from_url && *username_from_url ? username_from_url : "lorsync";
      return git_credential_userpass_plaintext_new(out, name, token->c_str());
    }
    if (state.refused.empty())
      state.refused = "the remote wants a password: put an access token in $LORSYNC_GIT_TOKEN or in " +
                      git_token_path().string() + " (mode 600)";
  }
  if (state.refused.empty()) state.refused = std::string("the remote ") + url + " refused every credential offered";
  git_error_set_str(GIT_ERROR_NET, state.refused.c_str());
  return GIT_EAUTH;
}

int note_rejection(const char* reference, const char* status, void* payload) {
  static_cast<TransferState*>(payload)->heard_from_remote = true;
  if (status) static_cast<TransferState*>(payload)->rejection = std::string(reference) + ": " + status;
  return 0;
}

// The callbacks every fetch and push uses: credentials, cancellation, the remote's refusals.
git_remote_callbacks transfer_callbacks(TransferState& state) {
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = offer_credentials;
  callbacks.transfer_progress = check_cancel;
  callbacks.push_transfer_progress = check_cancel_push;
  callbacks.sideband_progress = check_cancel_sideband;
  callbacks.push_update_reference = note_rejection;
  callbacks.payload = &state;
  return callbacks;
}

// The folder a remote URL names, chosen as libgit2 chooses its local transport: a file:// URL, or a path to
// a folder that exists. nullopt for a network remote.
std::optional<fs::path> local_folder(const std::string& url) {
  const std::string scheme = "file://";
  if (!url.starts_with(scheme)) {
    std::error_code ec;
    if (url.find("://") == std::string::npos && fs::is_directory(url, ec)) return fs::path(url);
    return std::nullopt;
  }
  std::string path = url.substr(scheme.size());
  if (path.starts_with("localhost/")) path.erase(0, std::string("localhost").size());
  std::string decoded;  // a URL spells a space in a folder's name %20
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && std::isxdigit(static_cast<unsigned char>(path[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(path[i + 2]))) {
      decoded += static_cast<char>(std::stoi(path.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += path[i];
    }
  }
  return fs::path(decoded);
}

Error remote_error(RemoteFailure failure, std::string message) {
  Error error = make_error(ErrorCode::remote, std::move(message));
  error.remote_failure = failure;
  return error;
}

// A URL libgit2 would fail on before connecting anywhere, told apart here: libgit2 reports a folder that does
// not exist and a scheme it lacks alike, as an unsupported protocol. nullopt: worth a transfer.
std::optional<Error> unusable_url(const std::string& url, const std::string& doing) {
  const Error no_folder =
      remote_error(RemoteFailure::not_found, doing + " " + url + " failed: " + kNotARepository + "no such folder");
  if (auto folder = local_folder(url)) {
    std::error_code ec;
    if (fs::is_directory(*folder, ec)) return std::nullopt;
    return no_folder;
  }
  const size_t scheme_end = url.find("://");
  const size_t colon = url.find(':');
  const bool scp_like = scheme_end == std::string::npos && colon != std::string::npos && url.find('/') > colon;
  if (scheme_end == std::string::npos && !scp_like) return no_folder;
  if (scheme_end == std::string::npos) return std::nullopt;
  static const char* const kSchemes[] = {"ssh", "ssh+git", "git+ssh", "https", "http", "git"};
  const std::string scheme = url.substr(0, scheme_end);
  for (const char* supported : kSchemes)
    if (scheme == supported) return std::nullopt;
  return remote_error(RemoteFailure::unsupported_url,
                      doing + " " + url + " failed: lorsync cannot use this kind of URL (use ssh://, git@host:path, "
                                          "https://, git:// or a folder)");
}

// What failed, from libgit2's return code and the class of its last error: the codes name the failures
// libgit2 tells apart itself, the class says which part of it gave up (the network, the object database...).
// A system call failing on a local folder (permissions, a full disk) is no sign of being offline, and
// neither is a network failure once the remote has answered, nor a connection it closed (GIT_EEOF).
RemoteFailure classify(int rc, const git_error* last, bool stopping, bool local, bool heard_from_remote) {
  if (stopping) return RemoteFailure::cancelled;
  switch (rc) {
    case GIT_EAUTH: return RemoteFailure::auth;
    case GIT_ECERTIFICATE: return RemoteFailure::certificate;
    case GIT_ENOTFOUND: return RemoteFailure::not_found;
    case GIT_EEOF: return RemoteFailure::other;
    default: break;
  }
  switch (last ? last->klass : GIT_ERROR_NONE) {
    case GIT_ERROR_NET:
    case GIT_ERROR_SSH:
    case GIT_ERROR_OS:
      return local || heard_from_remote ? RemoteFailure::other : RemoteFailure::unreachable;
    case GIT_ERROR_REPOSITORY:
      return RemoteFailure::not_found;
    case GIT_ERROR_ODB:
    case GIT_ERROR_ZLIB:
    case GIT_ERROR_INDEXER:
    case GIT_ERROR_OBJECT:
      return RemoteFailure::damaged;
    default:
      return RemoteFailure::other;
  }
}

// A failed fetch or push, classified and said so that a user knows what to do.
Error remote_failure(int rc, const std::string& url, const std::string& doing, const TransferState& state) {
  const git_error* last = git_error_last();
  const std::string detail = last && last->message ? last->message : "error " + std::to_string(rc);
  const RemoteFailure failure = classify(rc, last, state.cancel && state.cancel->load(), local_folder(url).has_value(),
                                          state.heard_from_remote);
  std::string plain;
  switch (failure) {
    case RemoteFailure::unreachable: plain = kUnreachable + detail; break;
    case RemoteFailure::auth: plain = "the remote refused our credentials: " + detail; break;
    case RemoteFailure::certificate: plain = "the remote's certificate or host key is not trusted: " + detail; break;
    case RemoteFailure::not_found: plain = kNotARepository + detail; break;
    case RemoteFailure::damaged: plain = "the remote sent data that is damaged or incomplete: " + detail; break;
    case RemoteFailure::cancelled: plain = "stopped, as lorsyncd is stopping"; break;
    default: plain = detail; break;
  }
  return remote_error(failure, doing + " " + url + " failed: " + plain);
}

// `git init --bare` names `master` as HEAD (git's old default) while lorsync pushes `main`, and `git clone`
// of such a remote then checks out nothing ("remote HEAD refers to nonexistent ref"). So a bare folder whose
// HEAD names a branch that does not exist gets HEAD pointed at the branch lorsync pushes. A HEAD naming a
// branch that exists is its owner's choice and stays. A network remote's HEAD cannot be set through git's
// protocol (hosts such as GitHub let the first push to an empty repository choose it).
Status point_unborn_head_at(const std::string& url, const std::string& branch) {
  auto folder = local_folder(url);
  if (!folder) return Ok{};
  git_repository* raw = nullptr;
  if (int rc = git_repository_open_ext(&raw, folder->c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr); rc < 0)
    return git::failure(rc, "cannot open the remote " + url + " to check its HEAD");
  git::Repository remote(raw);
  if (!git_repository_is_bare(remote.get())) return Ok{};  // its HEAD is what its work tree has checked out
  int unborn = git_repository_head_unborn(remote.get());
  if (unborn < 0) return git::failure(unborn, "cannot read the HEAD of the remote " + url);
  if (unborn == 0) return Ok{};
  const std::string target = "refs/heads/" + branch;
  if (int rc = git_repository_set_head(remote.get(), target.c_str()); rc < 0)
    return git::failure(rc, "cannot point the HEAD of the remote " + url + " at " + branch +
                                " (a `git clone` of it checks out nothing until then)");
  spdlog::info("pointed the HEAD of {} at {}, which it lacked", url, branch);
  return Ok{};
}

}  // namespace

Error no_remote_error() {
  return make_error(ErrorCode::not_found, "this plan has no remote yet; set one with `lorsync remote URL`");
}

fs::path git_token_path() { return config_dir() / "git-token"; }

Result<Remote> Remote::open(const fs::path& plan_root) {
  git_repository* raw = nullptr;
  if (int rc = git_repository_open_ext(&raw, plan_root.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr); rc < 0)
    return git::failure(rc, "cannot open the repository at " + plan_root.string());
  return Remote(git::Repository(raw));
}

// origin is used as an in-memory remote made from its URL, with the refspecs given at each fetch and push,
// rather than looked up by name: libgit2 1.5 finds a named remote's settings by matching every config entry
// against a regular expression, and leaks memory on each entry that does not match (20 kB with pcre2),
// which a daemon syncing every few minutes cannot afford.
Result<git::Remote> Remote::origin() {
  auto url = origin_url();
  if (!url) return url.take_error();
  if (!*url) return no_remote_error();
  git_remote_create_options options = GIT_REMOTE_CREATE_OPTIONS_INIT;
  options.repository = repo_.get();
  options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  if (int rc = git_remote_create_with_opts(&raw, (*url)->c_str(), &options); rc < 0)
    return git::failure(rc, "cannot use the remote " + **url);
  return git::Remote(raw);
}

Result<std::optional<std::string>> Remote::origin_url() {
  git_config* raw = nullptr;
  if (int rc = git_repository_config_snapshot(&raw, repo_.get()); rc < 0) return git::failure(rc, "cannot read .git/config");
  git::Config config(raw);
  const char* url = nullptr;
  int rc = git_config_get_string(&url, config.get(), "remote.origin.url");
  if (rc == GIT_ENOTFOUND) return std::optional<std::string>();
  if (rc < 0) return git::failure(rc, "cannot read the remote origin");
  return std::optional<std::string>(url);
}

Status Remote::set_origin(const std::string& url) {
  if (trim(url).empty()) return make_error(ErrorCode::usage, "the remote URL is empty");
  auto current = origin_url();
  if (!current) return current.take_error();
  // Written to .git/config as `git remote add` would (see origin() for why not through git_remote_create).
  git_config* raw = nullptr;
  int rc = git_repository_config(&raw, repo_.get());
  git::Config config(raw);
  if (rc == 0) rc = git_config_set_string(config.get(), "remote.origin.url", url.c_str());
  if (rc == 0 && !*current) rc = git_config_set_string(config.get(), "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*");
  if (rc < 0) return git::failure(rc, "cannot set the remote origin to " + url);
  // The branch's upstream, as `git clone` sets it, so that a plain `git pull` knows what to merge (lorsync names
  // the branch each time). One the user chose stays; a HEAD on no branch has nothing to set.
  auto name = branch();
  if (!name) return Ok{};
  const std::string upstream_remote = "branch." + *name + ".remote";
  git_config_entry* raw_entry = nullptr;
  rc = git_config_get_entry(&raw_entry, config.get(), upstream_remote.c_str());
  git::ConfigEntry entry(raw_entry);
  if (rc == GIT_ENOTFOUND) {
    rc = git_config_set_string(config.get(), upstream_remote.c_str(), "origin");
    if (rc == 0) rc = git_config_set_string(config.get(), ("branch." + *name + ".merge").c_str(), ("refs/heads/" + *name).c_str());
  }
  if (rc < 0) return git::failure(rc, "cannot make origin's " + *name + " the upstream of " + *name);
  return Ok{};
}

Result<std::string> Remote::branch() {
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, repo_.get(), "HEAD");
  if (rc < 0) return git::failure(rc, "cannot read HEAD");
  git::Reference head(raw);
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC)
    return make_error(ErrorCode::usage, "HEAD is detached; check out the plan's branch (`git switch main`) to sync");
  std::string target = git_reference_symbolic_target(head.get());
  const std::string prefix = "refs/heads/";
  if (!target.starts_with(prefix)) return make_error(ErrorCode::usage, "HEAD is not on a branch");
  return target.substr(prefix.size());
}

Result<std::optional<std::string>> Remote::tip_of(const std::string& reference) {
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, repo_.get(), reference.c_str());
  if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) return std::optional<std::string>();
  if (rc < 0) return git::failure(rc, "cannot read " + reference);
  return std::optional<std::string>(git::oid_hex(oid));
}

Result<PlanLock> Remote::lock_for_sync(std::chrono::milliseconds patience) {
  fs::path root = git_repository_workdir(repo_.get());
  auto lock = PlanLock::acquire(root, patience, "sync-lock");
  if (!lock || !lock->predecessor_crashed()) return lock;
  fs::path git_dir = git_repository_path(repo_.get());
  std::error_code ec;
  for (const auto& stale : {git_dir / "FETCH_HEAD.lock", git_dir / "packed-refs.lock"}) fs::remove(stale, ec);
  for (const auto& entry : fs::recursive_directory_iterator(git_dir / "refs" / "remotes", ec))
    if (entry.path().extension() == ".lock" && fs::remove(entry.path(), ec))
      spdlog::info("removed {} left by a sync that was killed", entry.path().filename().string());
  return lock;
}

Result<std::pair<size_t, size_t>> Remote::ahead_behind() {
  auto name = branch();
  if (!name) return name.take_error();
  git_oid local, upstream;
  int rc = git_reference_name_to_id(&local, repo_.get(), ("refs/heads/" + *name).c_str());
  if (rc == GIT_ENOTFOUND) return std::pair<size_t, size_t>{0, 0};
  if (rc < 0) return git::failure(rc, "cannot read the branch");
  rc = git_reference_name_to_id(&upstream, repo_.get(), ("refs/remotes/origin/" + *name).c_str());
  size_t ahead = 0, behind = 0;
  if (rc == GIT_ENOTFOUND) {
    // Nothing pushed yet: every commit is ahead.
    git_revwalk* raw = nullptr;
    if ((rc = git_revwalk_new(&raw, repo_.get())) < 0) return git::failure(rc, "cannot walk history");
    git::RevWalk walk(raw);
    git_revwalk_push(walk.get(), &local);
    git_oid oid;
    while (git_revwalk_next(&oid, walk.get()) == 0) ++ahead;
    return std::pair<size_t, size_t>{ahead, 0};
  }
  if (rc < 0) return git::failure(rc, "cannot read origin's branch");
  if ((rc = git_graph_ahead_behind(&ahead, &behind, repo_.get(), &local, &upstream)) < 0)
    return git::failure(rc, "cannot compare the branch with origin's");
  return std::pair<size_t, size_t>{ahead, behind};
}

Result<std::optional<std::string>> Remote::fetch() {
  auto remote = origin();
  if (!remote) return remote.take_error();
  auto name = branch();
  if (!name) return name.take_error();
  const std::string url = git_remote_url(remote->get());
  if (auto unusable = unusable_url(url, "fetching from")) return *unusable;
  TransferState state;
  state.cancel = cancel_;
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.callbacks = transfer_callbacks(state);
  options.prune = GIT_FETCH_NO_PRUNE;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  std::string refspec = "+refs/heads/" + *name + ":refs/remotes/origin/" + *name;
  char* specs[] = {refspec.data()};
  git_strarray refspecs{specs, 1};
  if (int rc = git_remote_fetch(remote->get(), &refspecs, &options, "lorsync: fetch"); rc < 0)
    return remote_failure(rc, url, "fetching from", state);
  // A remote that no longer has the branch (emptied, replaced by a new repository) must be pushed to again,
  // so the tracking ref a fetch without pruning leaves behind is dropped.
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  bool has_branch = false;
  const std::string wanted = "refs/heads/" + *name;
  if (git_remote_ls(&heads, &count, remote->get()) == 0)
    for (size_t i = 0; i < count; ++i) has_branch = has_branch || wanted == heads[i]->name;
  const std::string tracking = "refs/remotes/origin/" + *name;
  if (!has_branch) {
    git_reference* raw = nullptr;
    if (git_reference_lookup(&raw, repo_.get(), tracking.c_str()) == 0) {
      git::Reference stale(raw);
      if (int rc = git_reference_delete(stale.get()); rc < 0) return git::failure(rc, "cannot drop " + tracking);
    }
    return std::optional<std::string>();
  }
  return tip_of(tracking);
}

Result<PushOutcome> Remote::push() {
  auto remote = origin();
  if (!remote) return remote.take_error();
  auto name = branch();
  if (!name) return name.take_error();
  const std::string url = git_remote_url(remote->get());
  auto local = tip_of("refs/heads/" + *name);
  if (!local) return local.take_error();
  auto known_remote = tip_of("refs/remotes/origin/" + *name);
  if (!known_remote) return known_remote.take_error();
  if (*local && *known_remote == *local) {
    // Also with nothing to send: a folder an older lorsync pushed to is put right, and a failure is retried.
    if (Status head = point_unborn_head_at(url, *name); !head) return head.take_error();
    return PushOutcome::up_to_date;
  }

  if (auto unusable = unusable_url(url, "pushing to")) return *unusable;
  TransferState state;
  state.cancel = cancel_;
  git_push_options options = GIT_PUSH_OPTIONS_INIT;
  options.callbacks = transfer_callbacks(state);
  // No '+': a push the remote cannot fast-forward is refused by the remote, never forced.
  std::string refspec = "refs/heads/" + *name + ":refs/heads/" + *name;
  char* specs[] = {refspec.data()};
  git_strarray refspecs{specs, 1};
  int rc = git_remote_push(remote->get(), &refspecs, &options);
  // libgit2 checks, over any transport, that origin's branch as it advertised it is in our history.
  if (rc == GIT_ENONFASTFORWARD) return PushOutcome::rejected_not_fast_forward;
  if (rc < 0) return remote_failure(rc, url, "pushing to", state);
  // An in-memory remote has no fetch refspec for libgit2 to update origin's tracking ref by: done here,
  // after the remote took the push.
  if (state.rejection.empty() && *local) {
    git_oid pushed;
    git_reference* raw = nullptr;
    int rc = git_oid_fromstr(&pushed, (*local)->c_str());
    if (rc == 0) rc = git_reference_create(&raw, repo_.get(), ("refs/remotes/origin/" + *name).c_str(), &pushed, 1, "lorsync: push");
    git::Reference tracking(raw);
    if (rc < 0) return git::failure(rc, "pushed, but cannot record origin's new position");
  }
  if (!state.rejection.empty()) {
    // A push that would drop origin's commits libgit2 refuses itself, before sending (GIT_ENONFASTFORWARD,
    // above). One the remote refused after that is reported in its own words (a hook, a lock, another
    // device's push in the same instant); the next round tries again.
    std::string advice;
    if (size_t lock = state.rejection.find(".lock'"); lock != std::string::npos) {
      size_t start = state.rejection.rfind('\'', lock);
      advice = "; a push to it is under way or was interrupted: if no other device is syncing now, delete " +
               state.rejection.substr(start + 1, lock + 5 - start - 1);
    }
    return remote_error(RemoteFailure::rejected, "the remote " + url + " refused the push (" + state.rejection + ")" + advice);
  }
  if (Status head = point_unborn_head_at(url, *name); !head) return head.take_error();
  return PushOutcome::pushed;
}

}  // namespace lorsync
