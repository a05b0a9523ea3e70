// The drivers: one Case per scenario, templated on the adapter and the message
// so the queue calls are direct (no virtual call in the measured loop).
//
//   ThroughputCase  P producers and C consumers move one batch of messages;
//                   every batch is delivery-checked (delivery.h), nothing is timestamped.
//   PingPongCase    one thread sends a message, another echoes it back on a
//                   second queue; every round trip goes into a LatencyHistogram.
//   OpenLoopCase    a producer sends at a fixed rate; the latency is measured from
//                   each message's *intended* send time, so a stall cannot hide.
//   SingleThreadCase  one thread pushes a batch then pops it: the operations'
//                   own cost, deterministic (the instruction-count mode runs it).
//
// Threads are persistent per case (crew.h) and a watchdog bounds every batch.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "../harness/case.h"
#include "../harness/clock.h"
#include "../harness/histogram.h"
#include "contract.h"
#include "../harness/crew.h"
#include "delivery.h"
#include "message.h"

namespace hotbench::queue {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// How many pause instructions take about 10 us on this CPU (measured once per
// process: a pause costs ~5 ns on some x86 cores and ~40 ns on others, so a
// fixed count would yield after 300 ns on one machine and 3 us on another).
int spins_before_yield();

// One more wait for a full or empty queue, as the Wait strategy says.
// spin_yield spins ~10 us before each yield: longer than an undisturbed hand-off
// (a ping-pong round trip is ~0.3-0.8 us here), so yields happen only when the
// partner thread is really not running.
class Backoff {
 public:
  explicit Backoff(Wait w) : yield_(w != Wait::spin), limit_(yield_ ? spins_before_yield() : 0) {}
  void pause() {
    if (!yield_ || ++spins_ < limit_) {
      cpu_relax();
      return;
    }
    std::this_thread::yield();
  }
  void reset() { spins_ = 0; }

 private:
  bool yield_;
  int limit_;
  int spins_ = 0;
};


// Pops one message as `wait` says; false if `stopping()` became true first.
template <class Q, class M, class Stop>
bool pop_one(Q& q, M& out, Wait wait, const Stop& stopping) {
  if constexpr (Q::caps.blocking) {
    if (wait == Wait::block) {
      while (!q.pop_wait(out, std::chrono::milliseconds(1)))
        if (stopping()) return false;
      return true;
    }
  }
  Backoff backoff(wait);
  while (!q.try_pop(out)) {
    if (stopping()) return false;
    backoff.pause();
  }
  return true;
}

// Pushes one message; a full queue is waited for (block: yields). False if stopping.
template <class Q, class M, class Stop>
bool push_one(Q& q, const M& m, Wait wait, const Stop& stopping) {
  Backoff backoff(wait);
  while (!q.try_push(m)) {
    if (stopping()) return false;
    backoff.pause();
  }
  return true;
}

template <class Q, class M>
void require_empty(Q& q, const char* which) {
  M left{};
  if (q.try_pop(left))
    throw std::runtime_error(std::string("delivery check failed: ") + which + " queue not empty at the end of the batch");
}

template <class Q, class M>
class ThroughputCase final : public Case {
 public:
  explicit ThroughputCase(const Scenario& s)
      : s_(s),
        per_(s.batch / static_cast<std::size_t>(s.producers)),
        queue_(s.capacity),
        delivery_(s.producers, s.consumers, per_, Q::caps.per_producer_fifo),
        crew_(s.producers + s.consumers, s.pin, [this](int w, std::uint64_t b) {
          if (w < s_.producers) produce(w, b);
          else consume(w - s_.producers);
        }) {}

  Work work() const override { return {0, 0, static_cast<double>(delivery_.expected()), Work::Unit::ops}; }
  Check check() override {
    batch(true);
    Check c;
    if (!Q::caps.per_producer_fifo) c.findings.emplace_back("order_inversions", inversions_ / batches_);
    inversions_ = batches_ = 0;
    return c;
  }
  void run() override { batch(false); }
  // A queue that does not promise per-producer order: how often it broke it,
  // per batch, in the timed runs (the others fail verify() instead).
  Counters observe() override {
    Counters c;
    if (!Q::caps.per_producer_fifo && batches_ > 0) c.emplace_back("order_inversions", inversions_ / batches_);
    inversions_ = batches_ = 0;
    return c;
  }

