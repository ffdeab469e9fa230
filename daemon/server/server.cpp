#include "server/server.hpp"

#include "server/policy.hpp"
#include "server/routes.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <variant>

namespace lorsync::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

constexpr size_t kMaxRequestBodyBytes = 16 * 1024;

class ServerImpl;

// Where one connection stands against the limits. It starts out waiting (plain HTTP, or a WebSocket
// that has not authenticated), among at most max_unauthenticated others: past that the oldest waiting
// connection is dropped, so connections that never authenticate cannot take the places of those that
// do. Once authenticated it is admitted, one of at most max_connections.
class Admission {
 public:
  // `drop` ends the connection; it is called on the I/O thread, at most once, while this is alive.
  Admission(std::shared_ptr<ServerImpl> server, std::function<void()> drop);
  ~Admission();
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;
  // False when every admitted place is taken (the connection stays waiting).
  bool admit();
  bool admitted() const { return admitted_; }

 private:
  std::shared_ptr<ServerImpl> server_;
  uint64_t ticket_;
  bool admitted_ = false;
};

// One WebSocket connection on /rpc. Reads one message at a time (the reply to a
// write comes back before the next message is read), so replies keep their
// order; notifications go out through the same bounded queue.
class RpcSession : public std::enable_shared_from_this<RpcSession> {
 public:
  RpcSession(tcp::socket socket, std::shared_ptr<ServerImpl> server, uint64_t id, bool authenticated);
  void start(http::request<http::string_body> upgrade);
  void send(std::shared_ptr<const std::string> message);
  void shut_down();

 private:
  void read_next();
  // Admits an authenticated caller, or closes the connection when every place is taken.
  bool admit();
  void on_read(beast::error_code error, size_t bytes);
  void answer(std::optional<std::string> reply);
  void write_next();
  // Sends what is queued, then the close frame.
  void close(websocket::close_reason reason);
  // Closes, and cuts the connection off if the client has not read the close frame after a few seconds.
  void close_and_cut_off(websocket::close_reason reason);
  void finish();

  websocket::stream<beast::tcp_stream> stream_;
  std::shared_ptr<ServerImpl> server_;
  Admission admission_;
  api::Caller caller_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  size_t queued_bytes_ = 0;
  asio::steady_timer drop_timer_;
  asio::steady_timer auth_timer_;  // the deadline for authenticating
  std::optional<websocket::close_reason> close_reason_;  // set: no more messages are taken
  bool writing_ = false;
  bool close_sent_ = false;
  bool busy_ = false;  // a call is being answered on the writer or the sync thread
  bool stopping_ = false;
  bool ended_ = false;
};

// One plain HTTP connection: health, the dashboard's files, or the upgrade to /rpc.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<ServerImpl> server)
      : stream_(std::move(socket)), server_(server), admission_(std::move(server), [this] {
          beast::error_code ignored;
          stream_.socket().close(ignored);
        }) {}
  void start() { read_next(); }

 private:
  void read_next();
  void on_read(beast::error_code error);
  void respond(HttpReply reply);
  // The request that passed the policy and routes to /rpc: the connection becomes an RPC session.
  void upgrade(http::request<http::string_body> request, bool authenticated);

  beast::tcp_stream stream_;
  std::shared_ptr<ServerImpl> server_;
  Admission admission_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

class ServerImpl : public Server, public std::enable_shared_from_this<ServerImpl> {
 public:
  ServerImpl(asio::io_context& io, const api::Dispatcher& dispatcher, asio::any_io_executor writer,
             asio::any_io_executor network, std::string token, std::function<void(uint64_t)> closed)
      : io_(io), acceptor_(io), dispatcher_(dispatcher), writer_(std::move(writer)), network_(std::move(network)),
        token_(std::move(token)), closed_(std::move(closed)) {}

