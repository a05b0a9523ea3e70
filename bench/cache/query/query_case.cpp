#include "query_case.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <stdexcept>
#include <unordered_map>

#include "../../harness/histogram.h"
#include "../cases.h"
#include "policy_store.h"

namespace hotbench::cache::query {

namespace {

// A client that owns the server it talks to: the row's store lives as long as its server.
class ServerStore final : public kv::Client {
 public:
  ServerStore(std::unique_ptr<kv::Server> server)
      : server_(std::move(server)), client_(server_->connect(kv::Transport::unix_socket)) {}
  void get(std::span<const std::string> keys, kv::GetReplies& out) override { client_->get(keys, out); }
  void set(std::span<const std::string> keys, std::span<const std::string_view> values) override {
    client_->set(keys, values);
  }
  std::size_t fill(std::span<const std::string> keys, std::span<const std::string_view> values) override {
    return client_->fill(keys, values);
  }
  void del(std::span<const std::string> keys) override { client_->del(keys); }
  kv::ServerStats stats() override { return client_->stats(); }
  void reset_stats() override { client_->reset_stats(); }

 private:
  std::unique_ptr<kv::Server> server_;
  std::unique_ptr<kv::Client> client_;
};

}  // namespace

std::vector<std::string> server_store_names() {
  std::vector<std::string> out;
  for (const auto& s : kv::systems().all())
    if (server_store(s.name)) out.push_back(s.name);
  return out;
}

bool server_store(const std::string& name) {
  const kv::System* s = kv::systems().find(name);
  return s && !s->evictions.empty() && !s->floor;
}

std::unique_ptr<kv::Client> open_store(const QuerySpec& spec) {
  const StrategyInfo* s = find_strategy(spec.strategy);
  if (!s || !s->cached) return nullptr;
  if (server_store(spec.policy)) {
    const kv::System* server = kv::systems().find(spec.policy);
    kv::ServerOptions o;
    o.hold_entries = spec.capacity;
    o.value_bytes = kServerValueBytes;
    o.eviction = server->evictions.front();
    return std::make_unique<ServerStore>(server->start(o));
  }
  return std::make_unique<PolicyStore>(spec.policy, spec.map, spec.capacity);
}

QueryCase::QueryCase(QuerySpec spec, std::shared_ptr<Database> db)
    : spec_(std::move(spec)), strategy_(find_strategy(spec_.strategy)), db_(std::move(db)) {
  if (!strategy_) throw std::invalid_argument("no serving strategy '" + spec_.strategy + "'");
  if (!db_) throw std::invalid_argument("no database");
}

Work QueryCase::work() const {
  Work w;
  w.items = static_cast<double>(spec_.slice);
  w.unit = Work::Unit::ops;
  return w;
}

std::size_t QueryCase::next_slice() {
  const std::size_t begin = cursor_ * spec_.slice;
  cursor_ = (cursor_ + 1) % slices_;
  return begin;
}

void QueryCase::replay(Serving& serving, const Requests& r, std::size_t begin, std::size_t end) {
  std::size_t sink = 0;
  bool hit = false;
  for (std::size_t i = begin; i < end; ++i) {
    if (!r.writes.empty() && r.writes[i]) serving.write(r.ids[i]);
    else sink += serving.read(r.ids[i], hit).size();
  }
  benchmark::DoNotOptimize(sink);
}

namespace {
std::string shortened(std::string_view s) {
  return s.size() <= 100 ? std::string(s) : std::string(s.substr(0, 97)) + "...";
}
}  // namespace

Check QueryCase::check() {
  try {
    if (db_->tables().users != spec_.users)
      return Check::failed("the database holds " + std::to_string(db_->tables().users) + " users, the row wants " +
                           std::to_string(spec_.users));
    for (const auto& [phase, r] : {std::pair{"warm-up", spec_.warmup.get()}, {"measured", spec_.measured.get()}})
      if (std::string e = requests_shape_error(*r, spec_.users); !e.empty())
        return Check::failed(std::string(phase) + " requests: " + e);
    const std::size_t measured = spec_.measured->ids.size();
    if (spec_.slice == 0 || measured % spec_.slice != 0)
      return Check::failed("the measured stream of " + std::to_string(measured) + " requests is not a whole number of "
                           "slices of " + std::to_string(spec_.slice));
    slices_ = measured / spec_.slice;
    if (!db_->alive()) return Check::failed(db_->version() + " is not running");

    // The checked pass, on a fresh store, warmed.
    auto store = open_store(spec_);
    auto timed = std::make_unique<Serving>(strategy_->strategy, *db_, store.get(), spec_.users);
    Serving& serving = *timed;
    // What each user's row held before each write: a served result among them is stale.
    std::unordered_map<std::uint32_t, std::vector<std::string>> before_writes;
    auto write = [&](std::uint32_t user) {
      auto& held = before_writes[user];
      const std::string_view now = db_->query(user);
      if (held.empty() || held.back() != now) held.emplace_back(now);
      serving.write(user);
    };
    bool hit = false;
    const Requests& warm = *spec_.warmup;
    for (std::size_t i = 0; i < warm.ids.size(); ++i) {
      if (!warm.writes.empty() && warm.writes[i]) write(warm.ids[i]);
      else serving.read(warm.ids[i], hit);
    }
    const std::uint64_t warm_reads = serving.reads(), warm_hits = serving.hits();
    const Requests& r = *spec_.measured;
    std::uint64_t stale = 0, wrong = 0, reads = 0;
    std::string first, served;
    cursor_ = 0;
    for (std::size_t i = next_slice(), end = i + spec_.slice; i < end; ++i) {
      const std::uint32_t user = r.ids[i];
      if (!r.writes.empty() && r.writes[i]) {
        write(user);
        continue;
      }
      served.assign(serving.read(user, hit));
      ++reads;
      const std::string_view direct = db_->query(user);
      if (served != direct) {
        const auto& held = before_writes[user];
        const bool old = std::find(held.begin(), held.end(), served) != held.end();
        (old ? stale : wrong) += 1;
        if (first.empty())
          first = "request " + std::to_string(i) + ", user " + std::to_string(user) + (hit ? " (a cache hit)" : "") +
                  ": served '" + shortened(served) + "'" + (old ? ", which the database held before a write," : "") +
                  " but the database returns '" + shortened(direct) + "'";
      }
    }
    if (stale + wrong > 0)
      return Check::failed(std::to_string(stale) + " stale reads and " + std::to_string(wrong) +
                           " wrong results among " + std::to_string(reads) + " reads served; first: " + first);

    Check ok;
    ok.findings = {{"checked_hit_ratio",
                    reads ? static_cast<double>(serving.hits() - warm_hits) / static_cast<double>(reads) : 0},
                   {"cold_hit_ratio", warm_reads ? static_cast<double>(warm_hits) / static_cast<double>(warm_reads) : 0},
                   {"stale_reads", static_cast<double>(stale)},
                   {"orders", static_cast<double>(db_->orders())},
                   {"seed", static_cast<double>(spec_.seed)},
                   {"db_load_s", db_->load_seconds()}};
    ok.label = db_->version();
    if (store) ok.label += ", " + spec_.policy + " over " + spec_.map;

    store_ = std::move(store);
    timed_ = std::move(timed);
    seen_reads_ = timed_->reads();
    seen_hits_ = timed_->hits();
    seen_refused_ = timed_->refused_fills();
    timer_ns_ = timer_cost_ns();
    return ok;
  } catch (const std::exception& e) {
    return Check::failed(e.what());
  }
}

void QueryCase::run() {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t begin = next_slice();
  replay(*timed_, *spec_.measured, begin, begin + spec_.slice);
  timed_ns_ += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  timed_requests_ += static_cast<double>(spec_.slice);
}

Counters QueryCase::observe() {
  const double reads = static_cast<double>(timed_->reads() - seen_reads_);
  const double hit_ratio = reads > 0 ? static_cast<double>(timed_->hits() - seen_hits_) / reads : 0;
  const double misses = reads - static_cast<double>(timed_->hits() - seen_hits_);
  const double refused = static_cast<double>(timed_->refused_fills() - seen_refused_);
  const double ns = timed_requests_ > 0 ? timed_ns_ / timed_requests_ : 0;
  timed_ns_ = timed_requests_ = 0;

  // The latency pass, over the next slice: one request in kLatencyEvery timed on its own.
  LatencyHistogram all;
  double hit_sum = 0, miss_sum = 0, hit_count = 0, miss_count = 0;
  const Requests& r = *spec_.measured;
  std::size_t sink = 0;
  const std::size_t begin = next_slice(), end = begin + spec_.slice;
  for (std::size_t i = begin; i < end; ++i) {
    const bool write = !r.writes.empty() && r.writes[i];
    bool hit = false;
    if (i % kLatencyEvery != 0) {
      if (write) timed_->write(r.ids[i]);
      else sink += timed_->read(r.ids[i], hit).size();
      continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    if (write) timed_->write(r.ids[i]);
    else sink += timed_->read(r.ids[i], hit).size();
    const auto t1 = std::chrono::steady_clock::now();
    const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
    all.record(static_cast<std::uint64_t>(took));
    if (write) continue;
    const double net = std::max(0.0, static_cast<double>(took) - timer_ns_);
    (hit ? hit_sum : miss_sum) += net;
    (hit ? hit_count : miss_count) += 1;
  }

  // The database's own cost for the same queries: direct queries for the slice's first reads.
  std::size_t queried = 0;
  const auto q0 = std::chrono::steady_clock::now();
  for (std::size_t i = begin; i < end && queried < kDbQuerySample; ++i) {
    if (!r.writes.empty() && r.writes[i]) continue;
    sink += db_->query(r.ids[i]).size();
    ++queried;
  }
  const double db_query_ns =
      queried ? std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - q0).count() /
                    static_cast<double>(queried)
              : 0;
  benchmark::DoNotOptimize(sink);

  const double hit_ns = hit_count ? hit_sum / hit_count : 0;
  Counters out{{"hit_ratio", hit_ratio},
               {"ns_per_request", ns},
               {"timer_ns", timer_ns_},
               {"db_query_ns", db_query_ns},
               {"hit_ns", hit_ns},
               {"eat_ns_measured", hit_ns + (1 - hit_ratio) * db_query_ns}};
  if (miss_count) out.emplace_back("miss_ns", miss_sum / miss_count);
  for (auto& c : all.counters(timer_ns_)) out.push_back(c);
  // A server is bounded by memory, not by entries: what it held (memcached's smallest bound, 1 MiB,
  // holds thousands) is what its hit ratio must be read against.
  if (store_ && server_store(spec_.policy)) {
    out.emplace_back("resident_entries", static_cast<double>(store_->stats().items));
    out.emplace_back("refused_fill_ratio", misses > 0 ? refused / misses : 0);
  }
  seen_reads_ = timed_->reads();  // the next observe() reports timed runs only
  seen_hits_ = timed_->hits();
  seen_refused_ = timed_->refused_fills();
  return out;
}

}  // namespace hotbench::cache::query
