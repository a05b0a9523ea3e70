// Delivery verification for one batch of messages: exactly once, in each
// producer's order, intact, from producers that exist.
//
// Every consumer keeps its own ledger (no shared writes on the hot path): per
// producer, how many messages it received, the sum of their sequence numbers,
// and the next sequence number it may accept (a smaller one is out of order:
// a FIFO queue hands each consumer a producer's messages in increasing order).
// After the batch, verify() requires every producer's count and sequence sum to
// be exact. In a full check (check(), the tests) each message also marks its own
// slot in a table, so duplicates and losses are named precisely; the timed runs
// use the cheaper count + sum + order test, which a loss or duplicate cannot pass
// unless several of them cancel out in both count and sum at once.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace hotbench::queue {

class Delivery {
 public:
  // strict_order: an inversion of a producer's order fails verify(); otherwise
  // it is only counted (order_inversions()), see Capabilities::per_producer_fifo.
  Delivery(int producers, int consumers, std::uint64_t per_producer, bool strict_order = true)
      : producers_(static_cast<std::uint32_t>(producers)), per_(per_producer), strict_order_(strict_order),
        ledgers_(consumers),
        seen_(static_cast<std::size_t>(producers) * per_producer) {
    for (auto& l : ledgers_) {
      l.count.resize(producers_);
      l.seq_sum.resize(producers_);
      l.next_seq.resize(producers_);
    }
  }

  // Before a batch, on the thread that starts it. Batch b's sequence numbers
  // are b*per .. (b+1)*per-1, so a stale message from an earlier batch is caught.
  void begin(std::uint64_t batch, bool full) {
    first_ = batch * per_;
    full_ = full;
    for (auto& l : ledgers_) {
      l.received.store(0, std::memory_order_relaxed);
      std::fill(l.count.begin(), l.count.end(), 0);
      std::fill(l.seq_sum.begin(), l.seq_sum.end(), 0);
      std::fill(l.next_seq.begin(), l.next_seq.end(), first_);
      l.foreign = l.corrupt = l.out_of_order = 0;
    }
    if (full)
      for (auto& s : seen_) s.store(0, std::memory_order_relaxed);
  }

  // What accept() made of a message. `repeat` only in a full check (otherwise
  // a duplicate counts as `first` and is found by verify()).
  enum class Accepted { first, repeat, foreign, corrupt };

  // On consumer `consumer`'s thread, for every message it pops. In a full
  // check, a repeat of a message already delivered is not an order inversion
  // (a redelivery, counted by tally() as a duplicate).
  template <class M>
  Accepted accept(int consumer, const M& m) {
    Ledger& l = ledgers_[static_cast<std::size_t>(consumer)];
    const std::uint32_t p = m.producer();
    const std::uint64_t seq = m.seq();
    Accepted what = Accepted::first;
    if (p >= producers_ || seq < first_ || seq >= first_ + per_) {
      ++l.foreign;
      what = Accepted::foreign;
    } else if (!m.intact()) {
      ++l.corrupt;
      what = Accepted::corrupt;
    } else {
      if (full_ && seen_[p * per_ + (seq - first_)].fetch_add(1, std::memory_order_relaxed) > 0) what = Accepted::repeat;
      if (what == Accepted::first) {
        if (seq < l.next_seq[p]) ++l.out_of_order;
        l.next_seq[p] = seq + 1;
      }
      ++l.count[p];
      l.seq_sum[p] += seq;
    }
    l.received.store(l.received.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return what;
  }

  // The batch's delivery counts, without judging them (a full check only,
  // once every consumer has stopped): for systems whose promise allows losses
  // or duplicates, which report them instead of failing (bench/messaging).
  struct Tally {
    std::uint64_t received = 0;    // every message handed to accept()
    std::uint64_t delivered = 0;   // distinct messages of the batch delivered intact
    std::uint64_t lost = 0;        // messages of the batch never delivered
    std::uint64_t duplicated = 0;  // deliveries beyond the first of a message
    std::uint64_t reordered = 0;   // first deliveries after a later message of the same producer
    std::uint64_t foreign = 0, corrupt = 0;
  };
  Tally tally() const {
    Tally t;
    for (const auto& l : ledgers_) {
      t.received += l.received.load(std::memory_order_relaxed);
      t.reordered += l.out_of_order;
      t.foreign += l.foreign;
      t.corrupt += l.corrupt;
    }
    for (const auto& s : seen_) {
      const auto n = s.load(std::memory_order_relaxed);
      if (n == 0) ++t.lost;
      else {
        ++t.delivered;
        t.duplicated += n - 1u;
      }
    }
    return t;
  }

  // Messages popped so far in this batch (any thread; exact once consumers stop).
  std::uint64_t delivered() const {
    std::uint64_t n = 0;
    for (const auto& l : ledgers_) n += l.received.load(std::memory_order_relaxed);
    return n;
  }
  std::uint64_t expected() const { return per_ * producers_; }

  // Messages that came after a later one of the same producer, this batch
  // (exact once consumers stop).
  std::uint64_t order_inversions() const {
    std::uint64_t n = 0;
    for (const auto& l : ledgers_) n += l.out_of_order;
    return n;
  }

  // After the batch, once every consumer has stopped: throws what went wrong.
  void verify() const {
    std::ostringstream why;
    std::uint64_t foreign = 0, corrupt = 0, disorder = 0;
    for (const auto& l : ledgers_) {
      foreign += l.foreign;
      corrupt += l.corrupt;
      disorder += l.out_of_order;
    }
    if (foreign) why << foreign << " messages with an unknown producer or a sequence outside the batch; ";
    if (corrupt) why << corrupt << " messages with a damaged payload; ";
    if (disorder && strict_order_) why << disorder << " messages out of their producer's order; ";
    const std::uint64_t want_sum = per_ * first_ + per_ * (per_ - 1) / 2;
    for (std::uint32_t p = 0; p < producers_; ++p) {
      std::uint64_t count = 0, sum = 0;
      for (const auto& l : ledgers_) {
        count += l.count[p];
        sum += l.seq_sum[p];
      }
      if (count != per_ || sum != want_sum)
        why << "producer " << p << ": " << count << " of " << per_ << " messages delivered"
            << (count == per_ ? " but the sequence numbers differ (a loss and a duplicate)" : "") << "; ";
    }
    if (full_) {
      std::uint64_t lost = 0, duplicated = 0;
      for (const auto& s : seen_) {
        const auto n = s.load(std::memory_order_relaxed);
        lost += n == 0;
        duplicated += n > 1;
      }
      if (lost || duplicated) why << lost << " messages never delivered, " << duplicated << " delivered twice or more; ";
    }
    const std::string text = why.str();
    if (!text.empty()) throw std::runtime_error("delivery check failed: " + text.substr(0, text.size() - 2));
  }

 private:
  struct alignas(64) Ledger {
    std::atomic<std::uint64_t> received{0};  // also read by other consumers and the watchdog
    std::vector<std::uint64_t> count, seq_sum, next_seq;  // per producer
    std::uint64_t foreign = 0, corrupt = 0, out_of_order = 0;
  };

  std::uint32_t producers_;
  std::uint64_t per_;
  bool strict_order_;
  std::uint64_t first_ = 0;
  bool full_ = false;
  std::vector<Ledger> ledgers_;
  std::vector<std::atomic<std::uint8_t>> seen_;  // full check: deliveries of each message
};

}  // namespace hotbench::queue