 private:
  void batch(bool full) {
    delivery_.begin(crew_.batches(), full);
    crew_.run_batch([this] { return delivery_.delivered(); }, delivery_.expected(), s_.watchdog_s);
    delivery_.verify();
    require_empty<Q, M>(queue_, "the");
    inversions_ += static_cast<double>(delivery_.order_inversions());
    batches_ += 1;
  }
  void produce(int p, std::uint64_t batch) {
    const std::uint64_t first = batch * per_;
    auto stopping = [this] { return crew_.stopping(); };
    for (std::uint64_t i = 0; i < per_; ++i)
      if (!push_one(queue_, M::make(static_cast<std::uint32_t>(p), first + i), s_.wait, stopping)) return;
  }
  void consume(int c) {
    const std::uint64_t total = delivery_.expected();
    Backoff backoff(s_.wait);
    M m{};
    for (;;) {
      bool got;
      if constexpr (Q::caps.blocking) {
        got = s_.wait == Wait::block ? queue_.pop_wait(m, std::chrono::milliseconds(1)) : queue_.try_pop(m);
      } else {
        got = queue_.try_pop(m);
      }
      if (got) {
        delivery_.accept(c, m);
        backoff.reset();
        continue;
      }
      // Empty: done when all consumers together have the whole batch.
      if (delivery_.delivered() >= total || crew_.stopping()) return;
      if (s_.wait != Wait::block) backoff.pause();
    }
  }

  Scenario s_;
  std::uint64_t per_;
  Q queue_;
  Delivery delivery_;
  double inversions_ = 0, batches_ = 0;
  Crew crew_;  // last: its threads use the members above, and it joins them first
};

template <class Q, class M>
class PingPongCase final : public Case {
 public:
  explicit PingPongCase(const Scenario& s)
      : s_(s), to_echo_(s.capacity), back_(s.capacity), crew_(2, s.pin, [this](int w, std::uint64_t b) {
          if (w == 0) initiate(b);
          else echo();
        }) {}

  Work work() const override { return {0, 0, static_cast<double>(s_.batch), Work::Unit::ops}; }
  Check check() override {
    batch();
    histogram_.clear();
    return {};
  }
  void run() override { batch(); }
  Counters observe() override {
    Counters c = histogram_.counters(clock_read_ns());
    c.emplace_back("clock_read_ns", clock_read_ns());
    histogram_.clear();
    return c;
  }

 private:
  void batch() {
    done_.store(0, std::memory_order_relaxed);
    bad_ = 0;
    crew_.run_batch([this] { return done_.load(std::memory_order_relaxed); }, s_.batch, s_.watchdog_s);
    if (bad_) throw std::runtime_error("delivery check failed: " + std::to_string(bad_) + " replies were not the message sent");
    require_empty<Q, M>(to_echo_, "the outbound");
    require_empty<Q, M>(back_, "the return");
  }
  void initiate(std::uint64_t batch) {
    auto stopping = [this] { return crew_.stopping(); };
    M reply{};
    for (std::uint64_t i = 0; i < s_.batch; ++i) {
      const M m = M::make(0, batch * s_.batch + i);
      const std::uint64_t t0 = now_ns();
      if (!push_one(to_echo_, m, s_.wait, stopping) || !pop_one(back_, reply, s_.wait, stopping)) return;
      const std::uint64_t t1 = now_ns();
      histogram_.record(t1 - t0);
      if (reply.words[0] != m.words[0] || !reply.intact()) ++bad_;
      done_.store(i + 1, std::memory_order_relaxed);
    }
  }
  void echo() {
    auto stopping = [this] { return crew_.stopping(); };
    M m{};
    for (std::uint64_t i = 0; i < s_.batch; ++i)
      if (!pop_one(to_echo_, m, s_.wait, stopping) || !push_one(back_, m, s_.wait, stopping)) return;
  }

  Scenario s_;
  Q to_echo_;
  Q back_;
  LatencyHistogram histogram_;  // written by the initiator during a batch, read between batches
  std::atomic<std::uint64_t> done_{0};
  std::uint64_t bad_ = 0;
  Crew crew_;
};

template <class Q, class M>
class OpenLoopCase final : public Case {
 public:
  explicit OpenLoopCase(const Scenario& s)
      : s_(s),
        interval_ns_(1e9 / s.rate_per_s),
        queue_(s.capacity),
        delivery_(1, 1, s.batch),
        crew_(2, s.pin, [this](int w, std::uint64_t b) {
          if (w == 0) produce(b);
          else consume(b);
        }) {}