  Status bind(const ServerOptions& options) {
    beast::error_code error;
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), options.port);
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error)
      return make_error(ErrorCode::io, "cannot listen on 127.0.0.1:" + std::to_string(options.port) + ": " +
                                           error.message() +
                                           (error == asio::error::address_in_use
                                                ? " (another program uses this port; choose another with --port, or 0 for any free port)"
                                                : ""));
    port_ = acceptor_.local_endpoint().port();
    settings_ = make_settings(options, port_);
    accept_next();
    return Ok{};
  }

  uint16_t port() const override { return port_; }

  void publish(const json& notification, const std::vector<uint64_t>& to) override {
    auto text = std::make_shared<const std::string>(api::wire_text(notification));
    asio::post(io_, [self = shared_from_this(), text, to] {
      for (uint64_t id : to)
        if (auto found = self->sessions_.find(id); found != self->sessions_.end())
          if (auto session = found->second.lock()) session->send(text);
    });
  }

  void reconfigure(ServerOptions options) override {
    asio::post(io_, [self = shared_from_this(), options = std::move(options)]() mutable {
      options.port = self->port_;
      self->settings_ = make_settings(std::move(options), self->port_);
    });
  }

  void shut_down(std::function<void()> done) override {
    asio::post(io_, [self = shared_from_this(), done = std::move(done)]() mutable {
      self->stopping_ = true;
      self->all_closed_ = std::move(done);
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      auto sessions = self->sessions_;  // closing may end a session, which erases it
      for (auto& [id, weak] : sessions)
        if (auto session = weak.lock()) session->shut_down();
      self->notify_if_all_closed();
    });
  }

  // The I/O thread's view, used by sessions.
  std::shared_ptr<const Settings> settings() const { return settings_; }
  const api::Dispatcher& dispatcher() const { return dispatcher_; }
  const asio::any_io_executor& writer() const { return writer_; }
  const asio::any_io_executor& network() const { return network_; }
  const std::string& token() const { return token_; }
  bool stopping() const { return stopping_; }

  uint64_t reserve_id() { return next_id_++; }
  void register_session(uint64_t id, const std::shared_ptr<RpcSession>& session) { sessions_[id] = session; }
  void session_ended(uint64_t id) {
    sessions_.erase(id);
    if (closed_) closed_(id);
    notify_if_all_closed();
  }
  // Admission's bookkeeping.
  uint64_t wait(std::function<void()> drop) {
    const uint64_t ticket = next_ticket_++;
    waiting_.emplace(ticket, std::move(drop));
    while (waiting_.size() > settings_->options.max_unauthenticated) {
      auto oldest = waiting_.begin();
      auto drop_oldest = std::move(oldest->second);
      waiting_.erase(oldest);
      spdlog::debug("dropped the oldest of {} connections not authenticated (max_unauthenticated)",
                    settings_->options.max_unauthenticated + 1);
      drop_oldest();
    }
    return ticket;
  }
  bool admit(uint64_t ticket) {
    if (admitted_ >= settings_->options.max_connections) {
      spdlog::warn("refused a connection: already {} open (max_connections)", admitted_);
      return false;
    }
    waiting_.erase(ticket);
    ++admitted_;
    return true;
  }
  bool has_room() const { return admitted_ < settings_->options.max_connections; }
  void leave(uint64_t ticket, bool admitted) {
    if (admitted) --admitted_;
    else waiting_.erase(ticket);
  }

 private:
  void notify_if_all_closed() {
    if (stopping_ && sessions_.empty() && all_closed_) std::exchange(all_closed_, nullptr)();
  }

  void accept_next() {
    // One I/O thread runs every connection, so sessions need no strands.
    acceptor_.async_accept(io_, [self = shared_from_this()](beast::error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted || self->stopping_) return;
      if (!error) {
        // Replies are small and answer a waiting client: never hold one back for Nagle's algorithm.
        socket.set_option(tcp::no_delay(true), error);
        std::make_shared<HttpSession>(std::move(socket), self)->start();
      } else {
        spdlog::debug("accept failed: {}", error.message());
      }
      self->accept_next();
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  const api::Dispatcher& dispatcher_;
  asio::any_io_executor writer_;
  asio::any_io_executor network_;
  std::string token_;
  std::function<void(uint64_t)> closed_;
  uint16_t port_ = 0;
  std::shared_ptr<const Settings> settings_;
  std::map<uint64_t, std::weak_ptr<RpcSession>> sessions_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::function<void()>> waiting_;  // by ticket, so the oldest comes first
  uint64_t next_ticket_ = 1;
  size_t admitted_ = 0;
  bool stopping_ = false;
  std::function<void()> all_closed_;
};


Admission::Admission(std::shared_ptr<ServerImpl> server, std::function<void()> drop)
    : server_(std::move(server)), ticket_(server_->wait(std::move(drop))) {}

Admission::~Admission() { server_->leave(ticket_, admitted_); }

bool Admission::admit() {
  if (!admitted_) admitted_ = server_->admit(ticket_);
  return admitted_;
}

void HttpSession::read_next() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBodyBytes);
  parser_->header_limit(16 * 1024);
  // A request (or the next one on a kept-alive connection) must come as soon as a client must authenticate:
  // until then the connection holds one of the places of those not authenticated.
  stream_.expires_after(server_->settings()->options.auth_timeout);
  http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code error, size_t) {
    self->on_read(error);
  });
}

