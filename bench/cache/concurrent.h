// Concurrent caches for the multi-thread rows (task `concurrent`).
//
// Contract of a concurrent cache (one class, registered with
// HOTBENCH_CACHE_CONCURRENT(Type, "name") at the end of its file):
//
//   class X {
//    public:
//     X(std::size_t capacity, std::size_t value_bytes);
//     // Read-through: copies the key's value into out (value_bytes bytes); on a
//     // miss first stores fill_value(word). Returns true on a hit. Thread-safe.
//     bool get_or_fill(std::uint64_t key, std::uint64_t word, std::byte* out);
//   };
//
// Values are copied out under the cache's own synchronisation: a pointer into
// a concurrent cache could be evicted under the reader.
#pragma once

#include <atomic>
#include <barrier>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../harness/case.h"
#include "cache.h"
#include "workload.h"

namespace hotbench::cache {

struct ConcurrentSpec {
  std::string workload;
  std::size_t capacity = 0, value_bytes = 100;
  std::uint64_t key_count = 0, seed = 0;
  std::vector<std::shared_ptr<const Requests>> per_thread;  // one stream per thread
};

struct ConcurrentInfo {
  std::string name;
  std::function<CaseFactory(const ConcurrentSpec&)> make;
};
std::vector<ConcurrentInfo>& concurrent_registry();

// Persistent worker threads, started with the case and released once per run()
// by the main thread (wall clock: the work happens on the workers).
template <class X>
class ConcurrentCase final : public Case {
 public:
  explicit ConcurrentCase(ConcurrentSpec spec)
      : spec_(std::move(spec)), keys_(key_count()), words_(key_count()),
        cache_(std::make_unique<X>(spec_.capacity, spec_.value_bytes)),
        threads_(spec_.per_thread.size()), hits_(threads_), errors_(threads_),
        sync_(static_cast<std::ptrdiff_t>(threads_ + 1)) {
    for (std::size_t id = 0; id < keys_.size(); ++id) words_[id] = key_hash(keys_[id] = mix64(id));
    for (std::size_t t = 0; t < threads_; ++t) workers_.emplace_back([this, t] { work_loop(t); });
  }
  ~ConcurrentCase() override {
    stop_ = true;
    sync_.arrive_and_wait();
    for (auto& w : workers_) w.join();
  }

  Work work() const override {
    Work w;
    for (const auto& r : spec_.per_thread) w.items += static_cast<double>(r->ids.size());
    w.unit = Work::Unit::ops;
    return w;
  }

  // Every value every thread got back must be the whole value of its key.
  Check check() override {
    verify_ = true;
    release();
    verify_ = false;
    for (const auto& e : errors_)
      if (!e.empty()) return Check::failed(e);
    Check ok;
    ok.findings = {{"checked_hit_ratio", take_hit_ratio()}, {"seed", static_cast<double>(spec_.seed)},
                   {"keys", static_cast<double>(spec_.key_count)}};
    return ok;
  }
  void run() override { release(); }
  Counters observe() override { return {{"hit_ratio", take_hit_ratio()}}; }

 private:
  std::uint64_t key_count() const { return spec_.key_count; }
  void release() {
    sync_.arrive_and_wait();  // start
    sync_.arrive_and_wait();  // all done
  }
  double take_hit_ratio() {
    double hits = 0, requests = 0;
    for (std::size_t t = 0; t < threads_; ++t) {
      hits += static_cast<double>(hits_[t].value);
      hits_[t].value = 0;
    }
    for (const auto& r : spec_.per_thread) requests += static_cast<double>(r->ids.size());
    return requests > 0 ? hits / (requests * static_cast<double>(runs_since_taken_.exchange(0))) : 0;
  }
  void work_loop(std::size_t t) {
    std::vector<std::byte> out(spec_.value_bytes);
    while (true) {
      sync_.arrive_and_wait();
      if (stop_) return;
      const Requests& r = *spec_.per_thread[t];
      std::uint64_t hits = 0;
      for (std::uint32_t id : r.ids) {
        hits += cache_->get_or_fill(keys_[id], words_[id], out.data());
        if (verify_ && !value_is(out.data(), spec_.value_bytes, value_word(words_[id], 0)) && errors_[t].empty()) {
          std::uint64_t w;
          errors_[t] = std::string("thread ") + std::to_string(t) + ": key id " + std::to_string(id) + " got " +
                       (value_is_whole(out.data(), spec_.value_bytes, w) ? "another key's value" : "a torn value");
        }
      }
      hits_[t].value += hits;
      if (t == 0) runs_since_taken_.fetch_add(1);
      sync_.arrive_and_wait();
    }
  }

  struct alignas(64) Counter {
    std::uint64_t value = 0;
  };
  ConcurrentSpec spec_;
  std::vector<std::uint64_t> keys_, words_;
  std::unique_ptr<X> cache_;
  std::size_t threads_;
  std::vector<Counter> hits_;
  std::vector<std::string> errors_;
  std::barrier<> sync_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stop_{false};
  bool verify_ = false;  // written by the main thread between barriers only
  std::atomic<int> runs_since_taken_{0};
};

struct ConcurrentRegistrar {
  explicit ConcurrentRegistrar(ConcurrentInfo info) { concurrent_registry().push_back(std::move(info)); }
};

}  // namespace hotbench::cache

#define HOTBENCH_CACHE_CONCURRENT(Type, name)                                                      \
  static const ::hotbench::cache::ConcurrentRegistrar hotbench_cache_concurrent_##Type{           \
      ::hotbench::cache::ConcurrentInfo{name, [](const ::hotbench::cache::ConcurrentSpec& spec) { \
        return ::hotbench::CaseFactory(                                                             \
            [spec] { return std::make_unique<::hotbench::cache::ConcurrentCase<Type>>(spec); });    \
      }}};
