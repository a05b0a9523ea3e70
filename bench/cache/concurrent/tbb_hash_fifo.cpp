// A FIFO cache on tbb::concurrent_hash_map: lookups take the map's per-bucket
// read lock only; a thread that inserts a new key appends it to a FIFO of
// insertion order under one mutex and evicts the oldest keys beyond capacity.
// Between its insert and its eviction the map may briefly hold a few more
// entries than capacity (at most one per thread).
#include <tbb/concurrent_hash_map.h>

#include <deque>
#include <mutex>

#include "../concurrent.h"
#include "harness/sanitizers.h"

namespace hotbench::cache {

class TbbHashFifo {
 public:
  TbbHashFifo(std::size_t capacity, std::size_t value_bytes) : capacity_(capacity), value_bytes_(value_bytes) {}
  bool get_or_fill(std::uint64_t key, std::uint64_t word, std::byte* out) {
    {
      Map::const_accessor a;
      if (map_.find(a, key)) {
        std::memcpy(out, a->second.data(), value_bytes_);
        return true;
      }
    }
    fill_value(out, value_bytes_, word);
    bool inserted;
    {
      Map::accessor a;
      inserted = map_.insert(a, key);
      if (inserted) a->second.assign(out, out + value_bytes_);
    }
    if (inserted) {
      std::uint64_t victim = 0;
      bool evict = false;
      {
        std::lock_guard lock(order_mutex_);
        order_.push_back(key);
        if (order_.size() > capacity_) {
          victim = order_.front();
          order_.pop_front();
          evict = true;
        }
      }
      if (evict) map_.erase(victim);
    }
    return false;
  }

 private:
#if defined(HOTBENCH_UNDER_TSAN)
  // TBB's default allocator hands nodes to its own pool (tbbmalloc), which
  // ThreadSanitizer cannot see: a node erased by one thread and reused by
  // another then looks like a race. With malloc's allocator TSan sees the
  // free/malloc ordering; timed builds keep TBB's default.
  using Allocator = std::allocator<std::pair<const std::uint64_t, std::vector<std::byte>>>;
#else
  using Allocator = tbb::tbb_allocator<std::pair<const std::uint64_t, std::vector<std::byte>>>;
#endif
  using Map = tbb::concurrent_hash_map<std::uint64_t, std::vector<std::byte>,
                                       tbb::tbb_hash_compare<std::uint64_t>, Allocator>;
  Map map_;
  std::mutex order_mutex_;
  std::deque<std::uint64_t> order_;
  std::size_t capacity_, value_bytes_;
};

HOTBENCH_REGISTER(TbbHashFifo) { ::hotbench::cache::add_concurrent<TbbHashFifo>("tbb_hash_map_fifo"); }
}  // namespace hotbench::cache
