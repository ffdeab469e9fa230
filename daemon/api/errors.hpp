// api/errors: the one table between lorsync's kinds of error (ErrorCode) and
// JSON-RPC error codes, both ways. Several kinds share a JSON-RPC code (usage and
// exists are -32602; locked, io, git and no_author -32603), so every error made
// from an Error names its kind in data.error, and data.diagnostics carries its
// diagnostics: a client reading it back (the CLI's daemon path) gets the very
// Error the store gave, and answers as it would have without a daemon.
#pragma once

#include "api/rpc.hpp"
#include "common/diagnostic.hpp"

#include <nlohmann/json.hpp>

namespace lorsync::api {

RpcError to_rpc_error(const Error& error);
// An error object of a reply ({code, message, data}); one without data.error is read from its code.
Error from_rpc_error(const nlohmann::json& error);

}  // namespace lorsync::api