void HttpSession::respond(HttpReply reply) {
  auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), 11);
  response->set(http::field::server, "lorsyncd");
  response->set(http::field::content_type, reply.content_type);
  response->set(http::field::cache_control, "no-store");
  response->set("X-Content-Type-Options", "nosniff");
  response->set("Referrer-Policy", "no-referrer");
  response->set("Content-Security-Policy",
                "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; frame-ancestors 'none'");
  response->keep_alive(reply.keep_alive);
  response->content_length(reply.body.size());
  if (!reply.head) response->body() = std::move(reply.body);
  http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code error, size_t) {
    if (error || !response->keep_alive()) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    self->read_next();
  });
}

// The request as the policy and the routes see it.
HttpRequest plain_request(const http::request<http::string_body>& request) {
  HttpRequest plain;
  plain.method = request.method() == http::verb::get    ? HttpRequest::Method::get
                 : request.method() == http::verb::head ? HttpRequest::Method::head
                                                        : HttpRequest::Method::other;
  plain.target = std::string(request.target());
  plain.host = std::string(request[http::field::host]);
  if (auto origin = request.find(http::field::origin); origin != request.end())
    plain.origin = std::string(origin->value());
  if (auto authorization = request.find(http::field::authorization); authorization != request.end())
    plain.authorization = std::string(authorization->value());
  plain.websocket_upgrade = websocket::is_upgrade(request);
  plain.keep_alive = request.keep_alive();
  return plain;
}

void HttpSession::on_read(beast::error_code error) {
  if (error == http::error::end_of_stream || error == beast::error::timeout) return;
  if (error) {
    if (error == http::error::body_limit || error == http::error::header_limit)
      respond(HttpReply{413, "request too large\n", "text/plain", false});
    else if (error.category() == http::make_error_code(http::error::bad_method).category())
      respond(HttpReply{400, "bad request: not HTTP/1.1 this daemon can read\n", "text/plain", false});
    return;
  }
  auto request = parser_->release();
  const HttpRequest plain = plain_request(request);
  auto verdict = check_policy(plain, *server_->settings(),
                              ServerState{server_->token(), server_->stopping(), server_->has_room()});
  if (auto* refused = std::get_if<HttpReply>(&verdict)) return respond(std::move(*refused));
  auto routed = route(plain);
  if (auto* reply = std::get_if<HttpReply>(&routed)) return respond(std::move(*reply));
  upgrade(std::move(request), std::get<Admitted>(verdict).authenticated);
}

