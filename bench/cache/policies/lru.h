// LRU: evict the least recently used key. One list in recency order; a hit
// moves its slot to the head.
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include "../cache.h"

namespace hotbench::cache {

template <class Key, class Index, class Bound = Entries>
class Lru : public CacheCore<Lru<Key, Index, Bound>, Key, Index, Bound> {
  using Core = CacheCore<Lru<Key, Index, Bound>, Key, Index, Bound>;
  friend Core;

 public:
  Lru(CapacityOf<Bound> capacity, std::size_t value_bytes) : Core(capacity, value_bytes), links_(slots_of(capacity)) {}

 private:
  void on_hit(std::uint32_t s) { order_.move_to_head(links_, s); }
  void on_miss(const Key&) {}
  std::uint32_t place(const Key&) {
    if constexpr (Bound::sized) {
      this->make_room([&] {
        const std::uint32_t victim = order_.tail();
        order_.remove(links_, victim);
        this->evict(victim);
      });
    } else if (this->full()) {  // spelled out: the Entries code stays what the gate's baseline counted
      const std::uint32_t victim = order_.tail();
      order_.remove(links_, victim);
      this->evict(victim);
    }
    const std::uint32_t s = this->fresh_slot();
    order_.push_head(links_, s);
    return s;
  }

  SlotLinks links_;
  SlotList order_;
};

}  // namespace hotbench::cache
