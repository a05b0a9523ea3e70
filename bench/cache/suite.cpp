// The caching suite's registration: which rows a run has, from the suite's
// settings (--hotbench_set=KEY=VALUE, read in read_settings; docs/cache.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>

#include "../harness/measure.h"
#include "../harness/settings.h"
#include "../harness/suite.h"
#include "cases.h"
#include "concurrent.h"
#include "floors.h"
#include "servers/kv.h"
#include "servers/register.h"
#include "query/query.h"
#include "trace.h"
#include "trace_read.h"

namespace hotbench::cache {
namespace {

const std::vector<std::string> kTasks = {"throughput", "mrc",        "hit",        "floor",          "concurrent",
                                         "trace",      "trace_read", "server_get", "server_set", "server_open_loop", "server_eviction", "query"};
const std::vector<std::string> kFloorLevels = {"l1", "l2", "llc", "dram"};
constexpr const char* kBestMap = "boost_flat";  // the map the sweeps use (fastest here; see docs/cache.md)
constexpr std::size_t kResidentCapacity = 65536;
// Bare lookups at a small map, at the hit rows' size and at a million keys
// (sizes above 16 x the key space are left out, so small smoke runs stay small).
const std::vector<std::size_t> kRawLookupEntries = {1024, 1 << 20};  // plus the hit rows' size
constexpr std::size_t kTraceReadRecords = 1 << 21;

struct Config {
  std::vector<std::string> policies, maps, workloads, tasks, floor_levels;
  bool maps_given = false;
  std::vector<std::size_t> capacities;
  std::vector<std::uint64_t> trace_capacity_percent;
  std::size_t trace_server_requests = 0;
  std::uint64_t keys = 0, requests = 0, seed = 0;
  std::size_t value_bytes = 0;
  std::vector<int> threads;
  kv::ServerConfig servers;
};

void check_workload(const std::string& name) { parse_workload(name); }

// The profiles: quick (a minute for every suite), default (every task, policy and map; the
// miss-ratio curve on one workload at four capacities; 1 and 2 threads) and full (the sweeps:
// six workloads, eight capacities, 4 threads too).
// Instruction counting (valgrind runs everything ~50x slower) registers a smaller
// deterministic set: single-thread rows without the sweep, short streams, cache-sized floors.
Config read_settings(const Options& options, Settings& set) {
  const bool quick = options.profile == "quick", full = options.profile == "full";
  const bool valgrind = measure::under_valgrind();
  Config c;
  c.policies = set.names("policies", policy_registry_names(), policy_registry_names(), "eviction policies to run");
  c.maps_given = set.given("maps");
  c.maps = set.names("maps", map_names(), map_names(), "hash maps of the throughput rows (default: the best map, and every map for LRU)");
  c.workloads = set.items("workloads", full ? std::vector<std::string>{"zipf0.6", "zipf0.8", "zipf0.99", "zipf1.2", "uniform", "scan"}
                                            : std::vector<std::string>{"zipf0.99"},
                          "zipf<a> (0 < a <= 5), uniform, scan, optionally -rw<percent of writes>",
                          "workloads of the miss-ratio curves (mrc)", check_workload);
  c.tasks = set.names("tasks", valgrind ? std::vector<std::string>{"throughput", "hit", "floor", "trace", "trace_read"} : kTasks,
                      kTasks, "which tasks run");
  // The dram level is the full profile's: building and checking its chase (twice the reported
  // last-level cache, 1 GiB on a VM that reports 508 MiB) took 14 of the default run's 190 s.
  c.floor_levels = set.names("floor_levels", valgrind ? std::vector<std::string>{"l1", "l2"}
                                             : full   ? kFloorLevels
                                                      : std::vector<std::string>{"l1", "l2", "llc"},
                             kFloorLevels, "pointer-chase floors: working sets the size of each cache level");
  c.keys = set.integer("keys", 100'000, 1, 1u << 30, "key space of the generated workloads");
  std::vector<std::uint64_t> percent_capacities;
  for (double pct : quick ? std::vector<double>{1.0, 10.0}
                    : full ? std::vector<double>{0.1, 0.3, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0}
                           : std::vector<double>{0.1, 1.0, 10.0, 30.0})
    percent_capacities.push_back(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(pct / 100 * static_cast<double>(c.keys))));
  percent_capacities.erase(std::unique(percent_capacities.begin(), percent_capacities.end()), percent_capacities.end());
  for (auto v : set.integers("capacities", percent_capacities, 1, 1u << 30,
                             "capacities of the miss-ratio curves, in entries (default: 0.1, 1, 10 and 30 % of the keys; "
                             "full: eight points from 0.1 to 30 %)"))
    c.capacities.push_back(v);
  c.trace_capacity_percent =
      set.integers("trace_capacity_percent", full ? std::vector<std::uint64_t>{1, 10} : std::vector<std::uint64_t>{10}, 1, 100,
                   "capacities of the trace rows, in percent of the trace's distinct keys (and of their bytes, for "
                   "a trace with object sizes)");
  // Traces through the servers in the full profile only (the default run has server_eviction rows
  // on the Zipf stream); a server answers hundreds of thousands of requests a second, not tens of
  // millions: a trace's first 2^17.
  c.trace_server_requests = full ? 1 << 17 : 0;
  c.requests = set.integer("requests", valgrind ? 1 << 16 : quick ? 1 << 18 : 1 << 20, 1, 1u << 28,
                           "requests per timed run (and per warm-up)");
  c.value_bytes = set.integer("value_bytes", 100, 1, 1 << 20, "bytes of each cached value");
  c.seed = set.integer("seed", 42, 1, ~0u, "seed of the generated workloads");
  for (auto t : set.integers("threads", quick ? std::vector<std::uint64_t>{2} : full ? std::vector<std::uint64_t>{1, 2, 4}
                                                                                  : std::vector<std::uint64_t>{1, 2},
                             1, 64, "threads of the concurrent rows"))
    c.threads.push_back(static_cast<int>(t));
  c.servers = kv::read_server_settings(options, set);
  set.selects_rows({"policies", "maps", "workloads", "tasks", "floor_levels", "capacities", "trace_capacity_percent",
                    "threads", "value_bytes"});
  for (std::size_t cap : c.capacities)
    if (cap > c.keys)
      set.refuse("capacities", std::to_string(cap) + " entries exceeds the key space of " + std::to_string(c.keys) + " keys");
  return c;
}

bool wants(const Config& s, const std::string& task) {
  return std::find(s.tasks.begin(), s.tasks.end(), task) != s.tasks.end();
}

struct Streams {
  std::shared_ptr<const Workload> workload;
  Stream warmup, measured;
  std::shared_ptr<const std::vector<double>> probabilities;
};

// Workloads and their request streams, made once per process and shared by rows (the streams when
// the first row using them is made).
const Streams& streams_of(const std::string& name, const Config& s) {
  static std::map<std::string, Streams> made;
  auto it = made.find(name);
  if (it != made.end()) return it->second;
  WorkloadSpec spec = parse_workload(name);
  spec.keys = s.keys;
  spec.seed = s.seed;
  Streams st;
  auto w = std::make_shared<Workload>(spec);
  st.warmup = Stream::later([w, n = s.requests] { return w->generate(n, 0); });
  st.measured = Stream::later([w, n = s.requests] { return w->generate(n, 1); });
  if (spec.independent()) st.probabilities = std::make_shared<std::vector<double>>(w->rank_probabilities());
  st.workload = std::move(w);
  return made[name] = std::move(st);
}

CaseId id_of(const std::string& task, const std::string& library, const std::string& variant,
             const std::string& dataset, std::vector<std::pair<std::string, std::string>> params) {
  return CaseId{"cache", task, library, variant, dataset, std::move(params)};
}

// A replay row's factory: its streams are made when the case is (lazy.h), not when the row is registered.
CaseFactory replay_case(const std::string& policy, const std::string& map, bool string_keys, ReplaySpec spec,
                        Stream warmup, Stream measured) {
  return [make = find_policy(policy)->replay.at(map), string_keys, spec, warmup, measured]() mutable {
    spec.warmup = warmup.shared();
    spec.measured = measured.shared();
    return make(string_keys, spec)();
  };
}

void add_replay(const Config& s, const std::string& task, const std::string& policy, const std::string& map,
                const std::string& workload, std::size_t capacity, std::size_t value_bytes, bool string_keys) {
  const Streams& st = streams_of(workload, s);
  ReplaySpec spec;
  spec.policy = policy;
  spec.workload = workload;
  spec.capacity = capacity;
  spec.value_bytes = value_bytes;
  spec.key_count = s.keys;
  spec.irm_probabilities = st.probabilities;
  spec.seed = s.seed;
  register_case(id_of(task, policy, map, workload,
                      {{"capacity", std::to_string(capacity)},
                       {"value_bytes", std::to_string(value_bytes)},
                       {"key", string_keys ? "string" : "u64"}}),
                replay_case(policy, map, string_keys, spec, st.warmup, st.measured), Clock::wall);
}

// The start of a stream, for the server rows: a server answers hundreds of thousands of requests a
// second, not tens of millions.
Stream server_head(Stream stream, std::size_t at_most = 1 << 17) {
  return Stream::later([stream, at_most] {
    const Requests& r = *stream;
    const std::size_t n = std::min<std::size_t>(r.ids.size(), at_most);
    Requests out;
    out.ids.assign(r.ids.begin(), r.ids.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
  });
}

void add_traces(const Config& s, const std::vector<std::string>& files) {
  for (const auto& file : files) {
    const std::string name = dataset_name(file, trace_suffixes());
    std::shared_ptr<Trace> trace;
    std::string error;
    try {
      trace = std::make_shared<Trace>(read_trace(file));
    } catch (const std::exception& e) {
      error = e.what();
    }
    const TraceSuffix* format = trace_format_of(file);
    if (format && format->format == TraceFormat::oracle_general && wants(s, "trace_read"))
      register_case(id_of("trace_read", "oracle_general", format->zstd ? "zstd" : "", name, {}),
                    [file] { return std::make_unique<TraceRead>(file, std::vector<std::uint64_t>{}, false); });
    if (trace && wants(s, "server_eviction") && s.trace_server_requests) {  // the trace's start through the servers, warmed by itself
      auto head = server_head(std::shared_ptr<const Requests>(trace, &trace->requests), s.trace_server_requests);
      kv::register_evictions(s.servers, trace->distinct_keys, name, head, head, nullptr);
    }
    if (!wants(s, "trace")) continue;
    // shares the trace's requests (no copy per policy)
    const auto requests = trace ? std::shared_ptr<const Requests>(trace, &trace->requests) : nullptr;
    for (const auto& policy : s.policies) {
      if (!trace) {  // an error row per policy, naming the file and the record
        register_case(id_of("trace", policy, kBestMap, name, {}),
                      [error]() -> std::unique_ptr<Case> { throw TraceError(error); });
        continue;
      }
      // Sized caches (they count hit bytes) limited in entries, and, for a trace with object sizes, in bytes:
      // shares of the distinct keys and of the distinct objects' bytes.
      for (const double pct : s.trace_capacity_percent) {
        ReplaySpec spec;
        spec.policy = policy;
        spec.workload = name;
        spec.sized = true;
        spec.capacity = std::max<std::size_t>(1, static_cast<std::size_t>(pct / 100 * static_cast<double>(trace->distinct_keys)));
        spec.value_bytes = s.value_bytes;
        spec.key_count = trace->distinct_keys;
        spec.warmup = requests;  // replayed once to warm up (cold_hit_ratio), then timed
        spec.measured = requests;
        spec.seed = 0;
        register_case(id_of("trace", policy, kBestMap, name,
                            {{"capacity", std::to_string(spec.capacity)}, {"value_bytes", std::to_string(spec.value_bytes)},
                             {"key", "u64"}}),
                      find_policy(policy)->replay.at(kBestMap)(false, spec), Clock::wall);
        if (trace->requests.sizes.empty() || trace->distinct_bytes == 0) continue;
        spec.capacity = 0;
        spec.capacity_bytes =
            std::max<std::uint64_t>(1, static_cast<std::uint64_t>(pct / 100 * static_cast<double>(trace->distinct_bytes)));
        register_case(id_of("trace", policy, kBestMap, name,
                            {{"capacity_bytes", std::to_string(spec.capacity_bytes)},
                             {"value_bytes", std::to_string(spec.value_bytes)}, {"key", "u64"}}),
                      find_policy(policy)->replay.at(kBestMap)(false, spec), Clock::wall);
      }
    }
  }
}

}  // namespace
}  // namespace hotbench::cache

namespace hotbench {

const SuiteInfo& suite_info() {
  static const SuiteInfo info = {
      "cache",
      "In-process caches: eviction policies over hash maps, concurrent caches, hit ratios against oracles",
      {{"throughput", "replay of a generated request stream through a policy over a map (zipf0.99, 10 % capacity)"},
       {"mrc", "miss-ratio curve: hit ratio of each policy at each capacity, judged against oracles"},
       {"hit", "every request hits a resident key: the policy's hit path"},
       {"floor", "the floors: a pointer chase per cache level and a bare map lookup"},
       {"concurrent", "several threads on one shared cache (zipf and same-key), values checked while timed"},
       {"trace", "replay of a request trace file (the corpus's generated Zipf trace with object sizes, or "
                 "--hotbench_data: .csv, .txt, .oracleGeneral[.bin][.zst])"},
       {"trace_read", "the oracleGeneral trace reader's own rate (as is and zstd-compressed)"},
       {"server_get", "GET round trips to a server (Redis, memcached; the in-process LRU and a socket echo as floors) "
                      "at a pipeline depth, every reply checked; redis-benchmark beside Redis"},
       {"server_set", "SET round trips, every key read back at the version last stored"},
       {"server_open_loop", "GETs at a fixed offered rate over hiredis's asynchronous API, latency from each "
                            "request's intended send time (no coordinated omission), every reply checked"},
       {"server_eviction", "the suite's Zipf stream through a memory-bounded server (cache-aside, pipelined): hit "
                           "ratio against the server's own counters, an exact LRU at the entries it held, and Che"},
       {"query", "a query cache in front of a database (SQLite, PostgreSQL): Zipf requests for a user's joined row, "
                 "served by a strategy over a cache, every served result checked against the database"}},
      {{"hit_ratio", "fraction", "higher", "fraction", false, "cache hits / requests"},
       {"byte_hit_ratio", "fraction", "higher", "fraction", false,
        "bytes of the requests that hit / bytes requested (equals hit_ratio where objects have no sizes)"},
       {"not_admitted", "count", "", "count", true,
        "new keys a byte-bounded cache refused in the checked pass's measured requests: each alone outweighs the capacity"},
       {"checked_hit_ratio", "fraction", "higher", "fraction", true,
        "hit ratio of the measured requests in the checked pass on a fresh, warmed cache (what the oracles judge)"},
       {"cold_hit_ratio", "fraction", "higher", "fraction", true, "hit ratio of the warm-up requests from an empty cache"},
       {"che_hit_ratio", "fraction", "", "fraction", true, "Che's approximation of LRU's hit ratio (IRM rows)"},
       {"fifo_irm_hit_ratio", "fraction", "", "fraction", true, "FIFO's hit ratio under IRM, analytically"},
       {"top_c_hit_ratio", "fraction", "", "fraction", true,
        "hit ratio of keeping the C most popular keys: no policy beats it under IRM"},
       {"oracle_tolerance", "fraction", "", "fraction", true, "allowed gap to an oracle: max(0.005, 4 standard errors)"},
       {"ns_per_request", "ns per request", "lower", "time", false,
        "the cache's own timing of its timed runs (the hit cost in the effective access time)"},
       {"eat_ns_0", "ns per request", "lower", "time", false, "effective access time with no miss penalty"},
       {"eat_ns_150", "ns per request", "lower", "time", false, "effective access time, 150 ns miss penalty (DRAM)"},
       {"eat_ns_30000", "ns per request", "lower", "time", false,
        "effective access time, 30 us miss penalty (loopback network round trip)"},
       {"eat_ns_1000000", "ns per request", "lower", "time", false, "effective access time, 1 ms miss penalty (database)"},
       {"bytes_per_entry", "bytes per entry", "lower", "size", true,
        "heap bytes requested to build the cache and fill it to capacity, per entry (index, slots, value)"},
       {"timer_ns", "ns", "", "time", false, "cost of one timer read pair, subtracted from the sampled latencies"},
       {"capacity", "entries", "", "count", true, "cache capacity in entries (or map size of a raw lookup)"},
       {"capacity_bytes", "bytes", "", "size", true,
        "capacity in bytes: a policy's bound on the sum of its resident objects' sizes (trace rows), or a "
        "server's memory bound (Redis maxmemory, memcached -m; server_eviction rows)"},
       {"value_bytes", "bytes", "", "size", true, "value payload size"},
       {"rate", "requests/s", "", "other", true, "open loop: intended send rate, whatever the replies do"},
       {"send_late_p99_ns", "ns", "lower", "time", true,
        "99th percentile of how late the open-loop client sent a request after its intended time (included in the "
        "latencies; large when the client, not the server, falls behind)"},
       {"keys", "count", "", "count", true, "key space of the workload (distinct keys of a trace)"},
       {"seed", "number", "", "other", true, "seed of the generated workload (--hotbench_set=seed), recorded on its rows"},
       {"bytes", "bytes", "", "size", true, "working set of a pointer-chase floor"},
       {"records", "count", "", "count", true, "records in the generated trace of the read-rate row"},
       {"pipeline", "requests", "", "count", true, "requests sent before the first reply is read (pipeline depth)"},
       {"connections", "count", "", "count", true, "connections to the server, one thread each"},
       {"resident_entries", "entries", "", "count", true,
        "entries the memory-bounded server held after the warm-up (what the same-capacity oracles use)"},
       {"target_entries", "entries", "", "count", true, "entries the server's memory bound was sized to hold"},
       {"refused_fill_ratio", "fraction", "lower", "fraction", false,
        "server_eviction and query rows of a server store: misses whose fill (SET) the server refused for lack of "
        "memory (memcached's \"out of memory storing object\"; the key stays absent)"},
       {"lru_same_capacity_hit_ratio", "fraction", "", "fraction", true,
        "an exact LRU holding resident_entries, fed the same batched commands"},
       {"tool_ops_per_s", "ops/s", "higher", "throughput", false,
        "redis-benchmark's own throughput figure (its rows' ops_per_s also counts the tool's start-up)"},
       {"db_query_ns", "ns per query", "lower", "time", false,
        "the database's own cost of the row's query, measured on the same data (direct queries for the row's requests)"},
       {"hit_ns", "ns per request", "lower", "time", false, "mean latency of a query row's sampled reads that hit"},
       {"miss_ns", "ns per request", "lower", "time", false,
        "mean latency of a query row's sampled reads that missed (cache lookup, query, cache fill)"},
       {"eat_ns_measured", "ns per request", "lower", "time", false,
        "effective access time with the measured miss cost: hit_ns + (1 - hit_ratio) x db_query_ns"},
       {"stale_reads", "count", "lower", "count", true,
        "reads in the checked pass that returned a result the database held before a write (any fails the row)"},
       {"users", "count", "", "count", true, "users in the query rows' generated tables"},
       {"orders", "count", "", "count", true, "orders in the query rows' generated tables"},
       {"writes", "percent of requests", "", "other", true, "share of a query row's requests that update a row"},
       {"db_load_s", "s", "lower", "time", false, "seconds to generate and load the query rows' tables, with indexes"}},
      cache::trace_suffixes(),
      // workloads are generated from recorded seeds; the trace rows replay the generated corpus's trace
      // (data/generate.py: requests.oracleGeneral) or the traces given with --hotbench_data
      {corpus_dir()},
      // every policy and map on the single-thread replay and hit rows (the small valgrind set: read_settings)
      "^cache/(throughput|hit)/.*",
  };
  return info;
}

void register_suite(const Options& options, Settings& settings, const std::vector<std::string>& files) {
  using namespace hotbench::cache;
  policy_registry().sort();
  const Config s = read_settings(options, settings);
  benchmark::AddCustomContext("cache_seed", std::to_string(s.seed));
  benchmark::AddCustomContext("cache_keys", std::to_string(s.keys));
  benchmark::AddCustomContext("cache_requests", std::to_string(s.requests));
  // Only where server rows can run: instruction counting runs none, so its results (the gate's
  // baseline) do not change comparability when a server's configuration does.
  if (!measure::under_valgrind()) benchmark::AddCustomContext("hotbench_servers", kv::systems_config());
  const std::size_t throughput_capacity = std::max<std::uint64_t>(1, s.keys / 10);
  const std::string base = "zipf0.99";
  const std::size_t resident_capacity = std::min<std::size_t>(kResidentCapacity, s.keys);

  if (wants(s, "throughput")) {
    // Every policy over the best map (or over each map given), LRU over every map,
    // then LRU's sensitivity to key type, value size and writes.
    const std::vector<std::string> maps = s.maps_given ? s.maps : std::vector<std::string>{kBestMap};
    for (const auto& policy : s.policies)
      for (const auto& map : maps) add_replay(s, "throughput", policy, map, base, throughput_capacity, s.value_bytes, false);
    const bool lru = find_policy("lru") && std::count(s.policies.begin(), s.policies.end(), "lru");
    if (lru && !s.maps_given) {
      for (const auto& map : map_names())
        if (map != kBestMap) add_replay(s, "throughput", "lru", map, base, throughput_capacity, s.value_bytes, false);
    }
    if (lru) {
      const std::string map = s.maps.front() == kBestMap || !s.maps_given ? kBestMap : s.maps.front();
      add_replay(s, "throughput", "lru", map, base, throughput_capacity, s.value_bytes, true);
      for (std::size_t vb : {std::size_t{8}, std::size_t{1024}})
        if (vb != s.value_bytes) add_replay(s, "throughput", "lru", map, base, throughput_capacity, vb, false);
      add_replay(s, "throughput", "lru", map, base + "-rw10", throughput_capacity, s.value_bytes, false);
    }
  }
  if (wants(s, "mrc"))
    for (const auto& workload : s.workloads)
      for (const auto& policy : s.policies)
        for (std::size_t c : s.capacities) add_replay(s, "mrc", policy, kBestMap, workload, c, s.value_bytes, false);
  if (wants(s, "hit")) {
    // Every request hits a resident key: the policy's hit path against a bare lookup.
    const std::size_t capacity = resident_capacity;
    const Stream stream = Stream::later([capacity, n = s.requests, seed = s.seed] {
      return Requests{resident_stream(capacity, n, seed), {}};
    });
    const Stream warm = Stream::later([capacity] {
      Requests fill;
      for (std::uint32_t id = 0; id < capacity; ++id) fill.ids.push_back(id);
      return fill;
    });
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& policy : s.policies) pairs.emplace_back(policy, kBestMap);
    for (const auto& map : map_names())
      if (map != kBestMap && find_policy("lru")) pairs.emplace_back("lru", map);
    for (const auto& [policy, map] : pairs) {
      ReplaySpec spec;
      spec.policy = policy;
      spec.workload = "resident";
      spec.capacity = capacity;
      spec.value_bytes = s.value_bytes;
      spec.key_count = capacity;
      spec.seed = s.seed;
      spec.all_hits = true;
      register_case(id_of("hit", policy, map, "resident",
                          {{"capacity", std::to_string(capacity)}, {"value_bytes", std::to_string(s.value_bytes)},
                           {"key", "u64"}}),
                    replay_case(policy, map, false, spec, warm, stream), Clock::wall);
    }
  }
  if (wants(s, "floor")) {
    for (const auto& level : chase_levels())
      if (std::count(s.floor_levels.begin(), s.floor_levels.end(), level.name))
        register_case(id_of("floor", "pointer_chase", "", level.name, {{"bytes", std::to_string(level.bytes)}}),
                    pointer_chase(level.bytes, s.seed), Clock::wall);
    std::set<std::size_t> sizes = {resident_capacity};
    for (std::size_t entries : kRawLookupEntries)
      if (entries <= 16 * s.keys) sizes.insert(entries);
    for (const auto& [map, make] : raw_lookups()) {
      for (std::size_t entries : sizes)
        register_case(id_of("floor", "raw_lookup", map, "resident", {{"capacity", std::to_string(entries)}}),
                      make(entries, s.requests, s.seed, 0), Clock::wall);
      // The same lookups reading the hit rows' values: the map plus the bytes a hit must touch.
      register_case(id_of("floor", "raw_lookup", map, "resident",
                          {{"capacity", std::to_string(resident_capacity)}, {"value_bytes", std::to_string(s.value_bytes)}}),
                    make(resident_capacity, s.requests, s.seed, s.value_bytes), Clock::wall);
    }
  }
  // Multi-thread rows mean nothing under valgrind (it serialises threads) and
  // take minutes there: not registered in the instruction-count mode.
  if (wants(s, "concurrent") && !measure::under_valgrind()) {
    for (const std::string workload : {"zipf0.99", "samekey"}) {
      const Streams& st = streams_of("zipf0.99", s);
      for (int threads : s.threads) {
        ConcurrentSpec spec;
        spec.workload = workload;
        spec.capacity = throughput_capacity;
        spec.value_bytes = s.value_bytes;
        spec.key_count = s.keys;
        spec.seed = s.seed;
        const std::size_t each = std::max<std::size_t>(1, s.requests / static_cast<std::size_t>(threads));
        std::vector<Stream> per_thread;
        for (int t = 0; t < threads; ++t) {
          per_thread.push_back(Stream::later([w = st.workload, samekey = workload == "samekey", each, t] {
            return samekey ? Requests{std::vector<std::uint32_t>(each, w->id_of_rank(0)), {}}
                           : w->generate(each, 10 + static_cast<std::uint64_t>(t));
          }));
        }
        for (const auto& impl : concurrent_registry().all()) {
          const auto colon = impl.name.find(':');
          register_case(id_of("concurrent", impl.name.substr(0, colon),
                              colon == std::string::npos ? "" : impl.name.substr(colon + 1), workload,
                              {{"capacity", std::to_string(spec.capacity)}, {"threads", std::to_string(threads)}}),
                        [make = impl.make, spec, per_thread]() mutable {  // the streams when the case is made
                          for (const Stream& r : per_thread) spec.per_thread.push_back(r.shared());
                          return make(spec)();
                        },
                        Clock::wall);
        }
      }
    }
  }
  if (wants(s, "trace_read")) {
    // The reader's rate over a generated file, as is and zstd-compressed (as the public collections ship them).
    for (const auto& [variant, suffix] : {std::pair<std::string, std::string>{"", ".oracleGeneral"}, {"zstd", ".oracleGeneral.zst"}})
      register_case(id_of("trace_read", "oracle_general", variant, "generated",
                          {{"records", std::to_string(kTraceReadRecords)}}),
                    [seed = s.seed, suffix = suffix] {
                      std::vector<std::uint64_t> ids(kTraceReadRecords);
                      for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = mix64(seed + i % 100'000);
                      const auto path = (std::filesystem::temp_directory_path() /
                                         ("hotbench-trace-read-" + std::to_string(::getpid()) + suffix))
                                            .string();
                      write_oracle_general(path, ids);
                      return std::make_unique<TraceRead>(path, std::move(ids), true);
                    });
  }
  add_traces(s, files);
  kv::register_round_trips(s.servers, s.tasks, s.seed);
  if (wants(s, "server_open_loop")) kv::register_open_loops(s.servers, s.seed);
  if (wants(s, "server_eviction"))
    for (const auto& workload : s.workloads) {  // the miss-ratio curves' workloads
      const Streams& st = streams_of(workload, s);
      const std::size_t head = std::min<std::size_t>(1 << 17, s.requests / 4);  // quick: 65,536
      kv::register_evictions(s.servers, s.keys, workload, server_head(st.warmup, head), server_head(st.measured, head),
                             st.probabilities);
    }
  query::register_cases(options, settings, wants(s, "query") && !measure::under_valgrind(), s.seed, kBestMap,
                        s.servers.endpoints);
}

}  // namespace hotbench
