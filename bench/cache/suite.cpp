// The caching suite's registration: which rows a run has, from the suite's
// settings (--hotbench_set=KEY=VALUE; see kSettingsHelp and docs/cache.md).
#include <benchmark/benchmark.h>
#include <boost/version.hpp>
#include <oneapi/tbb/version.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>

#include "../harness/measure.h"
#include "../harness/suite.h"
#include "cases.h"
#include "concurrent.h"
#include "floors.h"
#include "trace.h"

namespace hotbench::cache {

std::vector<PolicyInfo>& policy_registry() {
  static std::vector<PolicyInfo> list;
  return list;
}
const PolicyInfo* find_policy(const std::string& name) {
  for (const auto& p : policy_registry())
    if (p.name == name) return &p;
  return nullptr;
}
std::vector<std::string> map_names() {
  std::vector<std::string> names;
  for_each_map([&]<template <class> class>(const char* name) { names.push_back(name); });
  return names;
}
std::vector<ConcurrentInfo>& concurrent_registry() {
  static std::vector<ConcurrentInfo> list;
  return list;
}

double timer_cost_ns() {
  std::vector<double> ns(1001);
  for (auto& v : ns) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto t1 = std::chrono::steady_clock::now();
    v = std::chrono::duration<double, std::nano>(t1 - t0).count();
  }
  std::nth_element(ns.begin(), ns.begin() + 500, ns.end());
  return ns[500];
}

double memo_oracle(const std::string& kind, const std::string& workload, const std::vector<double>& p,
                   std::size_t capacity) {
  static std::mutex mutex;
  static std::map<std::tuple<std::string, std::string, std::size_t, std::size_t>, double> memo;
  const auto key = std::make_tuple(kind, workload, p.size(), capacity);
  {
    std::lock_guard lock(mutex);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
  }
  double v = kind == "che"        ? che_lru_hit_ratio(p, static_cast<double>(capacity))
             : kind == "fifo_irm" ? fifo_irm_hit_ratio(p, static_cast<double>(capacity))
                                  : top_c_hit_ratio(p, capacity);
  std::lock_guard lock(mutex);
  memo[key] = v;
  return v;
}

namespace {

// One run of the trace reader over a file: records/s of the read itself.
class TraceRead final : public Case {
 public:
  TraceRead(std::string path, std::vector<std::uint64_t> expected, bool remove_after)
      : path_(std::move(path)), expected_(std::move(expected)), remove_(remove_after) {}
  ~TraceRead() override {
    if (remove_) std::filesystem::remove(path_);
  }
  Work work() const override {
    Work w;
    w.items = static_cast<double>(records_);
    w.input_bytes = static_cast<double>(records_ * kOracleGeneralRecordBytes);
    w.unit = Work::Unit::ops;
    return w;
  }
  Check check() override {
    try {
      read_oracle_general_ids(path_, ids_);
    } catch (const std::exception& e) {
      return Check::failed(e.what());
    }
    if (ids_.empty()) return Check::failed(path_ + ": no records");
    if (!expected_.empty() && ids_ != expected_) return Check::failed(path_ + ": object ids read back differ");
    records_ = ids_.size();
    return {};
  }
  void run() override {
    read_oracle_general_ids(path_, ids_);
    benchmark::DoNotOptimize(ids_.data());
  }

