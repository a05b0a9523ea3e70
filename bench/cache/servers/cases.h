// The server tasks of the cache suite, one driver each, the same for every
// System (kv.h):
//
//   server_get, server_set  round trips at a pipeline depth, over one or more
//                           connections, values of a size; every reply checked
//   server_eviction         the suite's request streams through a server bounded
//                           to hold N entries: hit ratio, checked against the
//                           server's own counters and an exact LRU replaying the
//                           same commands at the number of entries the server held
//   redis-benchmark rows    Redis's own tool against the same server with the same
//                           parameters (server_get/server_set, library redis-benchmark)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../../harness/case.h"
#include "../workload.h"
#include "kv.h"

namespace hotbench::cache::kv {

struct RoundTripSpec {
  std::string system;
  Transport transport = Transport::unix_socket;
  bool set = false;  // server_set: SET; server_get: GET of stored keys
  std::size_t pipeline = 1, connections = 1, value_bytes = 100;
  std::uint64_t keys = 0, seed = 0;  // keys: round_trip_keys()
  bool quick = false;  // the quick profile: redis-benchmark sends 2,048-8,192 requests a run, not 10,000-100,000
};
CaseFactory round_trip(const RoundTripSpec& spec);
// redis-benchmark (Debian's redis-tools) against the Redis the round-trip rows use.
CaseFactory redis_benchmark(const RoundTripSpec& spec);
// The key space of a system's round-trip and open-loop rows (they share its server): every key's
// value stays in memory twice (two versions). At most 10,000 keys; the quick profile's 2,048, the
// requests of a timed run, since each row's check stores and reads back every key.
std::uint64_t round_trip_keys(std::size_t value_bytes, bool quick);

// Open-loop GETs: sent at a fixed offered rate over an asynchronous connection, each latency
// taken from its request's intended send time (no coordinated omission).
struct OpenLoopSpec {
  std::string system;
  Transport transport = Transport::unix_socket;
  std::uint64_t rate = 10'000;  // requests per second offered
  std::size_t value_bytes = 100;
  std::uint64_t keys = 0, seed = 0;  // keys: round_trip_keys()
};
CaseFactory open_loop(const OpenLoopSpec& spec);

struct EvictionSpec {
  std::string system, eviction, workload;
  std::uint64_t hold_entries = 0, key_count = 0;
  std::size_t value_bytes = 100, batch = 64;
  std::shared_ptr<const Requests> warmup, measured;
  std::shared_ptr<const std::vector<double>> irm_probabilities;  // for Che; null unless IRM
};
CaseFactory eviction(const EvictionSpec& spec);

// The server the round-trip rows of a system and value size share: started by the first row that
// needs it, started again when a row finds it dead. Servers also stop when the process exits.
std::shared_ptr<Server> shared_server(const std::string& system, std::uint64_t keys, std::size_t value_bytes);
// From now on the round-trip rows of `system` use the user's server at `endpoint` instead of one of
// their own (the setting `endpoints`); nullopt: their own again.
void use_endpoint(const std::string& system, const std::optional<Endpoint>& endpoint);

}  // namespace hotbench::cache::kv