void HttpSession::upgrade(http::request<http::string_body> request, bool authenticated) {
  uint64_t id = server_->reserve_id();
  auto session = std::make_shared<RpcSession>(stream_.release_socket(), server_, id, authenticated);
  server_->register_session(id, session);
  session->start(std::move(request));
}

RpcSession::RpcSession(tcp::socket socket, std::shared_ptr<ServerImpl> server, uint64_t id, bool authenticated)
    : stream_(std::move(socket)),
      server_(server),
      admission_(std::move(server), [this] { beast::get_lowest_layer(stream_).close(); }),
      drop_timer_(stream_.get_executor()),
      auth_timer_(stream_.get_executor()) {
  caller_.id = id;
  caller_.authenticated = authenticated;
  if (authenticated) admission_.admit();  // the upgrade checked there was room
}

bool RpcSession::admit() {
  if (admission_.admitted() || !caller_.authenticated) return true;
  auth_timer_.cancel();
  if (admission_.admit()) return true;
  close(websocket::close_reason(websocket::close_code::try_again_later, "too many connections (max_connections)"));
  return false;
}

void RpcSession::start(http::request<http::string_body> upgrade) {
  auto settings = server_->settings();
  beast::get_lowest_layer(stream_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = settings->options.idle_timeout;
  timeouts.keep_alive_pings = true;
  stream_.set_option(timeouts);
  stream_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, "lorsyncd"); }));
  stream_.read_message_max(kMaxFrameBytes);
  stream_.async_accept(upgrade, [self = shared_from_this()](beast::error_code error) {
    if (error) {
      spdlog::debug("WebSocket handshake failed: {}", error.message());
      return self->finish();
    }
    if (self->ended_) return;
    spdlog::debug("connection {} opened", self->caller_.id);
    if (self->stopping_) return self->close(websocket::close_reason(websocket::close_code::going_away, "lorsyncd is stopping"));
    if (!self->caller_.authenticated) {
      self->auth_timer_.expires_after(self->server_->settings()->options.auth_timeout);
      self->auth_timer_.async_wait([weak = std::weak_ptr<RpcSession>(self)](beast::error_code error) {
        auto session = weak.lock();
        if (error || !session || session->caller_.authenticated) return;
        spdlog::debug("connection {} did not authenticate in time; closing it", session->caller_.id);
        session->close_and_cut_off(
            websocket::close_reason(websocket::close_code::policy_error, "not authenticated in time"));
      });
    }
    self->read_next();
  });
}

void RpcSession::read_next() {
  if (close_reason_) return;
  stream_.async_read(buffer_, [self = shared_from_this()](beast::error_code error, size_t bytes) {
    self->on_read(error, bytes);
  });
}

void RpcSession::on_read(beast::error_code error, size_t) {
  if (error) {
    // Beast has already answered a frame over the limit with close 1009, and a close with its echo.
    if (error != websocket::error::closed && error != asio::error::operation_aborted)
      spdlog::debug("connection {} ended: {}", caller_.id, error.message());
    return finish();
  }
  std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  const api::Dispatcher& dispatcher = server_->dispatcher();
  auto incoming = std::make_shared<api::Incoming>(dispatcher.parse(text));
  buffer_.consume(buffer_.size());
  const size_t queue_limit = server_->settings()->options.max_queued_bytes;
  caller_.reply_budget = queue_limit - std::min(queued_bytes_, queue_limit);
  // Only an authenticated caller's writes (and syncs) leave the I/O thread; anyone else's are refused right here.
  api::Placement placement = caller_.authenticated ? dispatcher.placement(*incoming) : api::Placement::io;
  if (placement == api::Placement::io) return answer(dispatcher.handle(*incoming, caller_));
  busy_ = true;
  // The caller's state is only touched over there until the answer is posted back.
  // The session's last reference travels back with the reply, so it is never destroyed on the other thread.
  const auto& executor = placement == api::Placement::writer ? server_->writer() : server_->network();
  asio::post(executor, [self = shared_from_this(), incoming]() mutable {
    auto reply = self->server_->dispatcher().handle(*incoming, self->caller_);
    auto executor = self->stream_.get_executor();
    asio::post(executor, [self = std::move(self), reply = std::move(reply)]() mutable {
      self->busy_ = false;
      self->answer(std::move(reply));
    });
  });
}

