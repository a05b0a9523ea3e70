// tbb::concurrent_lru_cache (oneTBB 2021.8, a preview feature). Read-through
// only: operator[] returns a handle, calling the value function on a miss.
// Capacity semantics: it keeps every item with a live handle plus `capacity`
// unused ones, so with T threads it may hold up to capacity + T items. Its
// storage is a std::map under an aggregator (all operations serialised).
#define TBB_PREVIEW_CONCURRENT_LRU_CACHE 1
#include <tbb/concurrent_lru_cache.h>

#include "../concurrent.h"

namespace hotbench::cache {

class TbbLru {
 public:
  TbbLru(std::size_t capacity, std::size_t value_bytes)
      : value_bytes_(value_bytes), cache_(Fill{value_bytes}, capacity) {}
  bool get_or_fill(std::uint64_t key, std::uint64_t, std::byte* out) {
    filled_here() = false;
    auto handle = cache_[key];
    std::memcpy(out, handle.value().data(), value_bytes_);
    return !filled_here();
  }

 private:
  using Value = std::vector<std::byte>;
  // The value function runs on the requesting thread (inside operator[]).
  static bool& filled_here() {
    thread_local bool filled = false;
    return filled;
  }
  struct Fill {
    std::size_t value_bytes;
    Value operator()(std::uint64_t key) const {
      filled_here() = true;
      Value v(value_bytes);
      fill_value(v.data(), value_bytes, value_word(key_hash(key), 0));
      return v;
    }
  };
  std::size_t value_bytes_;
  tbb::concurrent_lru_cache<std::uint64_t, Value, Fill> cache_;
};

HOTBENCH_REGISTER(TbbLru) { ::hotbench::cache::add_concurrent<TbbLru>("tbb_concurrent_lru_cache"); }
}  // namespace hotbench::cache