 private:
  std::string path_;
  std::vector<std::uint64_t> expected_, ids_;
  bool remove_;
  std::size_t records_ = 0;
};

constexpr const char* kSettingsHelp =
    "policies=a,b maps=a,b workloads=zipf0.99,scan,... capacities=N,N,... keys=N requests=N value_bytes=N "
    "threads=N,N seed=N tasks=throughput,mrc,hit,floor,concurrent,trace,trace_read floor_levels=l1,l2,llc,dram";
const std::vector<std::string> kTasks = {"throughput", "mrc", "hit", "floor", "concurrent", "trace", "trace_read"};
constexpr const char* kBestMap = "boost_flat";  // the map the sweeps use (fastest here; see docs/cache.md)
constexpr std::size_t kResidentCapacity = 65536;
// Bare lookups at a small map, at the hit rows' size and at a million keys
// (sizes above 16 x the key space are left out, so small smoke runs stay small).
const std::vector<std::size_t> kRawLookupEntries = {1024, 1 << 20};  // plus the hit rows' size
constexpr std::size_t kTraceReadRecords = 1 << 21;

struct Settings {
  std::vector<std::string> policies, maps, workloads, tasks = kTasks, floor_levels = {"l1", "l2", "llc", "dram"};
  bool maps_given = false;
  std::vector<std::size_t> capacities;  // empty: percentages of keys
  std::uint64_t keys = 100'000, requests = 1 << 20, seed = 42;
  std::size_t value_bytes = 100;
  std::vector<int> threads = {1, 2, 4};
};

std::vector<std::string> split_list(const std::string& key, const std::string& value) {
  std::vector<std::string> items;
  std::stringstream in(value);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.empty()) throw UsageError("--hotbench_set=" + key + "=" + value + ": empty item in the list");
    items.push_back(item);
  }
  if (items.empty()) throw UsageError("--hotbench_set=" + key + "= wants a comma-separated list");
  return items;
}

std::uint64_t positive(const std::string& key, const std::string& text, std::uint64_t max) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v <= 0 || static_cast<std::uint64_t>(v) > max)
    throw UsageError("--hotbench_set=" + key + ": '" + text + "' is not an integer in 1.." + std::to_string(max));
  return static_cast<std::uint64_t>(v);
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

void check_names(const std::string& key, const std::vector<std::string>& given, const std::vector<std::string>& known) {
  for (const auto& g : given)
    if (std::find(known.begin(), known.end(), g) == known.end())
      throw UsageError("--hotbench_set=" + key + ": unknown name '" + g + "' (known: " + joined(known) + ")");
}

Settings parse_settings(const Options& options) {
  Settings s;
  std::vector<std::string> known_policies;
  for (const auto& p : policy_registry()) known_policies.push_back(p.name);
  s.policies = known_policies;
  s.maps = map_names();
  s.workloads = {"zipf0.99"};  // the full sweep is a setting (4 minutes budget for the default run)
  if (measure::under_valgrind()) {
    // Instruction counting runs everything ~50x slower: by default a smaller
    // set (single-thread rows without the sweep, short streams, cache-sized
    // floors), still deterministic. Settings given explicitly override this.
    s.tasks = {"throughput", "hit", "floor", "trace", "trace_read"};
    s.floor_levels = {"l1", "l2"};
    s.requests = 1 << 16;
  }
  for (const auto& [key, value] : options.settings) {
    if (key == "policies") check_names(key, s.policies = split_list(key, value), known_policies);
    else if (key == "maps") check_names(key, s.maps = split_list(key, value), map_names()), s.maps_given = true;
    else if (key == "tasks") check_names(key, s.tasks = split_list(key, value), kTasks);
    else if (key == "floor_levels") check_names(key, s.floor_levels = split_list(key, value), {"l1", "l2", "llc", "dram"});
    else if (key == "workloads") {
      s.workloads = split_list(key, value);
      for (const auto& w : s.workloads) try {
          parse_workload(w);
        } catch (const std::invalid_argument& e) {
          throw UsageError("--hotbench_set=workloads: " + std::string(e.what()));
        }
    } else if (key == "capacities") {
      s.capacities.clear();
      for (const auto& c : split_list(key, value)) s.capacities.push_back(positive(key, c, 1u << 30));
    } else if (key == "keys") {
      if (value == "0") throw UsageError("--hotbench_set=keys=0: empty key space");
      s.keys = positive(key, value, 1u << 30);
    } else if (key == "requests") s.requests = positive(key, value, 1u << 28);
    else if (key == "value_bytes") s.value_bytes = positive(key, value, 1 << 20);
    else if (key == "seed") s.seed = positive(key, value, ~0u);
    else if (key == "threads") {
      s.threads.clear();
      for (const auto& t : split_list(key, value)) s.threads.push_back(static_cast<int>(positive(key, t, 64)));
    } else {
      throw UsageError("unknown setting '" + key + "' for the cache suite (known: " + kSettingsHelp + ")");
    }
  }
  if (s.capacities.empty())
    for (double pct : {0.1, 0.3, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0})
      s.capacities.push_back(std::max<std::size_t>(1, static_cast<std::size_t>(pct / 100 * static_cast<double>(s.keys))));
  s.capacities.erase(std::unique(s.capacities.begin(), s.capacities.end()), s.capacities.end());
  for (std::size_t c : s.capacities)
    if (c > s.keys)
      throw UsageError("--hotbench_set=capacities: " + std::to_string(c) + " entries exceeds the key space of " +
                       std::to_string(s.keys) + " keys");
  return s;
}

