// S3-FIFO (Yang et al., SOSP 2023): a small FIFO (10 % of capacity) filters
// one-hit wonders, a main FIFO with reinsertion (2-bit frequency, CLOCK-like)
// keeps the rest, and a ghost FIFO of recently evicted keys' hashes (as many as
// the main queue holds) sends returning keys straight to main. As in the
// paper's original version (libCacheSim S3FIFOv0): a key leaving the small
// queue moves to main if it was accessed there at least once.
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include "../cache.h"

namespace hotbench::cache {

// Hashes of recently evicted keys: a hash is in the ghost while it is among the
// last `capacity` hashes added and has not returned since -- what the paper's
// suggested fingerprint + insertion-time ghost gives (a returning key does not
// free its place early). A ring of hashes with an index over the same map
// adapter as the cache (keyed by 64-bit hash).
template <class HashIndex>
class GhostFifo {
 public:
  explicit GhostFifo(std::size_t capacity) : index_(capacity), ring_(capacity) {}
  bool take(std::uint64_t h) {  // true (and forgotten) if h is in the ghost
    const std::uint32_t pos = index_.find(h);
    if (pos == kNoSlot) return false;
    index_.erase(h);
    ring_[pos].live = false;
    return true;
  }
  void add(std::uint64_t h) {
    if (ring_.empty()) return;
    take(h);  // a hash already in the ghost moves to the newest position
    Entry& e = ring_[next_];
    if (e.live) index_.erase(e.hash);  // the oldest ghost falls out
    e = {h, true};
    index_.insert(h, next_);
    next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
  }

 private:
  struct Entry {
    std::uint64_t hash = 0;
    bool live = false;
  };
  HashIndex index_;
  std::vector<Entry> ring_;
  std::uint32_t next_ = 0;
};

// The ghost of a sized cache: a hash is in it while the weights of the hashes
// added after it, and its own, sum to at most `limit` (returned ones still
// count: the same insertion-time rule as GhostFifo, which this is for weights
// of 1). At most `positions` hashes are remembered (keys of size 0 weigh nothing).
template <class HashIndex>
class WeightedGhostFifo {
 public:
  WeightedGhostFifo(std::size_t positions, std::uint64_t limit)
      : index_(std::max<std::size_t>(1, positions)), ring_(std::max<std::size_t>(1, positions)), limit_(limit) {}
  bool take(std::uint64_t h) {
    const std::uint32_t pos = index_.find(h);
    if (pos == kNoSlot) return false;
    index_.erase(h);
    ring_[pos].live = false;
    return true;
  }
  void add(std::uint64_t h, std::uint64_t w) {
    take(h);
    if (w > limit_) return;
    while (count_ > 0 && (total_ + w > limit_ || count_ == ring_.size())) drop_oldest();
    const std::uint32_t pos = static_cast<std::uint32_t>((oldest_ + count_) % ring_.size());
    ring_[pos] = {h, w, true};
    index_.insert(h, pos);
    total_ += w;
    ++count_;
  }

 private:
  struct Entry {
    std::uint64_t hash = 0, weight = 0;
    bool live = false;
  };
  void drop_oldest() {
    Entry& e = ring_[oldest_];
    if (e.live) index_.erase(e.hash);
    e.live = false;
    total_ -= e.weight;
    oldest_ = oldest_ + 1 == ring_.size() ? 0 : oldest_ + 1;
    --count_;
  }
  HashIndex index_;
  std::vector<Entry> ring_;
  std::uint64_t limit_, total_ = 0;
  std::size_t oldest_ = 0, count_ = 0;
};

template <class Key, class Index, class Bound = Entries>
class S3Fifo : public CacheCore<S3Fifo<Key, Index, Bound>, Key, Index, Bound> {
  using Core = CacheCore<S3Fifo<Key, Index, Bound>, Key, Index, Bound>;
  friend Core;
  template <class K>
  using IndexOf = typename RebindIndex<Index>::template to<K>;

 public:
  S3Fifo(CapacityOf<Bound> capacity, std::size_t value_bytes)
      : Core(capacity, value_bytes),
        links_(slots_of(capacity)),
        freq_(slots_of(capacity), 0),
        in_main_(slots_of(capacity), 0),
        small_target_(std::max<std::uint64_t>(1, budget_of(capacity) / 10)),
        ghost_(make_ghost(capacity, small_target_)) {}

 private:
  void on_hit(std::uint32_t s) { freq_[s] = static_cast<std::uint8_t>(std::min(3, freq_[s] + 1)); }
  void on_miss(const Key&) {}
  using Ghost = std::conditional_t<Bound::sized, WeightedGhostFifo<IndexOf<std::uint64_t>>, GhostFifo<IndexOf<std::uint64_t>>>;
  // The ghost remembers as much as the main queue holds.
  static Ghost make_ghost(CapacityOf<Bound> capacity, std::uint64_t small_target) {
    const std::uint64_t budget = budget_of(capacity);
    if constexpr (Bound::sized) return Ghost(slots_of(capacity), budget - std::min(budget, small_target));
    else return Ghost(budget - std::min(budget, small_target));
  }

  std::uint32_t place(const Key& key) {
    if constexpr (Bound::sized) this->make_room([&] { evict_one(); });
    else if (this->full()) evict_one();
    const std::uint32_t s = this->fresh_slot();
    freq_[s] = 0;
    const bool returning = ghost_.take(key_hash(key));
    in_main_[s] = returning;
    (returning ? main_ : small_).push_head(links_, s);
    if constexpr (Bound::sized)
      if (!returning) small_weight_.add(this->weight_at(s));
    return s;
  }

  void evict_one() {
    if constexpr (Bound::sized) {
      if ((small_weight_.of(small_) >= small_target_ || main_.empty()) && evict_small()) return;
    } else if ((small_.size() >= small_target_ || main_.empty()) && evict_small()) {
      return;
    }
    evict_main();
  }
  // False when every key in the small queue moved to main (nothing evicted).
  bool evict_small() {
    while (!small_.empty()) {
      const std::uint32_t t = small_.tail();
      small_.remove(links_, t);
      if constexpr (Bound::sized) small_weight_.sub(this->weight_at(t));
      if (freq_[t] > 0) {
        freq_[t] = 0;
        in_main_[t] = 1;
        main_.push_head(links_, t);
      } else {
        if constexpr (Bound::sized) ghost_.add(key_hash(this->key_at(t)), this->weight_at(t));
        else ghost_.add(key_hash(this->key_at(t)));
        this->evict(t);
        return true;
      }
    }
    return false;
  }
  void evict_main() {
    while (true) {
      const std::uint32_t t = main_.tail();
      main_.remove(links_, t);
      if (freq_[t] > 0) {
        --freq_[t];
        main_.push_head(links_, t);
      } else {
        this->evict(t);
        return;
      }
    }
  }

  SlotLinks links_;
  SlotList small_, main_;
  std::vector<std::uint8_t> freq_, in_main_;
  std::uint64_t small_target_;
  Ghost ghost_;
  [[no_unique_address]] QueueWeight<Bound> small_weight_;
};

}  // namespace hotbench::cache
