#include "support/process.hpp"

#include "support/temp_dir.hpp"

#include <memory>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace lorsync::test {

namespace {
std::unique_ptr<TempDir> home;
}

const std::filesystem::path& test_home() { return home->path(); }

PrivateHome::PrivateHome() {
  home = std::make_unique<TempDir>();
  write_file(home->path() / ".gitconfig",
             "[user]\n\tname = Test Applicant\n\temail = applicant@example.org\n[init]\n\tdefaultBranch = main\n");
  for (const auto& entry : test_environment({})) {
    size_t equals = entry.find('=');
    setenv(entry.substr(0, equals).c_str(), entry.substr(equals + 1).c_str(), 1);
  }
}

PrivateHome::~PrivateHome() { home.reset(); }

std::vector<std::string> test_environment(const std::map<std::string, std::string>& extra_env) {
  std::map<std::string, std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    std::string item = *entry;
    size_t equals = item.find('=');
    if (equals != std::string::npos) env[item.substr(0, equals)] = item.substr(equals + 1);
  }
  const std::string home = test_home().string();
  env["HOME"] = home;
  env["XDG_CONFIG_HOME"] = home + "/.config";
  env["XDG_DATA_HOME"] = home + "/.local/share";
  env["XDG_STATE_HOME"] = home + "/.local/state";
  env["XDG_CACHE_HOME"] = home + "/.cache";
  env["XDG_RUNTIME_DIR"] = home + "/.run";
  env["GIT_CONFIG_NOSYSTEM"] = "1";
  env["LORSYNC_TODAY"] = "2026-08-15";
  env["LORSYNC_DEVICE"] = "test-device";
  env.erase("GIT_AUTHOR_NAME");
  env.erase("GIT_AUTHOR_EMAIL");
  for (const auto& [key, value] : extra_env) {
    if (value.empty()) env.erase(key);
    else env[key] = value;
  }
  std::vector<std::string> out;
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                          const std::map<std::string, std::string>& extra_env) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    std::vector<std::string> env = test_environment(extra_env);
    std::vector<char*> env_ptrs, arg_ptrs;
    for (auto& item : env) env_ptrs.push_back(item.data());
    env_ptrs.push_back(nullptr);
    std::vector<std::string> args = argv;
    for (auto& item : args) arg_ptrs.push_back(item.data());
    arg_ptrs.push_back(nullptr);
    execvpe(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  ProcessResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_count = 2;
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buffer[8192];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return result;
}

}  // namespace lorsync::test
