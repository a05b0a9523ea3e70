// CLOCK: FIFO with a reference bit (second chance). A hit sets the bit; the
// hand clears set bits as it passes and evicts the first slot whose bit is
// clear. New keys start with the bit clear.
#include "../cases.h"

namespace hotbench::cache {

template <class Key, class Index>
class Clock : public CacheCore<Clock<Key, Index>, Key, Index> {
  using Core = CacheCore<Clock<Key, Index>, Key, Index>;
  friend Core;

 public:
  Clock(std::size_t capacity, std::size_t value_bytes) : Core(capacity, value_bytes), referenced_(capacity, 0) {}

 private:
  void on_hit(std::uint32_t s) { referenced_[s] = 1; }
  void on_miss(const Key&) {}
  std::uint32_t place(const Key&) {
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
};

HOTBENCH_REGISTER(Clock) { ::hotbench::cache::add_policy<Clock>("clock"); }
}  // namespace hotbench::cache
