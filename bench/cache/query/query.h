// The cache suite's query task (docs/cache.md, "Query cache in front of a
// database"): its settings and rows, registered by one call from suite.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "../../harness/settings.h"
#include "../../harness/suite.h"
#include "../servers/kv.h"

namespace hotbench::cache::query {

// Declares the task's settings (always, so they are known and described) and, when `enabled`,
// registers its rows; `map` is the hash map under the in-process stores; a database named in
// `endpoints` (the servers' setting endpoints=) is the user's server at that endpoint.
void register_cases(const Options& options, Settings& settings, bool enabled, std::uint64_t seed,
                    const std::string& map, const std::map<std::string, kv::Endpoint>& endpoints);

}  // namespace hotbench::cache::query
