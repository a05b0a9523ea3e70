// The single-thread designs made concurrent: 16 shards, each one of the
// registered policy/map pairs behind its own mutex; a key's shard comes from
// its hash. Capacity is split exactly across shards (each shard is a smaller
// cache, so hit ratios differ slightly from one global cache). The shard's
// cache is called through AnyCache (one virtual call, small next to the lock).
#include <mutex>
#include <stdexcept>

#include "../cases.h"
#include "../concurrent.h"

namespace hotbench::cache {

class ShardedCache {
 public:
  ShardedCache(const std::string& policy, const std::string& map, std::size_t capacity, std::size_t value_bytes)
      : value_bytes_(value_bytes) {
    const PolicyInfo* p = find_policy(policy);
    if (!p || !p->make_u64.count(map)) throw std::invalid_argument("no policy " + policy + " over " + map);
    const std::size_t n = std::min<std::size_t>(kShards, capacity);
    for (std::size_t i = 0; i < n; ++i) {
      shards_.push_back(std::make_unique<Shard>());
      shards_.back()->cache = p->make_u64.at(map)(capacity / n + (i < capacity % n), value_bytes);
    }
  }
  bool get_or_fill(std::uint64_t key, std::uint64_t word, std::byte* out) {
    Shard& s = *shards_[key_hash(key) % shards_.size()];
    std::lock_guard lock(s.mutex);
    if (const std::byte* v = s.cache->get(key)) {
      std::memcpy(out, v, value_bytes_);
      return true;
    }
    fill_value(out, value_bytes_, word);
    s.cache->put(key, out);
    return false;
  }

 private:
  static constexpr std::size_t kShards = 16;
  struct alignas(64) Shard {
    std::mutex mutex;
    std::unique_ptr<AnyCache<std::uint64_t>> cache;
  };
  std::size_t value_bytes_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

struct ShardedLruBoostFlat : ShardedCache {
  ShardedLruBoostFlat(std::size_t c, std::size_t vb) : ShardedCache("lru", "boost_flat", c, vb) {}
};
struct ShardedS3FifoBoostFlat : ShardedCache {
  ShardedS3FifoBoostFlat(std::size_t c, std::size_t vb) : ShardedCache("s3fifo", "boost_flat", c, vb) {}
};

HOTBENCH_REGISTER(ShardedLruBoostFlat) { ::hotbench::cache::add_concurrent<ShardedLruBoostFlat>("sharded:lru_boost_flat"); }
HOTBENCH_REGISTER(ShardedS3FifoBoostFlat) { ::hotbench::cache::add_concurrent<ShardedS3FifoBoostFlat>("sharded:s3fifo_boost_flat"); }
}  // namespace hotbench::cache
