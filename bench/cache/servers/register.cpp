// Which server rows a run has: the settings of the server tasks (read with the
// rest of the suite's settings) and their registration.
#include "register.h"

#include <algorithm>

#include "../../harness/measure.h"
#include "../cases.h"
#include "../query/database.h"
#include "cases.h"

namespace hotbench::cache::kv {
namespace {

std::vector<std::string> system_names() {
  systems().sort();
  return systems().names();
}

std::vector<std::string> eviction_names() {
  std::vector<std::string> out;
  for (const auto& s : systems().all())
    for (const auto& e : s.evictions) out.push_back(s.name + ":" + e);
  return out;
}

CaseId id_of(const std::string& task, const std::string& library, const std::string& variant,
             const std::string& dataset, std::vector<std::pair<std::string, std::string>> params) {
  return CaseId{"cache", task, library, variant, dataset, std::move(params)};
}

void check_endpoint(const std::string& item) {
  const auto eq = item.find('=');
  if (eq == std::string::npos) throw std::invalid_argument("expected SYSTEM=ADDRESS");
  const std::string name = item.substr(0, eq);
  const System* s = systems().find(name);
  const query::DatabaseInfo* db = query::databases().find(name);
  if ((!s || !s->attach) && (!db || !db->attach)) {
    // Appended piece by piece: GCC 12 -O3 warns (-Wrestrict) on "literal" + std::string temporaries.
    std::string why = name;
    why += " cannot use a server of the user's (these can:";
    for (const auto& sys : systems().all())
      if (sys.attach) {
        why += ' ';
        why += sys.name;
      }
    for (const auto& d : query::databases().all())
      if (d.attach) {
        why += ' ';
        why += d.name;
      }
    why += ')';
    throw std::invalid_argument(why);
  }
  parse_endpoint(item.substr(eq + 1));  // throws std::invalid_argument saying what is wrong
}

// The transports of a system's rows: its own, or the one of the user's endpoint, which its rows
// then use (use_endpoint); `variant_prefix` is "endpoint_" then, as the rows are named.
std::vector<Transport> transports_of(const ServerConfig& c, const System& sys, std::string& variant_prefix) {
  const auto endpoint = c.endpoints.find(sys.name);
  variant_prefix.clear();
  if (endpoint == c.endpoints.end()) return sys.transports;
  use_endpoint(sys.name, endpoint->second);
  variant_prefix = "endpoint_";
  return {endpoint->second.transport};
}

}  // namespace

ServerConfig read_server_settings(const Options& options, Settings& set) {
  const bool quick = options.profile == "quick", full = options.profile == "full";
  ServerConfig c;
  c.systems = set.names("servers", system_names(), system_names(),
                        "systems of the server rows (echo is the socket floor, in_process the suite's LRU)");
  c.pipelines = set.integers("pipelines", quick ? std::vector<std::uint64_t>{1, 16} : std::vector<std::uint64_t>{1, 16, 128}, 1,
                             4096, "pipeline depths of the server round trips");
  c.connections = set.integers("connections", full ? std::vector<std::uint64_t>{1, 4} : std::vector<std::uint64_t>{1}, 1, 64,
                               "connections of the server round trips (one thread each)");
  c.value_sizes = set.integers("server_value_bytes",
                               full ? std::vector<std::uint64_t>{8, 100, 1024, 16384} : std::vector<std::uint64_t>{100}, 1,
                               1 << 20, "value sizes of the server round trips");
  // quick: one policy per server (the other Redis policies differ only in the policy).
  std::vector<std::string> quick_evictions;
  for (const auto& e : eviction_names())
    if (quick_evictions.empty() || e.substr(0, e.find(':')) != quick_evictions.back().substr(0, quick_evictions.back().find(':')))
      quick_evictions.push_back(e);
  c.evictions = set.names("server_evictions", quick ? quick_evictions : eviction_names(), eviction_names(),
                          "server-side eviction policies (system:policy) of the server_eviction rows (quick: the "
                          "first of each server)");
  c.eviction_percent = set.integers("server_eviction_percent",
                                    full ? std::vector<std::uint64_t>{1, 10} : std::vector<std::uint64_t>{10}, 1, 100,
                                    "entries the eviction rows' servers hold, in percent of the key space");
  c.open_loop_rates = set.integers("open_loop_rates",
                                   quick ? std::vector<std::uint64_t>{20'000} : std::vector<std::uint64_t>{10'000, 50'000, 100'000},
                                   1, 10'000'000,
                                   "offered rates of the open-loop rows, GETs per second (systems with an asynchronous "
                                   "client: redis)");
  c.redis_benchmark = set.flag("redis_benchmark", !quick,
                               "run redis-benchmark beside the Redis round trips (over the Unix socket; full: TCP too)");
  c.redis_benchmark_tcp = full;
  c.quick = quick;
  for (const auto& item : set.items("endpoints", {}, kUserEndpointForm,
                                    "a server of the user's for the round trips of SYSTEM instead of one hotbench "
                                    "starts (rows endpoint_unix/endpoint_tcp; keys under hotbench:<pid>:, deleted "
                                    "afterwards; nothing flushed or reconfigured; no eviction or redis-benchmark rows), "
                                    "or for the query rows of a database (postgresql=unix:/DIR/.s.PGSQL.PORT: tables in "
                                    "a schema hotbench_<pid>, dropped afterwards; role and database from PGUSER, "
                                    "PGDATABASE, PGPASSWORD)",
                                    check_endpoint)) {
    const auto eq = item.find('=');
    c.endpoints[item.substr(0, eq)] = parse_endpoint(item.substr(eq + 1));
  }
  set.selects_rows({"servers", "pipelines", "connections", "server_value_bytes", "server_evictions",
                    "server_eviction_percent", "open_loop_rates", "redis_benchmark", "endpoints"});
  return c;
}

void register_round_trips(const ServerConfig& c, const std::vector<std::string>& tasks, std::uint64_t seed) {
  if (measure::under_valgrind()) return;  // servers are other processes: nothing to count here
  auto wants = [&](const char* t) { return std::find(tasks.begin(), tasks.end(), t) != tasks.end(); };
  for (const char* task : {"server_get", "server_set"}) {
    if (!wants(task)) continue;
    const bool set = std::string(task) == "server_set";
    for (const auto& name : c.systems) {
      const System& sys = *systems().find(name);
      if (set && sys.floor) continue;
      std::string prefix;
      const std::vector<Transport> transports = transports_of(c, sys, prefix);
      const bool attached = !prefix.empty();
      for (auto transport : transports)
        for (auto vb : c.value_sizes)
          for (auto conns : c.connections)
            for (auto p : c.pipelines) {
              RoundTripSpec s;
              s.system = name;
              s.transport = transport;
              s.set = set;
              s.pipeline = p;
              s.connections = conns;
              s.value_bytes = vb;
              s.keys = round_trip_keys(vb, c.quick);
              s.seed = seed;
              s.quick = c.quick;
              const auto params = std::vector<std::pair<std::string, std::string>>{
                  {"pipeline", std::to_string(p)}, {"connections", std::to_string(conns)}, {"value_bytes", std::to_string(vb)}};
              const std::string variant = transport == Transport::memory ? "" : prefix + transport_name(transport);
              register_case(id_of(task, name, variant, "uniform", params), round_trip(s), Clock::wall);
              if (name == "redis" && !attached && c.redis_benchmark && (transport != Transport::tcp || c.redis_benchmark_tcp))
                register_case(id_of(task, "redis-benchmark", variant, "uniform", params), redis_benchmark(s), Clock::wall);
            }
    }
  }
}

void register_open_loops(const ServerConfig& c, std::uint64_t seed) {
  if (measure::under_valgrind()) return;
  for (const auto& name : c.systems) {
    const System& sys = *systems().find(name);
    if (!sys.async) continue;
    std::string prefix;
    for (auto transport : transports_of(c, sys, prefix))
      for (auto vb : c.value_sizes)
        for (auto rate : c.open_loop_rates) {
          OpenLoopSpec s;
          s.system = name;
          s.transport = transport;
          s.rate = rate;
          s.value_bytes = vb;
          s.keys = round_trip_keys(vb, c.quick);
          s.seed = seed;
          register_case(id_of("server_open_loop", name, prefix + transport_name(transport), "uniform",
                              {{"rate", std::to_string(rate)}, {"value_bytes", std::to_string(vb)}}),
                        open_loop(s), Clock::wall);
        }
  }
}

void register_evictions(const ServerConfig& c, std::uint64_t key_count, const std::string& workload,
                        Stream warmup, Stream measured,
                        std::shared_ptr<const std::vector<double>> probabilities) {
  if (measure::under_valgrind()) return;
  {
    for (const auto& e : c.evictions) {
      const auto colon = e.find(':');
      const std::string system = e.substr(0, colon), policy = e.substr(colon + 1);
      if (std::find(c.systems.begin(), c.systems.end(), system) == c.systems.end() || c.endpoints.count(system)) continue;
      for (auto pct : c.eviction_percent) {
        EvictionSpec s;
        s.system = system;
        s.eviction = policy;
        s.workload = workload;
        s.hold_entries = std::max<std::uint64_t>(1, key_count * pct / 100);
        s.key_count = key_count;
        s.value_bytes = 100;
        s.irm_probabilities = probabilities;
        register_case(id_of("server_eviction", system, policy, workload,
                            {{"target_entries", std::to_string(s.hold_entries)}, {"value_bytes", "100"}}),
                      [s, warmup, measured]() mutable {  // the streams when the case is made
                        s.warmup = warmup.shared();
                        s.measured = measured.shared();
                        return eviction(s)();
                      },
                      Clock::wall);
      }
    }
  }
}

}  // namespace hotbench::cache::kv
