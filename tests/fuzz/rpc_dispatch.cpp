// fuzz target rpc_dispatch: one WebSocket message, as any local program (or a
// web page, were the Origin check to fail) can send it, through the JSON-RPC
// dispatcher with every method lorsyncd registers, over a sample plan:
// Dispatcher::parse, then Dispatcher::handle.
//
// Input: one mode byte, then the message. The mode says who sends it:
//   'a' (or any byte not below)  a connection that has not authenticated (it may call auth itself);
//   'A'                          an authenticated connection, reads only;
//   'B'                          authenticated, reads only, with 4 KiB of reply budget left (replies too large);
//   'W'                          authenticated, and calls that write (commits) are let through.
// Messages that would write are dropped in the other modes: a commit costs milliseconds, and keeping them
// to 'W' inputs keeps the plan from drifting with every input while leaving every write method reachable.
//
// Invariants: never a crash or an exception out of handle(); a reply, when there is one, is valid JSON; a
// message refused at parse, and a single request with an id, always get one.
#include "daemon_fixture.hpp"
#include "fuzz_support.hpp"

#include <memory>

using namespace lorsync;

namespace {

constexpr size_t kSmallReplyBudget = 4096;

fuzz::DaemonFixture& daemon_fixture() {
  static boost::asio::io_context io(1);
  static fuzz::DaemonFixture fixture(io, "plan");
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::scratch_dir();
  daemon_fixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char mode = static_cast<char>(data[0]);
  std::string_view message = fuzz::as_text(data + 1, size - 1);
  fuzz::DaemonFixture& fixture = daemon_fixture();
  const api::Dispatcher& dispatcher = fixture.dispatcher();

  api::Caller caller;
  caller.id = 1;
  caller.authenticated = mode == 'A' || mode == 'B' || mode == 'W';
  if (mode == 'B') caller.reply_budget = kSmallReplyBudget;

  api::Incoming incoming = dispatcher.parse(message);
  if (mode != 'W' && dispatcher.placement(incoming) != api::Placement::io) return 0;

  std::optional<std::string> reply = dispatcher.handle(incoming, caller);
  fixture.service().forget(caller.id);  // a subscribe must not outlive its input

  if (incoming.refusal) fuzz::require(reply.has_value(), "a refused message got no reply", message);
  if (!incoming.refusal && incoming.message.is_object() && incoming.message.contains("id"))
    fuzz::require(reply.has_value(), "a request with an id got no reply", message);
  if (reply) {
    auto parsed = nlohmann::json::parse(*reply, nullptr, /*allow_exceptions=*/false);
    fuzz::require(!parsed.is_discarded(), "a reply is not JSON", *reply);
    fuzz::require(parsed.is_object() || parsed.is_array(), "a reply is neither a response nor a batch", *reply);
  }
  return 0;
}
