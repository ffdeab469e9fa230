#include "watch/watcher.hpp"

#include "model/document.hpp"
#include "model/plan.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>

namespace lorsync::watch {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr auto kMaxWait = std::chrono::seconds(2);
constexpr uint32_t kFileEvents = IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                                 IN_DELETE_SELF | IN_MOVE_SELF;

class InotifyWatcher : public Watcher, public std::enable_shared_from_this<InotifyWatcher> {
 public:
  InotifyWatcher(asio::io_context& io, int fd, fs::path root, std::chrono::milliseconds debounce, std::function<void()> settled)
      : descriptor_(io, fd), timer_(io), root_(std::move(root)), debounce_(debounce), settled_(std::move(settled)) {}

  // The folders whose changes matter: the plan's, and where git keeps HEAD and the branch refs.
  void watch_all() {
    add(root_);
    for (EntityKind kind : kEntityKinds) add(root_ / kind_folder(kind));
    add(root_ / "packet");
    add(root_ / kTemplatesFolder);
    add(root_ / ".git");
    add(root_ / ".git" / "refs" / "heads");
  }

  void read_next() {
    descriptor_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](boost::system::error_code error, size_t n) {
      if (error) {
        if (error != asio::error::operation_aborted) spdlog::error("watching the plan stopped: {}", error.message());
        return;
      }
      self->on_events(n);
      self->read_next();
    });
  }

  void set_debounce(std::chrono::milliseconds debounce) override {
    asio::post(descriptor_.get_executor(), [self = shared_from_this(), debounce] { self->debounce_ = debounce; });
  }

  void stop() override {
    asio::post(descriptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->timer_.cancel();
      self->descriptor_.close(ignored);
    });
  }

 private:
  void add(const fs::path& folder) {
    int wd = ::inotify_add_watch(descriptor_.native_handle(), folder.c_str(), kFileEvents | IN_ONLYDIR);
    if (wd < 0) {
      if (errno != ENOENT) spdlog::warn("cannot watch {}: {}", folder.string(), std::strerror(errno));
      return;
    }
    folders_[wd] = folder;
  }

  void on_events(size_t n) {
    bool relevant = false;
    for (size_t offset = 0; offset + sizeof(inotify_event) <= n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer_.data() + offset);
      offset += sizeof(inotify_event) + event->len;
      if (event->mask & IN_Q_OVERFLOW) {
        relevant = true;
        continue;
      }
      auto folder = folders_.find(event->wd);
      if (folder == folders_.end()) continue;
      if (event->mask & IN_IGNORED) {
        folders_.erase(folder);
        continue;
      }
      std::string name = event->len ? event->name : "";
      // A plan folder made after start (the first letter of a new plan), or made again.
      if ((event->mask & IN_ISDIR) && (event->mask & (IN_CREATE | IN_MOVED_TO)) && folder->second == root_) {
        add(root_ / name);
        relevant = true;
        continue;
      }
      // Inside .git only HEAD and branch refs tell of a commit; the rest is git's own bookkeeping.
      if (folder->second == root_ / ".git" && name != "HEAD" && name != "packed-refs") continue;
      if (name.ends_with(".lock") || name.find(".lorsync-") != std::string::npos) continue;  // writes in progress
      relevant = true;
    }
    if (!relevant) return;
    // Settle for the debounce time, but never wait more than kMaxWait after the first change: a file
    // rewritten every few milliseconds (a tool's log in the plan folder) must not hold edits back forever.
    auto now = std::chrono::steady_clock::now();
    if (!waiting_since_) waiting_since_ = now;
    auto fire_at = std::min(now + debounce_, *waiting_since_ + kMaxWait);
    timer_.expires_at(fire_at);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (error) return;
      self->waiting_since_.reset();
      self->settled_();
    });
  }

  asio::posix::stream_descriptor descriptor_;
  asio::steady_timer timer_;
  fs::path root_;
  std::chrono::milliseconds debounce_;
  std::function<void()> settled_;
  std::map<int, fs::path> folders_;
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  alignas(inotify_event) std::array<char, 64 * 1024> buffer_{};
};

}  // namespace

Result<std::shared_ptr<Watcher>> Watcher::start(asio::io_context& io, const fs::path& plan_root,
                                                std::chrono::milliseconds debounce, std::function<void()> settled) {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::io, std::string("cannot watch the plan (inotify): ") + std::strerror(errno));
  auto watcher = std::make_shared<InotifyWatcher>(io, fd, plan_root, debounce, std::move(settled));
  watcher->watch_all();
  watcher->read_next();
  return std::shared_ptr<Watcher>(watcher);
}

}  // namespace lorsync::watch
