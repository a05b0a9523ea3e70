// absl::flat_hash_map (Abseil, Debian 12) as a cache index: Swiss table.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <cstdint>

#include "../cache.h"

namespace hotbench::cache {

template <class Key>
class AbslFlatIndex {
 public:
  explicit AbslFlatIndex(std::size_t capacity) { map_.reserve(capacity); }
  std::uint32_t find(const Key& k) const {
    auto it = map_.find(k);
    return it == map_.end() ? kNoSlot : it->second;
  }
  void insert(const Key& k, std::uint32_t slot) { map_.emplace(k, slot); }
  void erase(const Key& k) { map_.erase(k); }
  std::size_t size() const { return map_.size(); }

 private:
  absl::flat_hash_map<Key, std::uint32_t> map_;
};

}  // namespace hotbench::cache
