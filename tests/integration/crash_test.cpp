// Kills a writer at random moments and checks, with the git CLI as an outside
// judge, that the repository is sound and no acknowledged change is lost.
#include <catch2/catch.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <sstream>

using namespace lorsync::test;
namespace fs = std::filesystem;

namespace {

// Starts the mutator, lets it run for `run_for`, SIGKILLs it, and returns the commits it reported done.
std::vector<std::string> run_and_kill(const fs::path& plan, std::chrono::milliseconds run_for) {
  int out_pipe[2];
  REQUIRE(pipe2(out_pipe, O_CLOEXEC) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    std::vector<std::string> env = test_environment({});
    std::vector<char*> env_ptrs;
    for (auto& item : env) env_ptrs.push_back(item.data());
    env_ptrs.push_back(nullptr);
    std::string binary = LORSYNC_MUTATOR, plan_arg = plan.string(), count = "300";
    char* args[] = {binary.data(), plan_arg.data(), count.data(), nullptr};
    execve(args[0], args, env_ptrs.data());
    _exit(127);
  }
  close(out_pipe[1]);
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + run_for;
  bool exited = false;
  while (!exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd fd{out_pipe[0], POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) > 0) {
      char buffer[4096];
      ssize_t n = read(out_pipe[0], buffer, sizeof buffer);
      if (n <= 0) exited = true;
      else output.append(buffer, static_cast<size_t>(n));
    }
  }
  kill(pid, SIGKILL);
  char buffer[4096];
  ssize_t n;
  while ((n = read(out_pipe[0], buffer, sizeof buffer)) > 0) output.append(buffer, static_cast<size_t>(n));
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::vector<std::string> done;
  std::istringstream lines(output);
  std::string word, commit;
  while (lines >> word >> commit)
    if (word == "done") done.push_back(commit);
  return done;
}

}  // namespace

TEST_CASE("SIGKILL at random moments loses no acknowledged change and leaves a sound repository") {
  TempDir dir;
  fs::path plan = dir / "plan";
  REQUIRE(run_process({LORSYNC_BINARY, "init", "--sample", plan.string()}).exit_code == 0);
  std::mt19937 random(20261128);
  std::uniform_int_distribution<int> moment_ms(5, 900);
  std::vector<std::string> acknowledged;
  for (int round = 0; round < 20; ++round) {
    INFO("round " << round);
    auto done = run_and_kill(plan, std::chrono::milliseconds(moment_ms(random)));
    acknowledged.insert(acknowledged.end(), done.begin(), done.end());

    ProcessResult fsck = run_process({"git", "-C", plan.string(), "fsck", "--full", "--no-dangling"});
    INFO(fsck.out << fsck.err);
    REQUIRE(fsck.exit_code == 0);

    TempDir head_copy;
    REQUIRE(run_process({"git", "clone", "-q", plan.string(), (head_copy / "plan").string()}).exit_code == 0);
    ProcessResult validate = run_process({LORSYNC_BINARY, "--plan", (head_copy / "plan").string(), "validate"});
    INFO(validate.out << validate.err);
    REQUIRE(validate.exit_code == 0);

    std::string history = run_process({"git", "-C", plan.string(), "rev-list", "HEAD"}).out;
    for (const auto& commit : done) {
      INFO("acknowledged commit " << commit);
      CHECK(history.find(commit) != std::string::npos);
    }
  }
  CHECK(acknowledged.size() > 20);  // the writer got work done between kills
  // The plan still takes changes after all that.
  ProcessResult after = run_process({LORSYNC_BINARY, "--plan", plan.string(), "record", "delgado-consult", "agreed"});
  INFO(after.err);
  CHECK(after.exit_code == 0);
  CHECK(run_process({"git", "-C", plan.string(), "fsck", "--full"}).exit_code == 0);
  std::string status = run_process({"git", "-C", plan.string(), "status", "--porcelain", "--untracked-files=all"}).out;
  CHECK_THAT(status, !Catch::Contains(".tmp"));  // a killed write's temp file is cleaned up
}
