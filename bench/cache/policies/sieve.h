// SIEVE (Zhang et al., NSDI 2024): a FIFO queue with a visited bit and a hand
// that moves from the oldest key towards the newest, clearing visited bits and
// evicting the first unvisited key; survivors stay in place (unlike CLOCK they
// are not moved to the head), and the hand remembers where it stopped.
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include "../cache.h"

namespace hotbench::cache {

template <class Key, class Index, class Bound = Entries>
class Sieve : public CacheCore<Sieve<Key, Index, Bound>, Key, Index, Bound> {
  using Core = CacheCore<Sieve<Key, Index, Bound>, Key, Index, Bound>;
  friend Core;

 public:
  Sieve(CapacityOf<Bound> capacity, std::size_t value_bytes)
      : Core(capacity, value_bytes), links_(slots_of(capacity)), visited_(slots_of(capacity), 0) {}

 private:
  void on_hit(std::uint32_t s) { visited_[s] = 1; }
  void on_miss(const Key&) {}
  std::uint32_t place(const Key&) {
    if constexpr (Bound::sized) {
      this->make_room([&] { evict_one(); });
    } else if (this->full()) {  // spelled out: the Entries code stays what the gate's baseline counted
      std::uint32_t o = hand_ != kNoSlot ? hand_ : queue_.tail();
      while (visited_[o]) {
        visited_[o] = 0;
        o = links_.newer(o);
        if (o == kNoSlot) o = queue_.tail();
      }
      hand_ = links_.newer(o);
      queue_.remove(links_, o);
      this->evict(o);
    }
    const std::uint32_t s = this->fresh_slot();
    visited_[s] = 0;
    queue_.push_head(links_, s);
    return s;
  }

  void evict_one() {
    std::uint32_t o = hand_ != kNoSlot ? hand_ : queue_.tail();
    while (visited_[o]) {
      visited_[o] = 0;
      o = links_.newer(o);
      if (o == kNoSlot) o = queue_.tail();
    }
    hand_ = links_.newer(o);
    queue_.remove(links_, o);
    this->evict(o);
  }

  SlotLinks links_;
  SlotList queue_;
  std::vector<std::uint8_t> visited_;
  std::uint32_t hand_ = kNoSlot;
};

}  // namespace hotbench::cache