void RpcSession::answer(std::optional<std::string> reply) {
  if (reply) send(std::make_shared<const std::string>(std::move(*reply)));
  if (caller_.close_after_reply) return close(websocket::close_reason(websocket::close_code::policy_error, "wrong token"));
  if (!admit()) return;
  if (stopping_) return close(websocket::close_reason(websocket::close_code::going_away, "lorsyncd is stopping"));
  read_next();
}

void RpcSession::send(std::shared_ptr<const std::string> message) {
  if (close_reason_ || ended_) return;
  // Replies are built within the budget (Caller::reply_budget); notifications that pile up past it mean a
  // client that does not read.
  if (queued_bytes_ + message->size() > server_->settings()->options.max_queued_bytes) {
    spdlog::warn("connection {} reads too slowly ({} messages, {} KiB waiting); closing it", caller_.id, queue_.size(),
                 queued_bytes_ >> 10);
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back()->size();
      queue_.pop_back();
    }
    close_and_cut_off(websocket::close_reason(websocket::close_code::policy_error, "too slow: too many messages waiting"));
    return;
  }
  queued_bytes_ += message->size();
  queue_.push_back(std::move(message));
  if (!writing_) write_next();
}

void RpcSession::write_next() {
  if (ended_) return;
  if (queue_.empty()) {
    writing_ = false;
    if (close_reason_ && !close_sent_) {
      close_sent_ = true;
      stream_.async_close(*close_reason_, [self = shared_from_this()](beast::error_code) { self->finish(); });
    }
    return;
  }
  writing_ = true;
  stream_.text(true);
  // The message stays at the front of the queue, and alive in the handler, until the write is done.
  std::shared_ptr<const std::string> message = queue_.front();
  stream_.async_write(asio::buffer(*message), [self = shared_from_this(), message](beast::error_code error, size_t) {
    self->writing_ = false;
    if (self->ended_) return;  // finish() emptied the queue meanwhile
    self->queued_bytes_ -= message->size();
    self->queue_.pop_front();
    if (error) return self->finish();
    self->write_next();
  });
}

void RpcSession::close(websocket::close_reason reason) {
  if (close_reason_ || ended_) return;
  close_reason_ = std::move(reason);
  if (!writing_) write_next();
}

void RpcSession::close_and_cut_off(websocket::close_reason reason) {
  close(std::move(reason));
  // A client that reads nothing never receives the close frame either: cut it off if it is still there.
  drop_timer_.expires_after(std::chrono::seconds(5));
  drop_timer_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (!error && !self->ended_) beast::get_lowest_layer(self->stream_).close();
  });
}

void RpcSession::shut_down() {
  stopping_ = true;
  if (!busy_) close(websocket::close_reason(websocket::close_code::going_away, "lorsyncd is stopping"));
}

void RpcSession::finish() {
  if (ended_) return;
  ended_ = true;
  queue_.clear();
  queued_bytes_ = 0;
  drop_timer_.cancel();
  auth_timer_.cancel();
  server_->session_ended(caller_.id);
}

}  // namespace

Result<std::shared_ptr<Server>> Server::listen(asio::io_context& io, ServerOptions options,
                                               const api::Dispatcher& dispatcher, asio::any_io_executor writer,
                                               asio::any_io_executor network, std::string token,
                                               std::function<void(uint64_t)> closed) {
  auto server = std::make_shared<ServerImpl>(io, dispatcher, std::move(writer), std::move(network), std::move(token),
                                             std::move(closed));
  Status bound = server->bind(options);
  if (!bound) return bound.take_error();
  return std::shared_ptr<Server>(server);
}

}  // namespace lorsync::server
