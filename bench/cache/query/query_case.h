// The query-cache row: a Zipf request stream over users served by a strategy
// (serving.h) from a database (database.h) and a cache store, end to end.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../../harness/case.h"
#include "../workload.h"
#include "database.h"
#include "serving.h"

namespace hotbench::cache::query {

// The latency pass times one request in kLatencyEvery (each a query or a cache
// hit: microseconds, so the timer's ~40 ns hardly matters and more samples give
// a steadier p99.9 than the in-process rows' 1 in 64).
inline constexpr std::size_t kLatencyEvery = 4;
// Direct queries timed for db_query_ns: the first reads of the measured stream.
inline constexpr std::size_t kDbQuerySample = 2048;

struct QuerySpec {
  std::string database, strategy;
  std::string policy, map;  // the in-process store; empty for strategy none
  std::string workload;
  std::size_t capacity = 0;  // entries
  std::uint64_t users = 0, seed = 0;
  // The warm-up stream (at least 4 x capacity: a full cache that has churned) and the measured
  // stream, a whole number of slices of `slice` requests; each run() serves the next slice, so a
  // run never repeats the requests the cache has just seen (which would inflate the hit ratio of a
  // cache larger than a slice's distinct keys).
  std::shared_ptr<const Requests> warmup, measured;
  std::size_t slice = 0;
};

// Opens the store a spec asks for: an in-process policy, or a server system (servers/kv.h) started
// for the row and bounded to hold `capacity` entries of kServerValueBytes.
std::unique_ptr<kv::Client> open_store(const QuerySpec& spec);
// The server systems a query row can put in front of its database (those with an eviction policy).
std::vector<std::string> server_store_names();
bool server_store(const std::string& name);
// The value size a server store is sized with (a serialized query result is about this long).
inline constexpr std::size_t kServerValueBytes = 100;

class QueryCase final : public Case {
 public:
  QueryCase(QuerySpec spec, std::shared_ptr<Database> db);

  Work work() const override;
  // The checked pass: a fresh store, warmed with the warm-up stream; then every read of the first
  // slice is compared with a direct query made right after it; a served result the database held
  // before a write is a stale read. Any stale or wrong result fails the row. The timed runs go on
  // with the same store.
  Check check() override;
  void run() override;
  // hit_ratio and ns_per_request of the timed runs, a sampled latency pass (p50_ns... and the mean
  // cost of a hit, hit_ns, and of a miss, miss_ns), db_query_ns and eat_ns_measured.
  Counters observe() override;

 private:
  void replay(Serving& serving, const Requests& r, std::size_t begin, std::size_t end);
  std::size_t next_slice();  // the first request of the slice to serve next

  QuerySpec spec_;
  const StrategyInfo* strategy_;
  std::shared_ptr<Database> db_;
  std::unique_ptr<kv::Client> store_;
  std::unique_ptr<Serving> timed_;
  std::size_t slices_ = 0, cursor_ = 0;
  std::uint64_t seen_reads_ = 0, seen_hits_ = 0, seen_refused_ = 0;
  double timed_ns_ = 0, timed_requests_ = 0, timer_ns_ = 0;
};

}  // namespace hotbench::cache::query
