// api/sync_methods: the `sync.*` methods over the daemon's sync scheduler: its
// status, and a round on demand (on the networked pool, never the I/O thread).
#pragma once

#include "api/rpc.hpp"
#include "sync/sync_scheduler.hpp"

namespace lorsync::api {

void register_sync_methods(Dispatcher& dispatcher, SyncScheduler& sync);

}  // namespace lorsync::api
