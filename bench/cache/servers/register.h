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
  std::vector<std::uint64_t> pipelines, connections, value_sizes, eviction_percent;
  bool redis_benchmark = true, redis_benchmark_tcp = false;
  std::map<std::string, Endpoint> endpoints;  // system -> the user's server it uses
};

ServerConfig read_server_settings(const Options& options, Settings& settings);

// The eviction rows replay `workload` (its warm-up and measured streams over key_count keys).
void register_server_cases(const ServerConfig& config, const std::vector<std::string>& tasks, std::uint64_t key_count,
                           std::uint64_t seed, const std::string& workload, std::shared_ptr<const Requests> warmup,
                           std::shared_ptr<const Requests> measured,
                           std::shared_ptr<const std::vector<double>> probabilities);

}  // namespace hotbench::cache::kv
