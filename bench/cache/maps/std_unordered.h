// std::unordered_map as a cache index: node-based, one allocation per entry.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "../cache.h"

namespace hotbench::cache {

template <class Key>
class StdUnorderedIndex {
 public:
  explicit StdUnorderedIndex(std::size_t capacity) { map_.reserve(capacity); }
  std::uint32_t find(const Key& k) const {
    auto it = map_.find(k);
    return it == map_.end() ? kNoSlot : it->second;
  }
  void insert(const Key& k, std::uint32_t slot) { map_.emplace(k, slot); }
  void erase(const Key& k) { map_.erase(k); }
  std::size_t size() const { return map_.size(); }

 private:
  std::unordered_map<Key, std::uint32_t> map_;
};

}  // namespace hotbench::cache
