#include "client/rpc_client.hpp"

#include "common/text.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>

namespace lorsync {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct RpcClient::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> stream{io};
  beast::flat_buffer buffer;
  bool reading = false;
  std::optional<beast::error_code> arrived;  // a read finished (success or failure)
  std::deque<json> notifications;
  int64_t next_id = 1;
  std::optional<CloseInfo> closed;

  // Runs the I/O until `done` or the deadline; false on timeout.
  template <class Done>
  bool run_until(Done done, Clock::time_point deadline) {
    io.restart();
    while (!done() && Clock::now() < deadline)
      if (io.run_one_until(deadline) == 0 && !done()) io.restart();
    return done();
  }

  void start_read() {
    if (reading || arrived || closed) return;
    reading = true;
    stream.async_read(buffer, [this](beast::error_code error, size_t) {
      reading = false;
      arrived = error;
    });
  }
};

RpcClient::RpcClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RpcClient::RpcClient(RpcClient&&) noexcept = default;
RpcClient& RpcClient::operator=(RpcClient&&) noexcept = default;
RpcClient::~RpcClient() {
  if (impl_) close();  // a close frame, not a dropped connection
}

Result<RpcClient> RpcClient::connect(const ConnectOptions& options) {
  auto impl = std::make_unique<Impl>();
  auto deadline = Clock::now() + options.timeout;
  beast::error_code error;
  auto address = asio::ip::make_address(options.address, error);
  if (error) return make_error(ErrorCode::usage, options.address + " is not an IP address");
  std::optional<beast::error_code> connected;
  beast::get_lowest_layer(impl->stream)
      .async_connect(asio::ip::tcp::endpoint(address, options.port), [&](beast::error_code e) { connected = e; });
  if (!impl->run_until([&] { return connected.has_value(); }, deadline))
    return make_error(ErrorCode::io, "timed out connecting to the daemon on port " + std::to_string(options.port));
  if (*connected)
    return make_error(ErrorCode::io, "cannot connect to the daemon on port " + std::to_string(options.port) + ": " +
                                         connected->message());

  beast::get_lowest_layer(impl->stream).socket().set_option(asio::ip::tcp::no_delay(true), error);
  std::string host = options.host_header.empty() ? options.address + ":" + std::to_string(options.port) : options.host_header;
  impl->stream.set_option(websocket::stream_base::decorator([options](websocket::request_type& request) {
    request.set(http::field::user_agent, "lorsync");
    if (!options.bearer.empty()) request.set(http::field::authorization, "Bearer " + options.bearer);
    if (!options.origin.empty()) request.set(http::field::origin, options.origin);
  }));
  impl->stream.read_message_max(64 << 20);
  websocket::response_type response;
  std::optional<beast::error_code> upgraded;
  impl->stream.async_handshake(response, host, "/rpc", [&](beast::error_code e) { upgraded = e; });
  if (!impl->run_until([&] { return upgraded.has_value(); }, deadline))
    return make_error(ErrorCode::io, "timed out waiting for the daemon to accept the connection");
  if (*upgraded) {
    // Only a declined upgrade has a response to quote; otherwise `response` is still its default (200, or 500).
    if (*upgraded == websocket::error::upgrade_declined)
      return make_error(ErrorCode::io, "the daemon refused the connection: HTTP " + std::to_string(response.result_int()) +
                                           " " + std::string(response.reason()) + ": " +
                                           std::string(trim(response.body())));
    return make_error(ErrorCode::io, "the daemon closed the connection before accepting it (" + upgraded->message() + ")");
  }
  return RpcClient(std::move(impl));
}

Status RpcClient::send(std::string_view text) {
  if (impl_->closed) return make_error(ErrorCode::io, "the daemon closed the connection");
  std::optional<beast::error_code> sent;
  impl_->stream.text(true);
  impl_->stream.async_write(asio::buffer(text.data(), text.size()), [&](beast::error_code e, size_t) { sent = e; });
  if (!impl_->run_until([&] { return sent.has_value(); }, Clock::now() + std::chrono::seconds(10))) {
    // The write still refers to `text` and `sent`: end the connection and let the write finish (aborted) here.
    beast::get_lowest_layer(impl_->stream).close();
    impl_->run_until([&] { return sent.has_value() && !impl_->reading; }, Clock::now() + std::chrono::seconds(5));
    impl_->closed = CloseInfo{1006, "timed out sending"};
    return make_error(ErrorCode::io, "timed out sending to the daemon");
  }
  if (*sent) return make_error(ErrorCode::io, "cannot send to the daemon: " + sent->message());
  return Ok{};
}

Result<std::string> RpcClient::receive(std::chrono::milliseconds timeout) {
  if (impl_->closed) return make_error(ErrorCode::io, "the daemon closed the connection");
  impl_->start_read();
  if (!impl_->run_until([&] { return impl_->arrived.has_value(); }, Clock::now() + timeout))
    return make_error(ErrorCode::io, "no message from the daemon within " + std::to_string(timeout.count()) + " ms");
  beast::error_code error = *impl_->arrived;
  impl_->arrived.reset();
  if (error) {
    const auto& reason = impl_->stream.reason();
    impl_->closed = CloseInfo{static_cast<int>(reason.code), std::string(reason.reason.c_str())};
    return make_error(ErrorCode::io, "the connection ended: " + error.message() +
                                         (reason.code ? " (close " + std::to_string(reason.code) + " " +
                                                            std::string(reason.reason.c_str()) + ")"
                                                      : std::string()));
  }
  std::string text = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.consume(impl_->buffer.size());
  return text;
}

Result<json> RpcClient::call(const std::string& method, json params, std::chrono::milliseconds timeout) {
  int64_t id = impl_->next_id++;
  json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  Status sent = send(request.dump());
  if (!sent) return sent.take_error();
  auto deadline = Clock::now() + timeout;
  while (true) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) return make_error(ErrorCode::io, "no answer to " + method + " in time");
    auto text = receive(remaining);
    if (!text) return text.take_error();
    json message = json::parse(text.value(), nullptr, false);
    if (message.is_object() && message.value("id", json()) == json(id)) return message;
    if (message.is_object() && message.contains("method")) impl_->notifications.push_back(std::move(message));
  }
}

Result<json> RpcClient::next_notification(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (impl_->notifications.empty()) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) return make_error(ErrorCode::io, "no notification in time");
    auto text = receive(remaining);
    if (!text) return text.take_error();
    json message = json::parse(text.value(), nullptr, false);
    if (message.is_object() && message.contains("method") && !message.contains("id"))
      impl_->notifications.push_back(std::move(message));
  }
  json next = std::move(impl_->notifications.front());
  impl_->notifications.pop_front();
  return next;
}

std::optional<CloseInfo> RpcClient::closed() const { return impl_->closed; }

void RpcClient::close() {
  if (impl_->closed) return;
  std::optional<beast::error_code> done;
  impl_->stream.async_close(websocket::close_code::normal, [&](beast::error_code e) { done = e; });
  impl_->run_until([&] { return done.has_value() && !impl_->reading; }, Clock::now() + std::chrono::seconds(2));
  impl_->closed = CloseInfo{1000, ""};
}

}  // namespace lorsync
