// cli/open_command: `lorsync open`, the way to the dashboard. The daemon's token
// travels in the URL's fragment (#token=...), which browsers never send to a
// server, so the page can authenticate without the token reaching a log.
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "client/daemon_file.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <memory>

extern char** environ;

namespace lorsync::cli {

bool has_display() {
  for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY"}) {
    const char* value = std::getenv(name);
    if (value && *value) return true;
  }
  return false;
}

bool open_with_desktop(const std::string& url) {
  std::string opener = "xdg-open";
  char* argv[] = {opener.data(), const_cast<char*>(url.c_str()), nullptr};
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, opener.c_str(), &quiet, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&quiet);
  if (spawned != 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

namespace {

int run_open(const GlobalOptions& global, bool print_only) {
  auto store = open_store(global);
  if (!store) return report_error(store.error(), global.json);
  std::optional<DaemonInfo> daemon = running_daemon(store->root());
  if (!daemon) {
    report_error(make_error(ErrorCode::not_found, "no lorsyncd serves the plan at " + store->root().string() +
                                                      "; start one with: lorsyncd --plan " + store->root().string()),
                 global.json);
    return kExitFailure;
  }
  std::string url = daemon->url + "#token=" + daemon->token;
  if (global.json) {
    print_json({{"url", url}});
    return kExitOk;
  }
  if (!print_only && has_display() && open_with_desktop(url)) {
    std::cout << "Opened the dashboard in your browser (" << daemon->url << ").\n";
    return kExitOk;
  }
  std::cout << "Open the dashboard in your browser:\n  " << url
            << "\nThe part after # is the daemon's token: it stays in your browser, do not share it.\n";
  return kExitOk;
}

}  // namespace

void register_open_command(CLI::App& app, GlobalOptions& global, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("open", "Open the dashboard of the lorsyncd serving this plan in your browser");
  auto print_only = std::make_shared<bool>(false);
  cmd->add_flag("--print", *print_only, "Only print the URL (with its token), do not start a browser");
  cmd->footer("Without a desktop (no DISPLAY), or when no browser opens, the URL is printed.\n"
              "Examples:\n  lorsync open\n  lorsync open --print");
  cmd->callback([&global, &run, print_only] { run = [&global, print_only] { return run_open(global, *print_only); }; });
}

}  // namespace lorsync::cli
