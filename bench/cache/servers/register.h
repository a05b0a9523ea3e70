// The server tasks' settings and registration, called from the suite's
// register_suite (suite.cpp) so every setting of the suite is read in one pass.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../../harness/settings.h"
#include "../workload.h"
#include "kv.h"

namespace hotbench::cache::kv {

struct ServerConfig {
  std::vector<std::string> systems, evictions;
  std::vector<std::uint64_t> pipelines, connections, value_sizes, eviction_percent, open_loop_rates;
  bool redis_benchmark = true, redis_benchmark_tcp = false;
  bool quick = false;  // redis-benchmark's runs shorter too
  std::map<std::string, Endpoint> endpoints;  // system -> the user's server it uses
};

ServerConfig read_server_settings(const Options& options, Settings& settings);

void register_round_trips(const ServerConfig& config, const std::vector<std::string>& tasks, std::uint64_t seed);
// The server_open_loop rows: GETs at each offered rate, for the systems with an asynchronous client.
void register_open_loops(const ServerConfig& config, std::uint64_t seed);
// The server_eviction rows of one request stream: `workload` (a generated one or a trace) over key ids
// 0..key_count-1, its warm-up and measured streams; probabilities for Che (IRM workloads), else null.
void register_evictions(const ServerConfig& config, std::uint64_t key_count, const std::string& workload,
                        Stream warmup, Stream measured,
                        std::shared_ptr<const std::vector<double>> probabilities);

}  // namespace hotbench::cache::kv
