// The query task's settings and rows.
//
// Names: cache/query/<database>:<strategy>[.<policy>]/<workload>/users=N[/capacity=C]/writes=W
// (library = the database, variant = the serving strategy and its cache store, writes = percent of
// requests that update a row). One database of each kind per process, loaded once and shared by its
// rows (each row has a fresh cache); a database that cannot start gives every row of it the same error.
#include "query.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "../../harness/case.h"
#include "../cases.h"
#include "query_case.h"

namespace hotbench::cache::query {
namespace {

// The measured stream holds this many slices (one per run()), so runs rarely repeat requests.
constexpr std::uint64_t kSlices = 16;
// The warm-up stream: at least this many requests per cache entry.
constexpr std::uint64_t kWarmupPerEntry = 4;

struct Config {
  std::vector<std::string> databases, strategies, policies, workloads;
  std::vector<std::uint64_t> writes, capacity_percent;
  std::uint64_t users = 0, requests = 0;
  bool policies_given = false, databases_given = false;
};

void check_workload(const std::string& name) {
  if (parse_workload(name).write_fraction > 0)
    throw std::invalid_argument("workload '" + name + "': the write share is query_writes=, not -rw");
}

Config read_settings(const Options& options, Settings& set) {
  const bool quick = options.profile == "quick", full = options.profile == "full";
  Config c;
  databases().sort();
  c.databases_given = set.given("databases");
  c.databases = set.names("databases", full ? databases().names() : std::vector<std::string>{"sqlite"},
                          databases().names(), "databases of the query rows (sqlite embedded; postgresql started by hotbench)");
  c.strategies = set.names("query_strategies",
                           full ? listed_strategy_names() : std::vector<std::string>{"none", "cache_aside"},
                           listed_strategy_names(), "serving strategies of the query rows");
  std::vector<std::string> stores = policy_registry_names();
  for (const auto& name : server_store_names()) stores.push_back(name);
  c.policies = set.names("query_policies", full ? stores : std::vector<std::string>{"lru"}, stores,
                         "caches in front of the database: in-process policies, or a server (redis: allkeys-lru, "
                         "memcached: its LRU; started by hotbench, bounded to hold the capacity's entries)");
  c.policies_given = set.given("query_policies");
  c.workloads = set.items("query_workloads", {"zipf0.99"}, "zipf<a> (0 < a <= 5), uniform, scan",
                          "request streams over the users", check_workload);
  c.writes = set.integers("query_writes", quick ? std::vector<std::uint64_t>{10} : std::vector<std::uint64_t>{0, 10}, 0,
                          100, "percent of requests that update a user's row");
  c.capacity_percent = set.integers("query_capacities", full ? std::vector<std::uint64_t>{1, 10} : std::vector<std::uint64_t>{10},
                                    1, 100, "cache capacities, in percent of the users");
  c.users = set.integer("query_users", quick ? 20'000 : full ? 1'000'000 : 100'000, 1, 1u << 30,
                        "users in the generated tables (orders: 5 per user on average)");
  c.requests = set.integer("query_requests", quick ? 1 << 12 : 1 << 14, 1, 1u << 22,
                           "requests per timed run of a query row (the measured stream holds 16 runs; the warm-up "
                           "as many requests, or 4 per cache entry if that is more)");
  set.selects_rows({"databases", "query_strategies", "query_policies", "query_workloads", "query_writes",
                    "query_capacities", "query_users"});
  return c;
}

// One database per (name, tables) per process: loading it is the expensive part. `endpoint`: the
// user's server instead of one hotbench starts.
std::shared_ptr<Database> shared_database(const std::string& name, const TableSpec& tables,
                                          const std::optional<kv::Endpoint>& endpoint) {
  struct Opened {
    std::shared_ptr<Database> db;
    std::string error;
  };
  static std::map<std::tuple<std::string, std::uint64_t, std::uint64_t>, Opened> opened;
  auto key = std::tuple{name, tables.users, tables.seed};
  auto it = opened.find(key);
  if (it == opened.end()) {
    Opened o;
    try {
      const DatabaseInfo* info = databases().find(name);
      if (!info) throw DatabaseError("no database '" + name + "'");
      o.db = endpoint ? info->attach(tables, *endpoint) : info->open(tables);
    } catch (const std::exception& e) {
      o.error = e.what();
    }
    it = opened.emplace(key, std::move(o)).first;
  }
  if (!it->second.error.empty()) throw DatabaseError(it->second.error);
  if (!it->second.db->alive()) throw DatabaseError(it->second.db->version() + " died during an earlier row");
  return it->second.db;
}

Stream stream_of(const std::string& workload, std::uint64_t writes, const Config& c, std::uint64_t seed,
                 std::uint64_t number, std::uint64_t length) {
  static std::map<std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t>, Stream> made;
  auto key = std::tuple{workload, writes, number, length};
  if (auto it = made.find(key); it != made.end()) return it->second;
  WorkloadSpec spec = parse_workload(workload);  // throws for a bad name now, at registration
  spec.keys = c.users;
  spec.seed = seed;
  spec.write_fraction = static_cast<double>(writes) / 100;
  Stream r = Stream::later([spec, length, number] { return Workload(spec).generate(length, number); });
  made.emplace(key, r);
  return r;
}

}  // namespace

void register_cases(const Options& options, Settings& settings, bool enabled, std::uint64_t seed,
                    const std::string& map, const std::map<std::string, kv::Endpoint>& endpoints) {
  Config c = read_settings(options, settings);
  if (!enabled) return;
  // A database of the user's (endpoints=) has rows unless the databases were chosen explicitly.
  for (const auto& [name, at] : endpoints)
    if (!c.databases_given && databases().find(name) &&
        std::find(c.databases.begin(), c.databases.end(), name) == c.databases.end())
      c.databases.push_back(name);
  for (const auto& database : c.databases) {
    std::optional<kv::Endpoint> endpoint;
    if (auto it = endpoints.find(database); it != endpoints.end()) endpoint = it->second;
    // As the server rows: the user's server is in the variant, endpoint_unix. or endpoint_tcp.
    const std::string on = endpoint ? "endpoint_" + std::string(kv::transport_name(endpoint->transport)) + "." : "";
    for (const auto& workload : c.workloads)
      for (std::uint64_t writes : c.writes)
        for (const auto& strategy : c.strategies) {
          const StrategyInfo* info = find_strategy(strategy);
          if (writes == 0 && info->writes_only) continue;
          const bool cached = info->cached;
          // Every policy behind cache-aside; the other strategies over the first policy only (their
          // rows are about the strategy), unless the policies were chosen explicitly.
          std::vector<std::string> policies{""};
          if (cached) policies = c.policies_given || strategy == "cache_aside" ? c.policies
                                                                                : std::vector<std::string>{c.policies.front()};
          for (const auto& policy : policies)
            for (std::uint64_t pct : cached ? c.capacity_percent : std::vector<std::uint64_t>{0}) {
              QuerySpec spec;
              spec.database = database;
              spec.strategy = strategy;
              spec.policy = policy;
              spec.map = cached ? map : "";
              spec.workload = workload;
              spec.capacity = cached ? std::max<std::uint64_t>(1, c.users * pct / 100) : 0;
              spec.users = c.users;
              spec.seed = seed;
              spec.slice = c.requests;
              const Stream warmup = stream_of(workload, writes, c, seed, 0, std::max(c.requests, kWarmupPerEntry * spec.capacity));
              const Stream measured = stream_of(workload, writes, c, seed, 1, kSlices * c.requests);
              std::vector<std::pair<std::string, std::string>> params{{"users", std::to_string(c.users)}};
              if (cached) params.emplace_back("capacity", std::to_string(spec.capacity));
              params.emplace_back("writes", std::to_string(writes));
              register_case(CaseId{"cache", "query", database, on + (cached ? strategy + "." + policy : strategy),
                                   workload, std::move(params)},
                            [spec, warmup, measured, endpoint]() mutable {  // the streams when the case is made
                              spec.warmup = warmup.shared();
                              spec.measured = measured.shared();
                              return std::make_unique<QueryCase>(
                                  spec, shared_database(spec.database, TableSpec{spec.users, spec.seed}, endpoint));
                            },
                            Clock::wall);
            }
        }
  }
}

}  // namespace hotbench::cache::query
