// CLOCK: FIFO with a reference bit (second chance). A hit sets the bit; the
// hand clears set bits as it passes and evicts the first slot whose bit is
// clear. New keys start with the bit clear. A sized cache evicts any number of
// keys per insertion, so its hand is the tail of a list: a referenced key the
// hand passes moves to the head (newest), as it ends up behind the ring's hand.
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include "../cache.h"

namespace hotbench::cache {

template <class Key, class Index, class Bound = Entries>
class Clock : public CacheCore<Clock<Key, Index, Bound>, Key, Index, Bound> {
  using Core = CacheCore<Clock<Key, Index, Bound>, Key, Index, Bound>;
  friend Core;

 public:
  Clock(CapacityOf<Bound> capacity, std::size_t value_bytes)
      : Core(capacity, value_bytes), referenced_(slots_of(capacity), 0), links_(Bound::sized ? slots_of(capacity) : 0) {}

 private:
  void on_hit(std::uint32_t s) { referenced_[s] = 1; }
  void on_miss(const Key&) {}
  std::uint32_t place(const Key&) {
    if constexpr (Bound::sized) {
      this->make_room([&] {
        while (true) {
          const std::uint32_t t = queue_.tail();
          queue_.remove(links_, t);
          if (!referenced_[t]) {
            this->evict(t);
            return;
          }
          referenced_[t] = 0;
          queue_.push_head(links_, t);
        }
      });
      const std::uint32_t s = this->fresh_slot();
      referenced_[s] = 0;
      queue_.push_head(links_, s);
      return s;
    }
    if (this->full()) {
      while (referenced_[hand_]) {
        referenced_[hand_] = 0;
        advance();
      }
      this->evict(hand_);
      advance();  // the new key takes the victim's slot, now behind the hand (newest)
    }
    const std::uint32_t s = this->fresh_slot();
    referenced_[s] = 0;
    return s;
  }
  void advance() { hand_ = hand_ + 1 == this->capacity() ? 0 : hand_ + 1; }

  std::vector<std::uint8_t> referenced_;
  std::uint32_t hand_ = 0;
  SlotLinks links_;  // sized caches only
  SlotList queue_;
};

}  // namespace hotbench::cache
