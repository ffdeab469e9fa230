// server/server: lorsyncd's network side, HTTP and WebSocket on one loopback
// port (Boost.Beast; the only place that includes it, with client/). It owns
// the connections: the Host and Origin checks made before any upgrade,
// authentication by bearer header, frame and connection limits, keep-alive
// pings, and each connection's bounded send queue. Calls that read are
// answered on the I/O thread from the API's snapshot; calls that write are
// handed to the writer executor, so a slow commit never stalls other clients.
// What a request may ask (server/policy) and what it gets (server/routes)
// are decided apart from the sockets; server.cpp carries out the decision.
#pragma once

#include "api/rpc.hpp"
#include "common/diagnostic.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lorsync::server {

struct ServerOptions {
  uint16_t port = 23231;                     // 0: any free port
  std::vector<std::string> allowed_origins;  // besides the daemon's own http://127.0.0.1:PORT and http://localhost:PORT
  size_t max_connections = 256;              // authenticated connections
  size_t max_unauthenticated = 16;           // connections not (yet) authenticated; past it the oldest is dropped
  std::chrono::seconds auth_timeout{5};      // a WebSocket client that has not authenticated by then is closed
  std::chrono::seconds idle_timeout{60};     // a ping after half of it, closed after all of it without an answer
  size_t max_queued_bytes = 16 << 20;        // per connection; past it the client is too slow and is dropped
};

inline constexpr size_t kMaxFrameBytes = 1 << 20;

class Server {
 public:
  // Binds 127.0.0.1 (and nothing else). `writer` runs the calls that write, one at a time; `network` the
  // calls that talk to the git remote; `closed` is told when a WebSocket connection ends (to drop its
  // subscriptions).
  static Result<std::shared_ptr<Server>> listen(boost::asio::io_context& io, ServerOptions options,
                                                const api::Dispatcher& dispatcher, boost::asio::any_io_executor writer,
                                                boost::asio::any_io_executor network, std::string token,
                                                std::function<void(uint64_t)> closed);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  // Safe from any thread: delivers a notification to the WebSocket connections `to`.
  virtual void publish(const nlohmann::json& notification, const std::vector<uint64_t>& to) = 0;
  // SIGHUP: new origins, limits and timeouts apply to new connections (the port stays).
  virtual void reconfigure(ServerOptions options) = 0;
  // Stops accepting, lets calls in flight answer, sends every WebSocket client a close frame,
  // and calls `done` (on the I/O thread) once they are all closed.
  virtual void shut_down(std::function<void()> done) = 0;
};

}  // namespace lorsync::server
