// fuzz target http_request: raw bytes from a local TCP client to the daemon's
// one port: HTTP requests (the dashboard's files, the Host and Origin checks),
// WebSocket upgrades (with or without the bearer token) and whatever frames
// follow them. The real Server (server/server) runs in process on 127.0.0.1,
// port 0, with the methods lorsyncd registers over a sample plan; one
// io_context drives server and client in this one thread.
//
// Input: the bytes to send. "{PORT}" and "{TOKEN}" in them are replaced by the server's port and token, so that
// seeds can pass the Host check and authenticate. Each input gets a fresh connection: the bytes are written,
// the client's sending side is shut (the server sees the end of the stream), and the reply is read until the
// server closes the connection or a short deadline passes.
//
// Invariants: the process never crashes; the server keeps accepting connections (each input's connect succeeds).
#include "daemon_fixture.hpp"
#include "fuzz_support.hpp"

#include "server/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>

using namespace lorsync;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Long enough for a reply under ASan; a connection the server keeps open past it is closed by the client.
constexpr auto kDeadline = std::chrono::milliseconds(300);

struct Harness {
  asio::io_context io{1};
  fuzz::DaemonFixture daemon{io, "plan"};
  std::shared_ptr<server::Server> server;
  uint16_t port = 0;
  size_t deadlines_hit = 0;

  Harness() {
    server::ServerOptions options;
    options.port = 0;
    // The writer and the sync thread are this thread too: each input's calls finish before the next input.
    auto listening = server::Server::listen(io, options, daemon.dispatcher(), io.get_executor(), io.get_executor(),
                                            fuzz::DaemonFixture::kToken,
                                            [this](uint64_t connection) { daemon.service().forget(connection); });
    if (!listening) {
      std::fprintf(stderr, "lorsync fuzz: the server cannot listen: %s\n", listening.error().message.c_str());
      std::abort();
    }
    server = listening.value();
    port = server->port();
  }
};

Harness& harness() {
  static Harness instance;
  return instance;
}

std::string with_placeholders_filled(std::string_view input, uint16_t port) {
  std::string text(input);
  auto replace_all = [&text](std::string_view placeholder, const std::string& value) {
    for (size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
      text.replace(at, placeholder.size(), value);
  };
  replace_all("{PORT}", std::to_string(port));
  replace_all("{TOKEN}", fuzz::DaemonFixture::kToken);
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::signal(SIGPIPE, SIG_IGN);  // the server may close before the whole input is written
  fuzz::scratch_dir();
  harness();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& h = harness();
  const std::string request = with_placeholders_filled(fuzz::as_text(data, size), h.port);

  tcp::socket socket(h.io);
  std::array<char, 16384> chunk;
  int pending = 0;  // client operations in flight: their handlers refer to these locals
  bool closed_by_server = false;
  boost::system::error_code connect_error;

  std::function<void()> read_more = [&] {
    ++pending;
    socket.async_read_some(asio::buffer(chunk), [&](const boost::system::error_code& error, size_t) {
      --pending;
      if (error) closed_by_server = true;  // end of stream, or reset: either way the server is done with it
      else read_more();
    });
  };
  ++pending;
  socket.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), h.port), [&](const boost::system::error_code& error) {
    --pending;
    if (error) {
      connect_error = error;
      closed_by_server = true;
      return;
    }
    read_more();
    ++pending;
    asio::async_write(socket, asio::buffer(request), [&](const boost::system::error_code&, size_t) {
      --pending;
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
    });
  });

  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!closed_by_server && std::chrono::steady_clock::now() < deadline) h.io.run_one_until(deadline);
  if (!closed_by_server && h.deadlines_hit++ == 0)
    std::fprintf(stderr, "lorsync fuzz: the server kept a connection open past %lld ms after the client's end "
                         "of stream (reported once)\n", static_cast<long long>(kDeadline.count()));
  boost::system::error_code ignored;
  socket.close(ignored);
  while (pending > 0) h.io.run_one();  // the cancelled handlers run before their locals go
  h.io.poll();                         // and the server's side of the close

  fuzz::require(!connect_error, "the server stopped accepting connections", connect_error.message());
  return 0;
}
