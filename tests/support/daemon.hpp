// tests/support/daemon: a real lorsyncd for a test: started on port 0 on a
// plan with the test environment, its log kept in a file, and stopped
// (SIGTERM, then SIGKILL if it hangs) when the test ends, pass or fail.
// Also a raw HTTP/1.1 request, for what a WebSocket client cannot show.
#pragma once

#include "client/daemon_file.hpp"
#include "client/rpc_client.hpp"
#include "support/temp_dir.hpp"

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lorsync::test {

class DaemonProcess {
 public:
  // Starts lorsyncd --plan PLAN --port 0 ARGS and waits (up to 10 s) until it publishes daemon.json or exits.
  explicit DaemonProcess(const std::filesystem::path& plan, std::vector<std::string> args = {},
                         std::map<std::string, std::string> env = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  bool running() const { return info_.has_value() && !exit_code_; }
  const DaemonInfo& info() const { return *info_; }
  uint16_t port() const { return info_->port; }
  pid_t pid() const { return pid_; }
  std::string log() const;                  // what it wrote to stderr so far
  std::optional<int> exit_code() const { return exit_code_; }

  // Sends `signal` and waits up to 10 s for the exit; returns the exit code (-signal if killed).
  int stop(int signal = 15);
  // A client authenticated by the bearer header (or not at all).
  RpcClient connect(bool authenticated = true) const;

 private:
  TempDir logs_;
  pid_t pid_ = -1;
  std::optional<DaemonInfo> info_;
  std::optional<int> exit_code_;
};

struct HttpReply {
  int status = 0;
  std::string headers;
  std::string body;
};

// One request on a fresh connection to 127.0.0.1:PORT; `headers` are sent as given (Host included when set).
HttpReply http_request(uint16_t port, const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers = {});

}  // namespace lorsync::test
