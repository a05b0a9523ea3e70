// The caching suite's single-thread case: replay a pre-generated request
// stream against one policy over one map, after checking that very pairing.
// Policy files include this header and end with HOTBENCH_REGISTER(X) { cache::add_policy<X>("x"); }.
#pragma once

#include "../harness/registry.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../harness/alloc_counter.h"
#include "../harness/case.h"
#include "../harness/histogram.h"
#include "cache.h"
#include "maps/maps.h"
#include "oracle.h"
#include "workload.h"

namespace hotbench::cache {

// Miss penalties of the effective access time counters eat_ns_<penalty>:
// none, a DRAM miss, a loopback network round trip, a database query.
inline constexpr double kMissPenaltiesNs[] = {0, 150, 30'000, 1'000'000};
// The latency pass times one request in kLatencyEvery, each on its own.
inline constexpr std::size_t kLatencyEvery = 64;

// What a replay row runs: a cache shape and two request streams over key ids.
// A sized row (traces) replays through the policy's Sized cache: requests carry
// sizes (Requests::sizes; value_bytes each when they have none) and the limit
// is `capacity` entries or, when capacity_bytes > 0, capacity_bytes bytes.
struct ReplaySpec {
  std::string policy, workload;
  std::size_t capacity = 0, value_bytes = 100;
  bool sized = false;
  std::uint64_t capacity_bytes = 0;
  std::uint64_t key_count = 0;  // ids are 0..key_count-1
  std::shared_ptr<const Requests> warmup, measured;
  // Request probability by popularity rank for IRM workloads (oracles apply); else null.
  std::shared_ptr<const std::vector<double>> irm_probabilities;
  std::uint64_t seed = 0;
  bool all_hits = false;  // resident workload: every measured get must hit
};

// The key of an id: 8-byte integers mix64(id), strings "user:<id>".
template <class Key>
std::vector<Key> key_table(std::uint64_t n) {
  std::vector<Key> keys(n);
  for (std::uint64_t id = 0; id < n; ++id) {
    if constexpr (std::is_same_v<Key, std::string>) keys[id] = string_key(static_cast<std::uint32_t>(id));
    else keys[id] = mix64(id);
  }
  return keys;
}

// Nanoseconds one steady_clock::now() pair costs (median), subtracted from sampled latencies.
double timer_cost_ns();

// Oracles are pure functions of (workload, capacity); rows of a sweep share them.
double memo_oracle(const std::string& kind, const std::string& workload, const std::vector<double>& p,
                   std::size_t capacity);

// Type-erased cache, for tests and tools that walk every registered pairing.
// A sized cache takes the calls with a size; the others take those without
// (and ignore a size: each key weighs 1); used() and limit() are in the
// cache's own units (entries or bytes).
template <class Key>
class AnyCache {
 public:
  virtual ~AnyCache() = default;
  virtual const std::byte* get(const Key& key) = 0;
  virtual void put(const Key& key, const std::byte* value) = 0;
  virtual const std::byte* get(const Key& key, std::uint32_t size) = 0;
  virtual bool put(const Key& key, const std::byte* value, std::uint32_t size) = 0;
  virtual std::size_t size() const = 0;
  virtual std::size_t capacity() const = 0;  // slots: the most keys it can hold
  virtual std::uint64_t used() const = 0;
  virtual std::uint64_t limit() const = 0;
  virtual Stats stats() const = 0;
};

template <class Key, class C>
class AnyCacheOf final : public AnyCache<Key> {
 public:
  AnyCacheOf(typename C::capacity_type capacity, std::size_t value_bytes) : c_(capacity, value_bytes) {}
  const std::byte* get(const Key& key) override {
    if constexpr (C::sized) return c_.get(key, 0);
    else return c_.get(key);
  }
  void put(const Key& key, const std::byte* value) override {
    if constexpr (C::sized) c_.put(key, value, 0);
    else c_.put(key, value);
  }
  const std::byte* get(const Key& key, [[maybe_unused]] std::uint32_t size) override {
    if constexpr (C::sized) return c_.get(key, size);
    else return c_.get(key);
  }
  bool put(const Key& key, const std::byte* value, [[maybe_unused]] std::uint32_t size) override {
    if constexpr (C::sized) {
      return c_.put(key, value, size);
    } else {
      c_.put(key, value);
      return true;
    }
  }
  std::size_t size() const override { return c_.size(); }
  std::size_t capacity() const override { return c_.capacity(); }
  std::uint64_t used() const override {
    if constexpr (C::sized) return c_.used();
    else return c_.size();
  }
  std::uint64_t limit() const override {
    if constexpr (C::sized) return c_.limit();
    else return c_.capacity();
  }
  Stats stats() const override { return c_.stats(); }

 private:
  C c_;
};

// The most keys a cache limited to `bytes` can hold at once over these
// requests: every key that ever has size 0, and as many more as fit at the
// smallest other size; never more than the keys there are.
inline std::size_t sized_slots(std::uint64_t bytes, std::uint64_t key_count, std::size_t value_bytes,
                               std::initializer_list<const Requests*> requests) {
  std::vector<bool> zero(key_count);
  std::uint64_t zero_keys = 0, smallest = ~std::uint64_t{0};
  for (const Requests* r : requests) {
    if (r->sizes.empty()) smallest = std::min<std::uint64_t>(smallest, value_bytes);
    for (std::size_t i = 0; i < r->sizes.size() && i < r->ids.size(); ++i) {
      if (r->sizes[i] != 0) smallest = std::min<std::uint64_t>(smallest, r->sizes[i]);
      else if (r->ids[i] < key_count && !zero[r->ids[i]]) zero[r->ids[i]] = true, ++zero_keys;
    }
  }
  const std::uint64_t fit = smallest == 0 || smallest == ~std::uint64_t{0} ? 0 : bytes / smallest;
  return static_cast<std::size_t>(std::max<std::uint64_t>(1, std::min(key_count, zero_keys + fit)));
}

template <class C>
class ReplayCase final : public Case {
  using Key = typename C::key_type;

 public:
  explicit ReplayCase(ReplaySpec spec)
      : spec_(std::move(spec)), keys_(key_table<Key>(spec_.key_count)), words_(keys_.size()),
        buffer_(spec_.value_bytes), timer_ns_(timer_cost_ns()) {
    for (std::size_t id = 0; id < keys_.size(); ++id) words_[id] = key_hash(keys_[id]);
  }

  // The cache's constructor argument: entries, or a sized capacity with its slot pool.
  typename C::capacity_type capacity() const {
    if constexpr (C::sized) {
      if (spec_.capacity_bytes == 0) return SizedCapacity{spec_.capacity, false, spec_.capacity};
      return SizedCapacity{spec_.capacity_bytes, true,
                           sized_slots(spec_.capacity_bytes, spec_.key_count, spec_.value_bytes,
                                       {spec_.warmup.get(), spec_.measured.get()})};
    } else {
      return spec_.capacity;
    }
  }

  Work work() const override {
    Work w;
    w.items = static_cast<double>(spec_.measured->ids.size());
    w.unit = Work::Unit::ops;
    return w;
  }

  Check check() override {
    try {
      for (const auto& [phase, r] : {std::pair{"warm-up", spec_.warmup.get()}, {"measured", spec_.measured.get()}})
        if (std::string e = requests_shape_error(*r, keys_.size()); !e.empty())
          return Check::failed(std::string(phase) + " requests: " + e);
      Check result = checked_pass();
      if (!result.ok()) return result;
      timed_ = std::make_unique<C>(capacity(), spec_.value_bytes);
      replay(*timed_, *spec_.warmup);
      seen_ = timed_->stats();
      return result;
    } catch (const std::exception& e) {
      return Check::failed(e.what());
    }
  }

  void run() override {
    const auto start = std::chrono::steady_clock::now();
    replay(*timed_, *spec_.measured);
    timed_ns_ += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    timed_requests_ += static_cast<double>(spec_.measured->ids.size());
  }

  // Hit ratio and own ns/request of the timed runs, effective access times,
  // then a separate latency pass (not part of any throughput figure).
  Counters observe() override {
    const Stats now = timed_->stats();
    const double gets = static_cast<double>(now.gets() - seen_.gets());
    const double hit_ratio = gets > 0 ? static_cast<double>(now.hits - seen_.hits) / gets : 0;
    const double ns = timed_requests_ > 0 ? timed_ns_ / timed_requests_ : 0;
    timed_ns_ = timed_requests_ = 0;
    // Without sizes every object is value_bytes big, so the byte hit ratio is the hit ratio.
    double byte_hit_ratio = hit_ratio;
    if constexpr (C::sized) {
      const double requested = static_cast<double>(now.requested_bytes - seen_.requested_bytes);
      byte_hit_ratio = requested > 0 ? static_cast<double>(now.hit_bytes - seen_.hit_bytes) / requested : 0;
    }
    Counters out{{"hit_ratio", hit_ratio}, {"byte_hit_ratio", byte_hit_ratio}, {"ns_per_request", ns}, {"timer_ns", timer_ns_}};
    for (double penalty : kMissPenaltiesNs)
      out.emplace_back("eat_ns_" + std::to_string(static_cast<long long>(penalty)), ns + (1 - hit_ratio) * penalty);
    LatencyHistogram h;
    const Requests& r = *spec_.measured;
    std::uint64_t sink = 0;
    for (std::size_t i = 0; i < r.ids.size(); ++i) {
      if (i % kLatencyEvery != 0) {
        sink += step(*timed_, r, i);
        continue;
      }
      const auto t0 = std::chrono::steady_clock::now();
      sink += step(*timed_, r, i);
      const auto t1 = std::chrono::steady_clock::now();
      h.record(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()));
    }
    benchmark::DoNotOptimize(sink);
    for (auto& c : h.counters(timer_ns_)) out.push_back(c);
    seen_ = timed_->stats();  // the next observe() reports timed runs only
    return out;
  }

 private:
  // One request: a put for writes, else read-through (get; on a miss, put the
  // value a backing store would return: version 0). Returns a byte of the value read.
  std::uint64_t step(C& c, const Requests& r, std::size_t i) {
    if constexpr (C::sized) {
      return sized_step(c, r, i);
    } else {
      const std::uint32_t id = r.ids[i];
      if (!r.writes.empty() && r.writes[i]) {
        fill_value(buffer_.data(), spec_.value_bytes, value_word(words_[id], i + 1));
        c.put(keys_[id], buffer_.data());
        return 0;
      }
      if (const std::byte* v = c.get(keys_[id])) return std::to_integer<std::uint64_t>(v[0]);
      fill_value(buffer_.data(), spec_.value_bytes, value_word(words_[id], 0));
      c.put(keys_[id], buffer_.data());
      return 1;
    }
  }
  std::uint32_t size_of(const Requests& r, std::size_t i) const {
    return r.sizes.empty() ? static_cast<std::uint32_t>(spec_.value_bytes) : r.sizes[i];
  }
  std::uint64_t sized_step(C& c, const Requests& r, std::size_t i)
    requires C::sized
  {
    const std::uint32_t id = r.ids[i];
    const std::uint32_t size = size_of(r, i);
    if (!r.writes.empty() && r.writes[i]) {
      fill_value(buffer_.data(), spec_.value_bytes, value_word(words_[id], i + 1));
      c.put(keys_[id], buffer_.data(), size);
      return 0;
    }
    if (const std::byte* v = c.get(keys_[id], size)) return std::to_integer<std::uint64_t>(v[0]);
    fill_value(buffer_.data(), spec_.value_bytes, value_word(words_[id], 0));
    c.put(keys_[id], buffer_.data(), size);
    return 1;
  }
  void replay(C& c, const Requests& r) {
    std::uint64_t sink = 0;
    for (std::size_t i = 0; i < r.ids.size(); ++i) sink += step(c, r, i);
    benchmark::DoNotOptimize(sink);
  }

  // Debug pass on a fresh cache: the invariants after every request, the
  // values against a model of what was last put, then determinism, oracles
  // and memory. Any failure is the row's error.
  Check checked_pass() {
    const std::size_t vb = spec_.value_bytes;
    C c(capacity(), vb);
    std::unordered_map<std::uint32_t, std::uint64_t> last_put;  // id -> version
    std::uint64_t gets = 0, hits = 0;
    // Spelled out per bound (not through helpers): the calls of the Entries code, and so the
    // compiler's inlining of the timed path, stay as the gate's baseline counted them. A sized cache
    // may refuse a key heavier than its limit: then the key has no version.
    auto pass = [&](const Requests& r, const char* phase) -> std::string {
      for (std::size_t i = 0; i < r.ids.size(); ++i) {
        const std::uint32_t id = r.ids[i];
        const bool write = !r.writes.empty() && r.writes[i];
        [[maybe_unused]] const std::uint32_t size = size_of(r, i);
        if (write) {
          fill_value(buffer_.data(), vb, value_word(words_[id], i + 1));
          if constexpr (C::sized) {
            if (c.put(keys_[id], buffer_.data(), size)) last_put[id] = i + 1;
          } else {
            c.put(keys_[id], buffer_.data());
            last_put[id] = i + 1;
          }
        } else {
          ++gets;
          const std::byte* v = nullptr;
          if constexpr (C::sized) v = c.get(keys_[id], size);
          else v = c.get(keys_[id]);
          if (v) {
            ++hits;
            auto it = last_put.find(id);
            if (it == last_put.end()) return "returned a value for a key never put";
            if (!value_is(v, vb, value_word(words_[id], it->second))) return "returned a value other than the last put";
          } else {
            fill_value(buffer_.data(), vb, value_word(words_[id], 0));
            if constexpr (C::sized) {
              if (c.put(keys_[id], buffer_.data(), size)) last_put[id] = 0;
            } else {
              c.put(keys_[id], buffer_.data());
              last_put[id] = 0;
            }
          }
        }
        const Stats& s = c.stats();
        std::string why;
        if (c.size() > c.capacity()) why = "capacity exceeded";
        else if (s.inserts - s.evictions != c.size()) why = "inserts - evictions != size";
        else if (s.hits + s.misses != gets || s.hits != hits) why = "hits + misses != gets";
        if constexpr (C::sized)
          if (why.empty() && c.used() > c.limit())
            why = "capacity exceeded: " + std::to_string(c.used()) + " of " + std::to_string(c.limit());
        if (!why.empty())
          return why + " (" + phase + " request " + std::to_string(i) + ", size " + std::to_string(c.size()) + ")";
      }
      return {};
    };
    if (std::string e = pass(*spec_.warmup, "warm-up"); !e.empty()) return Check::failed(e);
    const std::uint64_t warm_gets = gets, warm_hits = hits, warm_refused = c.stats().not_admitted;
    if (std::string e = pass(*spec_.measured, "measured"); !e.empty()) return Check::failed(e);
    const double measured_gets = static_cast<double>(gets - warm_gets);
    const double h = measured_gets > 0 ? static_cast<double>(hits - warm_hits) / measured_gets : 0;

    Check ok;
    ok.findings = {{"checked_hit_ratio", h},
                   {"cold_hit_ratio", warm_gets ? static_cast<double>(warm_hits) / static_cast<double>(warm_gets) : 0},
                   {"seed", static_cast<double>(spec_.seed)},
                   {"keys", static_cast<double>(spec_.key_count)}};
    if constexpr (C::sized)
      ok.findings.emplace_back("not_admitted", static_cast<double>(c.stats().not_admitted - warm_refused));

    // Deterministic: the same requests on a fresh cache give the same counts.
    C again(capacity(), vb);
    replay(again, *spec_.warmup);
    replay(again, *spec_.measured);
    const Stats a = again.stats(), b = c.stats();
    if (a.hits != b.hits || a.misses != b.misses || a.inserts != b.inserts || a.evictions != b.evictions)
      return Check::failed("not deterministic: the same requests twice gave " + std::to_string(a.hits) + " and " +
                           std::to_string(b.hits) + " hits");

    if (spec_.all_hits && h != 1.0) return Check::failed("a resident key missed (hit ratio " + std::to_string(h) + ")");

    if (spec_.irm_probabilities && spec_.measured->writes.empty()) {
      const auto& p = *spec_.irm_probabilities;
      const double tol = oracle_tolerance(h, measured_gets);
      const double top = memo_oracle("top_c", spec_.workload, p, spec_.capacity);
      const double che = memo_oracle("che", spec_.workload, p, spec_.capacity);
      const double irm = memo_oracle("fifo_irm", spec_.workload, p, spec_.capacity);
      ok.findings.insert(ok.findings.end(), {{"top_c_hit_ratio", top},
                                             {"che_hit_ratio", che},
                                             {"fifo_irm_hit_ratio", irm},
                                             {"oracle_tolerance", tol}});
      auto text = [](double v) { return std::to_string(v).substr(0, 7); };
      if (h > top + tol)
        return Check::failed("hit ratio " + text(h) + " beats the top-C bound " + text(top) + " + " + text(tol));
      if (spec_.policy == "lru" && std::abs(h - che) > tol)
        return Check::failed("LRU hit ratio " + text(h) + " differs from Che's " + text(che) + " by more than " +
                             text(tol));
      if (spec_.policy == "fifo" && std::abs(h - irm) > tol)
        return Check::failed("FIFO hit ratio " + text(h) + " differs from the IRM formula's " + text(irm) +
                             " by more than " + text(tol));
    }

    // Memory: heap bytes requested while building a cache and filling it to
    // capacity (no evictions, so nothing is freed): index + slot pool + values.
    // (Not for a byte limit: how many keys fit depends on their sizes.)
    if (alloc::available() && spec_.capacity_bytes == 0) {
      const std::size_t n = std::min<std::size_t>(spec_.capacity, keys_.size());
      alloc::start();
      {
        C m(capacity(), vb);
        for (std::size_t id = 0; id < n; ++id) {
          if constexpr (C::sized) m.put(keys_[id], buffer_.data(), 0);
          else m.put(keys_[id], buffer_.data());
        }
      }
      const alloc::Totals t = alloc::stop();
      if (n > 0) ok.findings.emplace_back("bytes_per_entry", static_cast<double>(t.bytes) / static_cast<double>(n));
    }
    return ok;
  }

  ReplaySpec spec_;
  std::vector<Key> keys_;
  std::vector<std::uint64_t> words_;  // key_hash of each id
  std::vector<std::byte> buffer_;
  std::unique_ptr<C> timed_;
  Stats seen_;
  double timed_ns_ = 0, timed_requests_ = 0, timer_ns_ = 0;
};

// A policy as the suite and the tests see it: constructors and replay cases
// for each map (by name) and key type.
// A policy as the suite and the tests see it: constructors and replay cases
// for each map (by name) and key type.
struct PolicyInfo {
  std::string name;
  using MakeU64 = std::function<std::unique_ptr<AnyCache<std::uint64_t>>(std::size_t capacity, std::size_t value_bytes)>;
  using MakeString = std::function<std::unique_ptr<AnyCache<std::string>>(std::size_t capacity, std::size_t value_bytes)>;
  using MakeReplay = std::function<CaseFactory(bool string_keys, const ReplaySpec&)>;
  std::map<std::string, MakeU64> make_u64;
  std::map<std::string, MakeString> make_string;
  std::map<std::string, MakeReplay> replay;  // a sized spec gets the policy's sized twin
};

// A policy's sized twin (Bound = Sized, 8-byte keys: what traces replay with),
// registered from its own translation unit (policies/<name>_sized.cpp), so the
// counting-entries code of the policy's file is compiled exactly as before.
struct SizedPolicyInfo {
  std::string name;
  using Make = std::function<std::unique_ptr<AnyCache<std::uint64_t>>(SizedCapacity, std::size_t value_bytes)>;
  using MakeReplay = std::function<CaseFactory(const ReplaySpec&)>;
  std::map<std::string, Make> make;
  std::map<std::string, MakeReplay> replay;
};

Registry<PolicyInfo>& policy_registry();  // sorted by name once registration is over
const PolicyInfo* find_policy(const std::string& name);
Registry<SizedPolicyInfo>& sized_policy_registry();
const SizedPolicyInfo* find_sized_policy(const std::string& name);
std::vector<std::string> map_names();
std::vector<std::string> policy_registry_names();  // in registration order

template <template <class, class, class> class Policy>
PolicyInfo describe_policy(std::string name) {
  PolicyInfo info;
  info.name = std::move(name);
  for_each_map([&]<template <class> class Map>(const char* map) {
    using U = Policy<std::uint64_t, Map<std::uint64_t>, Entries>;
    using S = Policy<std::string, Map<std::string>, Entries>;
    info.make_u64[map] = [](std::size_t c, std::size_t vb) {
      return std::unique_ptr<AnyCache<std::uint64_t>>(new AnyCacheOf<std::uint64_t, U>(c, vb));
    };
    info.make_string[map] = [](std::size_t c, std::size_t vb) {
      return std::unique_ptr<AnyCache<std::string>>(new AnyCacheOf<std::string, S>(c, vb));
    };
    info.replay[map] = [name = info.name, map = std::string(map)](bool string_keys, const ReplaySpec& spec) -> CaseFactory {
      if (spec.sized) {
        if (string_keys) throw std::invalid_argument("sized caches take 8-byte keys");
        const SizedPolicyInfo* sized = find_sized_policy(name);
        if (!sized) throw std::invalid_argument("policy " + name + " has no sized twin (policies/" + name + "_sized.cpp)");
        return sized->replay.at(map)(spec);
      }
      if (string_keys) return [spec] { return std::make_unique<ReplayCase<S>>(spec); };
      return [spec] { return std::make_unique<ReplayCase<U>>(spec); };
    };
  });
  return info;
}

// Called by a policy's sized twin: HOTBENCH_REGISTER(LruSized) { cache::add_sized_policy<Lru>("lru"); }
template <template <class, class, class> class Policy>
void add_sized_policy(std::string name) {
  SizedPolicyInfo info;
  info.name = std::move(name);
  for_each_map([&]<template <class> class Map>(const char* map) {
    using Z = Policy<std::uint64_t, Map<std::uint64_t>, Sized>;
    info.make[map] = [](SizedCapacity c, std::size_t vb) {
      return std::unique_ptr<AnyCache<std::uint64_t>>(new AnyCacheOf<std::uint64_t, Z>(c, vb));
    };
    info.replay[map] = [](const ReplaySpec& spec) -> CaseFactory {
      return [spec] { return std::make_unique<ReplayCase<Z>>(spec); };
    };
  });
  sized_policy_registry().add(std::move(info));
}

// Called by a policy file's registration: HOTBENCH_REGISTER(Lru) { cache::add_policy<Lru>("lru"); }
template <template <class, class, class> class Policy>
void add_policy(std::string name) {
  policy_registry().add(describe_policy<Policy>(std::move(name)));
}

}  // namespace hotbench::cache