  Work work() const override { return {0, 0, static_cast<double>(s_.batch), Work::Unit::ops}; }
  Check check() override {
    batch(true);
    histogram_.clear();
    return {};
  }
  void run() override { batch(false); }
  Counters observe() override {
    Counters c = histogram_.counters(clock_read_ns());
    c.emplace_back("clock_read_ns", clock_read_ns());
    histogram_.clear();
    return c;
  }

 private:
  std::uint64_t intended(std::uint64_t index) const {
    return start_ns_ + static_cast<std::uint64_t>(static_cast<double>(index) * interval_ns_);
  }
  void batch(bool full) {
    delivery_.begin(crew_.batches(), full);
    start_ns_ = now_ns() + 200'000;  // leaves the workers 200 us to wake up before the first send
    crew_.run_batch([this] { return delivery_.delivered(); }, s_.batch, s_.watchdog_s);
    delivery_.verify();
    require_empty<Q, M>(queue_, "the");
  }
  void produce(std::uint64_t batch) {
    auto stopping = [this] { return crew_.stopping(); };
    for (std::uint64_t i = 0; i < s_.batch; ++i) {
      const std::uint64_t due = intended(i);
      while (now_ns() < due)
        if (stopping()) return;
      if (!push_one(queue_, M::make(0, batch * s_.batch + i), s_.wait, stopping)) return;
    }
  }
  void consume(std::uint64_t batch) {
    auto stopping = [this] { return crew_.stopping(); };
    const std::uint64_t first = batch * s_.batch;
    M m{};
    for (std::uint64_t i = 0; i < s_.batch; ++i) {
      if (!pop_one(queue_, m, s_.wait, stopping)) return;
      const std::uint64_t t = now_ns();
      delivery_.accept(0, m);
      const std::uint64_t due = intended(m.seq() - first);
      histogram_.record(t > due ? t - due : 0);
    }
  }

  Scenario s_;
  double interval_ns_;
  std::uint64_t start_ns_ = 0;  // written before a batch starts, read by the workers
  Q queue_;
  Delivery delivery_;
  LatencyHistogram histogram_;  // written by the consumer during a batch
  Crew crew_;
};

template <class Q, class M>
class SingleThreadCase final : public Case {
 public:
  explicit SingleThreadCase(const Scenario& s) : count_(std::min(s.batch, s.capacity)), queue_(s.capacity) {}
  Work work() const override { return {0, 0, static_cast<double>(count_), Work::Unit::ops}; }
  Check check() override {
    run();
    return {};
  }
  void run() override {
    const std::uint64_t first = next_;
    for (std::uint64_t i = 0; i < count_; ++i)
      if (!queue_.try_push(M::make(0, first + i))) throw std::runtime_error("push failed below capacity");
    M m{};
    for (std::uint64_t i = 0; i < count_; ++i)
      if (!queue_.try_pop(m) || m.seq() != first + i || !m.intact())
        throw std::runtime_error("delivery check failed: message " + std::to_string(i) + " missing, out of order or damaged");
    require_empty<Q, M>(queue_, "the");
    next_ = first + count_;
  }

 private:
  std::uint64_t count_;
  std::uint64_t next_ = 0;
  Q queue_;
};

template <class Q, class M>
std::unique_ptr<Case> make_for_message(const Scenario& s) {
  switch (s.task) {
    case Task::spsc_throughput:
    case Task::mpmc_throughput:
      return std::make_unique<ThroughputCase<Q, M>>(s);
    case Task::ping_pong:
    case Task::floor:
      return std::make_unique<PingPongCase<Q, M>>(s);
    case Task::open_loop:
      return std::make_unique<OpenLoopCase<Q, M>>(s);
    case Task::single_thread:
      return std::make_unique<SingleThreadCase<Q, M>>(s);
  }
  throw std::logic_error("unknown task");
}

template <template <class> class Q>
std::unique_ptr<Case> make_case(const Scenario& s) {
  switch (s.message_bytes) {
    case 8: return make_for_message<Q<Message<8>>, Message<8>>(s);
    case 64: return make_for_message<Q<Message<64>>, Message<64>>(s);
    case 1024: return make_for_message<Q<Message<1024>>, Message<1024>>(s);
  }
  throw std::invalid_argument("message_bytes must be 8, 64 or 1024, got " + std::to_string(s.message_bytes));
}

template <template <class> class Q>
void add_queue(std::string library, std::string variant) {
  add_entry({std::move(library), std::move(variant), Q<Message<8>>::caps, &make_case<Q>});
}

}  // namespace hotbench::queue