bool wants(const Settings& s, const std::string& task) {
  return std::find(s.tasks.begin(), s.tasks.end(), task) != s.tasks.end();
}

struct Streams {
  std::shared_ptr<const Workload> workload;
  std::shared_ptr<const Requests> warmup, measured;
  std::shared_ptr<const std::vector<double>> probabilities;
};

// Workloads and their request vectors, made once per process and shared by rows.
const Streams& streams_of(const std::string& name, const Settings& s) {
  static std::map<std::string, Streams> made;
  auto it = made.find(name);
  if (it != made.end()) return it->second;
  WorkloadSpec spec = parse_workload(name);
  spec.keys = s.keys;
  spec.seed = s.seed;
  Streams st;
  auto w = std::make_shared<Workload>(spec);
  st.warmup = std::make_shared<Requests>(w->generate(s.requests, 0));
  st.measured = std::make_shared<Requests>(w->generate(s.requests, 1));
  if (spec.independent()) st.probabilities = std::make_shared<std::vector<double>>(w->rank_probabilities());
  st.workload = std::move(w);
  return made[name] = std::move(st);
}

CaseId id_of(const std::string& task, const std::string& library, const std::string& variant,
             const std::string& dataset, std::vector<std::pair<std::string, std::string>> params) {
  return CaseId{"cache", task, library, variant, dataset, std::move(params)};
}

void add_replay(const Settings& s, const std::string& task, const std::string& policy, const std::string& map,
                const std::string& workload, std::size_t capacity, std::size_t value_bytes, bool string_keys) {
  const Streams& st = streams_of(workload, s);
  ReplaySpec spec;
  spec.policy = policy;
  spec.workload = workload;
  spec.capacity = capacity;
  spec.value_bytes = value_bytes;
  spec.key_count = s.keys;
  spec.warmup = st.warmup;
  spec.measured = st.measured;
  spec.irm_probabilities = st.probabilities;
  spec.seed = s.seed;
  register_case(id_of(task, policy, map, workload,
                      {{"capacity", std::to_string(capacity)},
                       {"value_bytes", std::to_string(value_bytes)},
                       {"key", string_keys ? "string" : "u64"}}),
                find_policy(policy)->replay.at(map)(string_keys, spec), Clock::wall);
}

std::vector<std::string> trace_files(const Options& options) {
  std::vector<std::string> files;
  namespace fs = std::filesystem;
  for (const auto& path : options.data) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(path)) {
        const std::string ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".csv" || ext == ".oracleGeneral")) found.push_back(e.path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      const std::string ext = fs::path(path).extension().string();
      if (ext != ".csv" && ext != ".oracleGeneral")
        throw UsageError(path + ": not a trace (expected a .csv or .oracleGeneral file)");
      files.push_back(path);
    } else {
      throw UsageError(path + ": no such file or folder");
    }
  }
  return files;
}

