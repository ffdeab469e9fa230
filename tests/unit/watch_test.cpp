// watch/: the inotify watcher over a real plan folder in a temp dir — a file written in it is seen, a burst of
// writes settles into one callback after the debounce, lorsync's own temp and lock files and git's bookkeeping
// are not changes, a folder made after start is watched, and stop() ends the callbacks.
#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"
#include "watch/watcher.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

using namespace lorsync;
using namespace lorsync::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Watched {
  TempDir dir;
  boost::asio::io_context io;
  std::vector<Clock::time_point> calls;
  std::shared_ptr<watch::Watcher> watcher;

  explicit Watched(std::chrono::milliseconds debounce, bool make_folders = true) {
    if (make_folders) {
      fs::create_directories(dir / "letters");
      fs::create_directories(dir / ".git/refs/heads");
    }
    auto started = watch::Watcher::start(io, dir.path(), debounce, [this] { calls.push_back(Clock::now()); });
    REQUIRE(started.ok());
    watcher = started.value();
  }
  ~Watched() {
    watcher->stop();
    io.run_for(50ms);
  }
  // Runs the I/O thread for `time` while `act` runs on this test's own thread.
  template <class Act>
  void run_while(std::chrono::milliseconds time, Act act) {
    std::thread actor(act);
    io.run_for(time);
    actor.join();
    io.restart();
  }
};

}  // namespace

TEST_CASE("a file written in the plan is seen once it has settled for the debounce time") {
  Watched w(100ms);
  Clock::time_point written;
  w.run_while(800ms, [&] {
    std::this_thread::sleep_for(50ms);
    write_file(w.dir / "letters/ana.md", "---\nwriter: ana\n---\n");
    written = Clock::now();
  });
  REQUIRE(w.calls.size() == 1);
  CHECK(w.calls[0] - written >= 100ms);
}

TEST_CASE("a burst of writes settles into one callback after the last of them") {
  Watched w(300ms);
  Clock::time_point last_write;
  w.run_while(2000ms, [&] {
    for (int i = 0; i < 8; ++i) {
      write_file(w.dir / "plan.yaml", "cycle: " + std::to_string(2027 + i) + "\n");
      fs::rename(w.dir / "plan.yaml", w.dir / "letters/moved.md");  // an editor's write-rename dance
      fs::rename(w.dir / "letters/moved.md", w.dir / "plan.yaml");
      last_write = Clock::now();
      std::this_thread::sleep_for(30ms);  // far closer together than the debounce
    }
  });
  REQUIRE(w.calls.size() == 1);
  CHECK(w.calls[0] - last_write >= 300ms);
}

TEST_CASE("lorsync's temp files, lock files and git's own bookkeeping are not changes, but HEAD and branch refs are") {
  Watched w(50ms);
  w.run_while(500ms, [&] {
    write_file(w.dir / "letters/.lorsync-tmp-ana.md", "partial");
    write_file(w.dir / "plan.yaml.lock", "");
    write_file(w.dir / ".git/index", "bookkeeping");
    write_file(w.dir / ".git/ORIG_HEAD", "bookkeeping");
  });
  CHECK(w.calls.empty());
  w.run_while(500ms, [&] { write_file(w.dir / ".git/refs/heads/main", "0123\n"); });
  CHECK(w.calls.size() == 1);
  w.run_while(500ms, [&] { write_file(w.dir / ".git/HEAD", "ref: refs/heads/main\n"); });
  CHECK(w.calls.size() == 2);
}

TEST_CASE("a plan folder made after the watcher started is watched too") {
  Watched w(50ms, false);
  w.run_while(500ms, [&] { fs::create_directories(w.dir / "writers"); });
  CHECK(w.calls.size() == 1);  // the new folder is a change in itself
  w.run_while(500ms, [&] { write_file(w.dir / "writers/lee.md", "---\nname: Dr. Lee\n---\n"); });
  CHECK(w.calls.size() == 2);  // and what is written in it is seen
}

TEST_CASE("after stop() nothing more is called back") {
  Watched w(50ms);
  w.watcher->stop();
  w.run_while(400ms, [&] {
    std::this_thread::sleep_for(50ms);
    write_file(w.dir / "letters/ana.md", "x");
  });
  CHECK(w.calls.empty());
}

TEST_CASE("a file rewritten without pause is reported within the longest wait, not held back forever") {
  Watched w(500ms);
  Clock::time_point first;
  std::atomic<bool> done{false};
  w.run_while(3200ms, [&] {
    first = Clock::now();
    while (Clock::now() - first < 3s) {
      write_file(w.dir / "letters/log.md", "tick");
      std::this_thread::sleep_for(20ms);  // far closer together than the debounce
    }
    done = true;
  });
  REQUIRE(done);
  REQUIRE_FALSE(w.calls.empty());
  CHECK(w.calls[0] - first < 2500ms);  // the watcher waits at most 2 s after the first change
}
