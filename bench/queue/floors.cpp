// The hardware floor, measured by the same ping-pong driver as the queues so
// the ratios compare like with like: three one-message "mailboxes" that are the
// least a hand-off between two threads can do, and the cost of reading the clock.
//
//   cache_line  a flag and an 8-byte payload on one cache line, spun on:
//               the raw cache-line ping-pong between the two cores.
//   futex       the same, but the receiver sleeps in futex(FUTEX_WAIT) and the
//               sender calls futex(FUTEX_WAKE): a kernel wake-up round trip.
//   mutex_cv    std::mutex + std::condition_variable hand-off.
//   clock       steady_clock::now(), the timestamp every latency row pays.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "driver.h"
#include "floors.h"

namespace hotbench::queue {
namespace {

template <class T>
class CacheLineSlot {
 public:
  static constexpr Capabilities caps{.spsc_only = true, .bounded = true};
  explicit CacheLineSlot(std::size_t) {}
  bool try_push(const T& m) {
    if (full_.load(std::memory_order_acquire)) return false;
    value_ = m;
    full_.store(1, std::memory_order_release);
    return true;
  }
  bool try_pop(T& out) {
    if (!full_.load(std::memory_order_acquire)) return false;
    out = value_;
    full_.store(0, std::memory_order_release);
    return true;
  }

 protected:
  alignas(64) std::atomic<std::uint32_t> full_{0};
  T value_{};
};

template <class T>
class FutexSlot : public CacheLineSlot<T> {
 public:
  static constexpr Capabilities caps{.spsc_only = true, .bounded = true, .blocking = true};
  using CacheLineSlot<T>::CacheLineSlot;
  bool try_push(const T& m) {
    if (!CacheLineSlot<T>::try_push(m)) return false;
    syscall(SYS_futex, &this->full_, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    return true;
  }
  bool pop_wait(T& out, std::chrono::microseconds timeout) {
    if (this->try_pop(out)) return true;
    const auto us = timeout.count();
    timespec t{static_cast<time_t>(us / 1'000'000), static_cast<long>(us % 1'000'000) * 1000};
    syscall(SYS_futex, &this->full_, FUTEX_WAIT_PRIVATE, 0, &t, nullptr, 0);  // sleeps while still empty
    return this->try_pop(out);
  }
};

template <class T>
class MutexCvSlot {
 public:
  static constexpr Capabilities caps{.spsc_only = true, .bounded = true, .blocking = true};
  explicit MutexCvSlot(std::size_t) {}
  bool try_push(const T& m) {
    {
      std::lock_guard lock(mutex_);
      if (value_) return false;
      value_ = m;
    }
    changed_.notify_one();
    return true;
  }
  bool try_pop(T& out) {
    std::lock_guard lock(mutex_);
    return take(out);
  }
  bool pop_wait(T& out, std::chrono::microseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return value_.has_value(); });
    return take(out);
  }

 private:
  bool take(T& out) {
    if (!value_) return false;
    out = *value_;
    value_.reset();
    return true;
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<T> value_;
};

// Reads steady_clock kReads times per run (ns_per_op = one read).
class ClockCase final : public Case {
 public:
  Work work() const override { return {0, 0, kReads, Work::Unit::ops}; }
  Check check() override {
    std::uint64_t previous = now_ns();
    for (int i = 0; i < 1000; ++i) {
      const std::uint64_t t = now_ns();
      if (t < previous) return Check::failed("steady_clock went backwards");
      previous = t;
    }
    return {};
  }
  void run() override {
    std::uint64_t sum = 0;
    for (int i = 0; i < kReads; ++i) sum += now_ns();
    benchmark_sink_ = sum;
  }

 private:
  static constexpr int kReads = 1024;
  volatile std::uint64_t benchmark_sink_ = 0;
};

}  // namespace

int spins_before_yield() {
  static const int spins = [] {
    constexpr int kPauses = 20'000;
    double best = 1e9;
    for (int round = 0; round < 5; ++round) {
      const std::uint64_t start = now_ns();
      for (int i = 0; i < kPauses; ++i) cpu_relax();
      best = std::min(best, static_cast<double>(now_ns() - start) / kPauses);
    }
    return static_cast<int>(std::clamp(10'000.0 / std::max(best, 0.1), 16.0, 100'000.0));
  }();
  return spins;
}

std::vector<Floor> floors() {
  using M = Message<8>;
  return {
      {"cache_line", Wait::spin_yield, true, &make_for_message<CacheLineSlot<M>, M>},
      {"futex", Wait::block, true, &make_for_message<FutexSlot<M>, M>},
      {"mutex_cv", Wait::block, true, &make_for_message<MutexCvSlot<M>, M>},
      {"clock", Wait::spin_yield, false, [](const Scenario&) -> std::unique_ptr<Case> { return std::make_unique<ClockCase>(); }},
  };
}

}  // namespace hotbench::queue
