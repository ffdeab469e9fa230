// tests/support/git_server: see git_server.hpp. Failures throw: Catch reports them in the test that asked.
#include "support/git_server.hpp"

#include "support/process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace lorsync::test {
namespace fs = std::filesystem;

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool accepts_connections(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = loopback(port);
  bool up = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (fd >= 0) ::close(fd);
  return up;
}

}  // namespace

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("no socket for a free port");
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!bound) throw std::runtime_error("cannot bind a port on 127.0.0.1");
  return ntohs(address.sin_port);
}

GitServer::GitServer(const fs::path& base) {
  ProcessResult started = run_process({"git", "daemon", "--detach", "--reuseaddr", "--export-all", "--enable=receive-pack",
                                       "--listen=127.0.0.1", "--port=" + std::to_string(port),
                                       "--pid-file=" + pid_file.string(), "--base-path=" + base.string(), base.string()});
  if (started.exit_code != 0) throw std::runtime_error("git daemon did not start: " + started.err);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!accepts_connections(port)) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("git daemon does not listen on " + std::to_string(port));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

GitServer::~GitServer() {
  std::ifstream in(pid_file);
  int pid = 0;
  if (in >> pid && pid > 0) ::kill(pid, SIGTERM);
}

}  // namespace lorsync::test
