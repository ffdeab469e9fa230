// scripts/bench must leave no process behind, however a bench ends: the daemon bench starts
// lorsyncd and forks a baseline echo server, and once left that server running for hours after
// the bench had exited. This test process becomes a child subreaper, so that anything the bench
// leaves behind is re-parented to it and can be seen (and reaped).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Every living process below this one, by pid, with the program it runs; zombies are reaped first.
std::map<pid_t, std::string> descendants() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  std::map<pid_t, pid_t> parent;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    pid_t ppid = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) != 2 || state == 'Z') continue;
    parent[std::stoi(name)] = ppid;
  }
  std::map<pid_t, std::string> found;
  std::set<pid_t> frontier = {::getpid()};
  while (!frontier.empty()) {
    std::set<pid_t> next;
    for (const auto& [pid, ppid] : parent) {
      if (!frontier.count(ppid)) continue;
      std::error_code ec;
      found[pid] = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).filename().string();
      next.insert(pid);
    }
    frontier = std::move(next);
  }
  return found;
}

pid_t start_bench() {
  pid_t pid = ::fork();
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::execl(LORSYNC_API_BENCH, LORSYNC_API_BENCH, LORSYNC_BINARY, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Waits until the bench runs both lorsyncd and its echo server (a fork of itself); returns lorsyncd's pid.
pid_t await_daemon_and_echo_server(pid_t bench) {
  const std::string bench_program = fs::path(LORSYNC_API_BENCH).filename().string();
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t daemon = 0;
    bool echo = false;
    for (const auto& [pid, program] : descendants()) {
      if (pid == bench) continue;
      if (program == "lorsyncd") daemon = pid;
      if (program == bench_program) echo = true;
    }
    if (daemon && echo) return daemon;
    std::this_thread::sleep_for(20ms);
  }
  return 0;
}

std::map<pid_t, std::string> left_behind_after(std::chrono::milliseconds grace) {
  auto deadline = std::chrono::steady_clock::now() + grace;
  auto left = descendants();
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    left = descendants();
  }
  return left;
}

std::string describe(const std::map<pid_t, std::string>& processes) {
  std::string text;
  for (const auto& [pid, program] : processes) text += std::to_string(pid) + " " + program + "\n";
  return text;
}

}  // namespace

TEST_CASE("the daemon bench leaves no process behind, however it ends") {
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  REQUIRE(descendants().empty());
  pid_t bench = start_bench();
  REQUIRE(bench > 0);
  pid_t daemon = await_daemon_and_echo_server(bench);
  if (!daemon) ::kill(bench, SIGKILL);
  REQUIRE(daemon);

  int status = 0;
  SECTION("killed with SIGKILL mid-run") {
    REQUIRE(::kill(bench, SIGKILL) == 0);
    REQUIRE(::waitpid(bench, &status, 0) == bench);
    CHECK(WIFSIGNALED(status));
  }
  SECTION("failing mid-run, because lorsyncd went away") {
    REQUIRE(::kill(daemon, SIGKILL) == 0);
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (::waitpid(bench, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    if (std::chrono::steady_clock::now() >= deadline) ::kill(bench, SIGKILL);
    CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));  // a failed bench says so
  }
  auto left = left_behind_after(5s);
  INFO("left behind:\n" << describe(left));
  CHECK(left.empty());
  for (const auto& entry : left) ::kill(entry.first, SIGKILL);
}
