// Concurrent caches for the multi-thread rows (task `concurrent`).
//
// Contract of a concurrent cache (one class, registered with
// HOTBENCH_REGISTER(Type) { cache::add_concurrent<Type>("name"); } at the end of its file):
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
//
// Every value every worker gets back is checked (each 8-byte word of a value
// names its key's hash and version 0): in the check batch compared whole
// (value_is), in every timed batch by its first and last 8 bytes
// (value_tag_is: another key's or version's value, or a tear reaching either
// end; about 1 ns per request, where the whole comparison costs ~25 ns at
// 100 B). A wrong value fails check() before timing, or makes observe() throw
// after a timed loop, so the row becomes an error instead of a figure. The
// same test is in the timed loop of every concurrent row.
#pragma once

#include "../harness/registry.h"

#include <atomic>
#include <bit>
#include <barrier>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../harness/case.h"
#include "cache.h"
#include "workload.h"

namespace hotbench::cache {

// A cheap test of a payload, for loops that must stay fast: its first and last
// 8 bytes only (the whole payload when shorter than 8 bytes). It tells a value
// of another key or version, and a tear that reaches either end; a tear
// confined to the middle needs value_is. (Right after a memcpy, loads of the
// middle words often cannot be forwarded from the copy's overlapping stores
// and wait for them: measured at +25 ns per 100-byte value, against +1 ns.)
inline bool value_tag_is(const std::byte* v, std::size_t value_bytes, std::uint64_t word) {
  if (value_bytes < 8) return std::memcmp(v, &word, value_bytes) == 0;
  const std::size_t last = value_bytes - 8;
  std::uint64_t head, tail;
  std::memcpy(&head, v, 8);
  std::memcpy(&tail, v + last, 8);
  // The last 8 bytes start `last % 8` bytes into the repeated word: the word
  // rotated by that many bytes (little-endian).
  return ((head ^ word) | (tail ^ std::rotr(word, static_cast<int>(8 * (last % 8))))) == 0;
}

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
Registry<ConcurrentInfo>& concurrent_registry();

// Persistent worker threads, started with the case and released once per run()
// by the main thread (wall clock: the work happens on the workers).
template <class X>
class ConcurrentCase final : public Case {
 public:
  explicit ConcurrentCase(ConcurrentSpec spec)
      : spec_(std::move(spec)), keys_(key_count()), words_(key_count()),
        cache_(std::make_unique<X>(spec_.capacity, spec_.value_bytes)),
        threads_(spec_.per_thread.size()), counts_(threads_), errors_(threads_),
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

  // The check batch: a timed batch's work, with every value compared whole.
  Check check() override {
    for (const auto& r : spec_.per_thread)
      if (std::string e = requests_shape_error(*r, spec_.key_count); !e.empty())
        return Check::failed("requests: " + e);
    whole_ = true;
    release();
    whole_ = false;
    if (std::string e = take_wrong_values(); !e.empty()) return Check::failed(e);
    Check ok;
    ok.findings = {{"checked_hit_ratio", take_hit_ratio()}, {"seed", static_cast<double>(spec_.seed)},
                   {"keys", static_cast<double>(spec_.key_count)}};
    return ok;
  }
  void run() override { release(); }
  // After each timed loop: a wrong value in any timed batch makes the row an error.
  Counters observe() override {
    if (std::string e = take_wrong_values(); !e.empty()) throw std::runtime_error(e);
    return {{"hit_ratio", take_hit_ratio()}};
  }

 private:
  std::uint64_t key_count() const { return spec_.key_count; }
  void release() {
    sync_.arrive_and_wait();  // start
    sync_.arrive_and_wait();  // all done
  }
  double take_hit_ratio() {
    double hits = 0, requests = 0;
    for (std::size_t t = 0; t < threads_; ++t) {
      hits += static_cast<double>(counts_[t].hits);
      counts_[t].hits = 0;
    }
    for (const auto& r : spec_.per_thread) requests += static_cast<double>(r->ids.size());
    return requests > 0 ? hits / (requests * static_cast<double>(runs_since_taken_.exchange(0))) : 0;
  }
  // "" when every value since the last call was right, else the first wrong
  // one of the first thread that saw one and how many there were.
  std::string take_wrong_values() {
    std::string first;
    std::uint64_t wrong = 0, values = 0;
    for (std::size_t t = 0; t < threads_; ++t) {
      wrong += counts_[t].wrong;
      values += counts_[t].values;
      if (first.empty()) first = errors_[t];
      counts_[t].wrong = counts_[t].values = 0;
      errors_[t].clear();
    }
    if (wrong == 0) return {};
    return first + " (" + std::to_string(wrong) + " wrong of " + std::to_string(values) + " values)";
  }
  void work_loop(std::size_t t) {
    std::vector<std::byte> out(spec_.value_bytes);
    while (true) {
      sync_.arrive_and_wait();
      if (stop_) return;
      if (whole_) batch<true>(t, out.data());
      else batch<false>(t, out.data());
      if (t == 0) runs_since_taken_.fetch_add(1);
      sync_.arrive_and_wait();
    }
  }
  template <bool kWhole>
  void batch(std::size_t t, std::byte* out) {
    const Requests& r = *spec_.per_thread[t];
    std::uint64_t hits = 0, wrong = 0;
    for (std::uint32_t id : r.ids) {
      hits += cache_->get_or_fill(keys_[id], words_[id], out);
      const std::uint64_t word = value_word(words_[id], 0);
      const bool right = kWhole ? value_is(out, spec_.value_bytes, word) : value_tag_is(out, spec_.value_bytes, word);
      if (!right) [[unlikely]] {
        if (wrong++ == 0 && errors_[t].empty()) describe_wrong_value(t, id, out);
      }
    }
    counts_[t].hits += hits;
    counts_[t].wrong += wrong;
    counts_[t].values += r.ids.size();
  }
  [[gnu::noinline, gnu::cold]] void describe_wrong_value(std::size_t t, std::uint32_t id, const std::byte* v) {
    std::uint64_t w;
    errors_[t] = std::string("thread ") + std::to_string(t) + ": key id " + std::to_string(id) + " got " +
                 (value_is_whole(v, spec_.value_bytes, w) ? "a whole value of another key or version" : "a torn value");
  }

  // One worker's tallies, written by it during a batch and read by the main
  // thread after the batch's closing barrier (which orders the two).
  struct alignas(64) Counter {
    std::uint64_t hits = 0, wrong = 0, values = 0;
  };
  ConcurrentSpec spec_;
  std::vector<std::uint64_t> keys_, words_;
  std::unique_ptr<X> cache_;
  std::size_t threads_;
  std::vector<Counter> counts_;
  std::vector<std::string> errors_;
  std::barrier<> sync_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stop_{false};
  bool whole_ = false;  // the check batch; written by the main thread between barriers only
  std::atomic<int> runs_since_taken_{0};
};

// Called by a concurrent cache's file: HOTBENCH_REGISTER(X) { cache::add_concurrent<X>("x"); }
template <class Type>
void add_concurrent(std::string name) {
  concurrent_registry().add(ConcurrentInfo{std::move(name), [](const ConcurrentSpec& spec) {
                                                   return CaseFactory([spec] { return std::make_unique<ConcurrentCase<Type>>(spec); });
                                                 }});
}

}  // namespace hotbench::cache
