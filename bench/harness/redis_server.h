// How hotbench starts redis-server (Debian's redis-server 7.0) for a row: one
// place for every suite that needs a Redis (the cache suite's key-value rows,
// the messaging suite's Streams and Pub/Sub), so that they run the same server
// the same way and a result set records one configuration.
#pragma once

#include <string>

#include "server.h"

namespace hotbench {

// A private Redis: no persistence (no RDB snapshot, no AOF), listening on
// 127.0.0.1:{port} and on the Unix socket {socket} (mode 700), its folder the
// server's private one, logging to its stdout (the harness keeps that log).
// `extra_config` is appended, one directive a line ("maxmemory 1000000\n").
ServerSpec redis_server_spec(const std::string& extra_config = "");

}  // namespace hotbench
