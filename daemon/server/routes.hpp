// server/routes: what an admitted request gets: the WebSocket upgrade on /rpc, /health, the dashboard's
// files (the client module under /client/), and the refusals of what is none of these.
#pragma once

#include "server/http_request.hpp"

#include <variant>

namespace lorsync::server {

// The request becomes an RPC session (the policy has admitted the upgrade).
struct UpgradeToRpc {};

std::variant<UpgradeToRpc, HttpReply> route(const HttpRequest& request);

}  // namespace lorsync::server
