// The index contract (key -> slot: find, insert, erase, size, built for a
// capacity) over any hash map with the standard find / emplace / erase /
// reserve members. A map adapter is one alias of MapIndex (see maps.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "../cache.h"

namespace hotbench::cache {

template <template <class...> class Map, class Key>
class MapIndex {
 public:
  explicit MapIndex(std::size_t capacity) { map_.reserve(capacity); }
  std::uint32_t find(const Key& k) const {
    auto it = map_.find(k);
    return it == map_.end() ? kNoSlot : it->second;
  }
  void insert(const Key& k, std::uint32_t slot) { map_.emplace(k, slot); }
  void erase(const Key& k) { map_.erase(k); }
  std::size_t size() const { return map_.size(); }

 private:
  Map<Key, std::uint32_t> map_;
};

// The same map over another key type (S3-FIFO's ghost keys by hash).
template <template <class...> class Map, class Key>
struct RebindIndex<MapIndex<Map, Key>> {
  template <class Other>
  using to = MapIndex<Map, Other>;
};

}  // namespace hotbench::cache