void add_traces(const Settings& s, const Options& options) {
  for (const auto& file : trace_files(options)) {
    const std::string name = std::filesystem::path(file).stem().string();
    std::shared_ptr<Trace> trace;
    std::string error;
    try {
      trace = std::make_shared<Trace>(read_trace(file));
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (std::filesystem::path(file).extension() == ".oracleGeneral" && wants(s, "trace_read"))
      register_case(id_of("trace_read", "oracle_general", "", name, {}),
                    [file] { return std::make_unique<TraceRead>(file, std::vector<std::uint64_t>{}, false); });
    if (!wants(s, "trace")) continue;
    for (const auto& policy : s.policies) {
      if (!trace) {  // an error row per policy, naming the file and the record
        register_case(id_of("trace", policy, kBestMap, name, {}),
                      [error]() -> std::unique_ptr<Case> { throw TraceError(error); });
        continue;
      }
      auto requests = std::make_shared<const Requests>(trace->requests);
      for (double pct : {1.0, 10.0}) {
        ReplaySpec spec;
        spec.policy = policy;
        spec.workload = name;
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
      }
    }
  }
}

}  // namespace
}  // namespace hotbench::cache

namespace hotbench {

const char* suite_name() { return "cache"; }
std::vector<std::string> default_data_paths() { return {}; }  // workloads are generated; traces via --hotbench_data

void register_suite(const Options& options) {
  using namespace hotbench::cache;
  std::sort(policy_registry().begin(), policy_registry().end(),
            [](const PolicyInfo& a, const PolicyInfo& b) { return a.name < b.name; });
  const Settings s = parse_settings(options);
  benchmark::AddCustomContext("boost_version", BOOST_LIB_VERSION);
  benchmark::AddCustomContext("tbb_version", TBB_VERSION_STRING);
  benchmark::AddCustomContext("cache_seed", std::to_string(s.seed));
  benchmark::AddCustomContext("cache_keys", std::to_string(s.keys));
  benchmark::AddCustomContext("cache_requests", std::to_string(s.requests));
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
    auto stream = std::make_shared<const Requests>(Requests{resident_stream(capacity, s.requests, s.seed), {}});
    Requests fill;
    for (std::uint32_t id = 0; id < capacity; ++id) fill.ids.push_back(id);
    auto warm = std::make_shared<const Requests>(std::move(fill));
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
      spec.warmup = warm;
      spec.measured = stream;
      spec.seed = s.seed;
      spec.all_hits = true;
      register_case(id_of("hit", policy, map, "resident",
                          {{"capacity", std::to_string(capacity)}, {"value_bytes", std::to_string(s.value_bytes)},
                           {"key", "u64"}}),
                    find_policy(policy)->replay.at(map)(false, spec), Clock::wall);
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
        for (int t = 0; t < threads; ++t) {
          Requests r = workload == "samekey" ? Requests{std::vector<std::uint32_t>(each, st.workload->id_of_rank(0)), {}}
                                             : st.workload->generate(each, 10 + static_cast<std::uint64_t>(t));
          spec.per_thread.push_back(std::make_shared<const Requests>(std::move(r)));
        }
        for (const auto& impl : concurrent_registry()) {
          const auto colon = impl.name.find(':');
          register_case(id_of("concurrent", impl.name.substr(0, colon),
                              colon == std::string::npos ? "" : impl.name.substr(colon + 1), workload,
                              {{"capacity", std::to_string(spec.capacity)}, {"threads", std::to_string(threads)}}),
                        impl.make(spec), Clock::wall);
        }
      }
    }
  }
  if (wants(s, "trace_read")) {
    register_case(id_of("trace_read", "oracle_general", "", "generated", {{"records", std::to_string(kTraceReadRecords)}}),
                  [seed = s.seed] {
                    std::vector<std::uint64_t> ids(kTraceReadRecords);
                    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = mix64(seed + i % 100'000);
                    const auto path = (std::filesystem::temp_directory_path() /
                                       ("hotbench-trace-read-" + std::to_string(::getpid()) + ".oracleGeneral"))
                                          .string();
                    write_oracle_general(path, ids);
                    return std::make_unique<TraceRead>(path, std::move(ids), true);
                  });
  }
  add_traces(s, options);
}

}  // namespace hotbench
