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
#include <string_view>
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

// A plain TCP connection to 127.0.0.1:PORT that sends only what it is told to: for a client that
// never speaks, speaks garbage, or never reads. Closed with the object.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool send(std::string_view bytes);
  // What arrives until the peer closes or nothing comes for `quiet` milliseconds.
  std::string receive(int quiet_ms = 5000);
  // Whether the peer has closed the connection (waits up to `wait_ms` for it).
  bool closed_by_peer(int wait_ms);

 private:
  int fd_ = -1;
};

struct HttpReply {
  int status = 0;
  std::string headers;
  std::string body;
};

// The status line, headers and body of a raw HTTP response (status 0 when there is none).
HttpReply parse_http_reply(const std::string& response);

// One request on a fresh connection to 127.0.0.1:PORT; `headers` are sent as given (Host included when set).
HttpReply http_request(uint16_t port, const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers = {});

}  // namespace lorsync::test
