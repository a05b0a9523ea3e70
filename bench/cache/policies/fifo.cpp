// FIFO: evict the key inserted first; hits change nothing. Slots are reused in
// insertion order, so the queue is a ring over slot numbers.
#include "../cases.h"

namespace hotbench::cache {

template <class Key, class Index>
class Fifo : public CacheCore<Fifo<Key, Index>, Key, Index> {
  using Core = CacheCore<Fifo<Key, Index>, Key, Index>;
  friend Core;

 public:
  Fifo(std::size_t capacity, std::size_t value_bytes) : Core(capacity, value_bytes) {}

 private:
  void on_hit(std::uint32_t) {}
  void on_miss(const Key&) {}
  std::uint32_t place(const Key&) {
    if (this->full()) {  // slot `oldest_` holds the oldest key; its replacement becomes the newest
      this->evict(oldest_);
      oldest_ = oldest_ + 1 == this->capacity() ? 0 : oldest_ + 1;
    }
    return this->fresh_slot();
  }

  std::uint32_t oldest_ = 0;
};

HOTBENCH_REGISTER(Fifo) { ::hotbench::cache::add_policy<Fifo>("fifo"); }
}  // namespace hotbench::cache
