// FIFO: evict the key inserted first; hits change nothing. Counting entries,
// slots are reused in insertion order, so the queue is a ring over slot
// numbers; a sized cache evicts any number of keys per insertion, so its queue
// is a list.
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include "../cache.h"

namespace hotbench::cache {

template <class Key, class Index, class Bound = Entries>
class Fifo : public CacheCore<Fifo<Key, Index, Bound>, Key, Index, Bound> {
  using Core = CacheCore<Fifo<Key, Index, Bound>, Key, Index, Bound>;
  friend Core;

 public:
  Fifo(CapacityOf<Bound> capacity, std::size_t value_bytes)
      : Core(capacity, value_bytes), links_(Bound::sized ? slots_of(capacity) : 0) {}

 private:
  void on_hit(std::uint32_t) {}
  void on_miss(const Key&) {}
  std::uint32_t place(const Key&) {
    if constexpr (Bound::sized) {
      this->make_room([&] {
        const std::uint32_t oldest = queue_.tail();
        queue_.remove(links_, oldest);
        this->evict(oldest);
      });
      const std::uint32_t s = this->fresh_slot();
      queue_.push_head(links_, s);
      return s;
    }
    if (this->full()) {  // slot `oldest_` holds the oldest key; its replacement becomes the newest
      this->evict(oldest_);
      oldest_ = oldest_ + 1 == this->capacity() ? 0 : oldest_ + 1;
    }
    return this->fresh_slot();
  }

  std::uint32_t oldest_ = 0;
  SlotLinks links_;  // sized caches only
  SlotList queue_;
};

}  // namespace hotbench::cache
