#include "support/daemon.hpp"

#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace lorsync::test {

namespace {

std::optional<int> reap(pid_t pid, bool wait) {
  int status = 0;
  pid_t done = ::waitpid(pid, &status, wait ? 0 : WNOHANG);
  if (done != pid) return std::nullopt;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace

DaemonProcess::DaemonProcess(const std::filesystem::path& plan, std::vector<std::string> args,
                             std::map<std::string, std::string> env) {
  std::vector<std::string> argv = {LORSYNCD_BINARY, "--plan", plan.string()};
  bool has_port = false;
  for (const auto& arg : args) has_port = has_port || arg == "--port";
  if (!has_port) argv.insert(argv.end(), {"--port", "0"});
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> environment = test_environment(env);
  const std::string log_path = (logs_.path() / "lorsyncd.log").string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // If the test process dies without cleaning up (killed, a broken pipe), the daemon goes with it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(log, 2);
    std::vector<char*> env_ptrs, arg_ptrs;
    for (auto& item : environment) env_ptrs.push_back(item.data());
    env_ptrs.push_back(nullptr);
    for (auto& item : argv) arg_ptrs.push_back(item.data());
    arg_ptrs.push_back(nullptr);
    ::execve(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if ((exit_code_ = reap(pid_, false))) return;
    auto info = running_daemon(plan);
    if (info && info->pid == pid_) {
      info_ = info;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

DaemonProcess::~DaemonProcess() {
  if (!exit_code_ && pid_ > 0) stop(SIGTERM);
}

std::string DaemonProcess::log() const {
  std::ifstream in(logs_.path() / "lorsyncd.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int DaemonProcess::stop(int signal) {
  if (exit_code_) return *exit_code_;
  ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if ((exit_code_ = reap(pid_, false))) return *exit_code_;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  exit_code_ = reap(pid_, true).value_or(-SIGKILL);
  return *exit_code_;
}

RpcClient DaemonProcess::connect(bool authenticated) const {
  ConnectOptions options;
  options.port = port();
  if (authenticated) options.bearer = info_->token;
  auto client = RpcClient::connect(options);
  if (!client) throw std::runtime_error("cannot connect to lorsyncd: " + client.error().message);
  return std::move(client.value());
}

RawConnection::RawConnection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
}

RawConnection::~RawConnection() { ::close(fd_); }

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

std::string RawConnection::receive(int quiet_ms) {
  std::string received;
  char buffer[8192];
  pollfd ready{fd_, POLLIN, 0};
  while (::poll(&ready, 1, quiet_ms) > 0) {
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  return received;
}

bool RawConnection::closed_by_peer(int wait_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  char buffer[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return true;  // end of stream, or reset
  }
}

HttpReply parse_http_reply(const std::string& response) {
  HttpReply reply;
  size_t end = response.find("\r\n\r\n");
  if (response.size() < 12 || !response.starts_with("HTTP/1.1 ") || end == std::string::npos) return reply;
  reply.status = std::stoi(response.substr(9, 3));
  reply.headers = response.substr(0, end);
  reply.body = response.substr(end + 4);
  return reply;
}

HttpReply http_request(uint16_t port, const std::string& method, const std::string& target,
                       const std::map<std::string, std::string>& headers) {
  RawConnection connection(port);
  std::string request = method + " " + target + " HTTP/1.1\r\n";
  if (!headers.count("Host")) request += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "Connection: close\r\n\r\n";
  connection.send(request);
  return parse_http_reply(connection.receive());
}

}  // namespace lorsync::test
