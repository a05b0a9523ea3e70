// boost::unordered_flat_map (Boost 1.81) as a cache index: open addressing,
// SIMD-probed groups of 15, entries stored inline.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>

#include "../cache.h"

namespace hotbench::cache {

template <class Key>
class BoostFlatIndex {
 public:
  explicit BoostFlatIndex(std::size_t capacity) { map_.reserve(capacity); }
  std::uint32_t find(const Key& k) const {
    auto it = map_.find(k);
    return it == map_.end() ? kNoSlot : it->second;
  }
  void insert(const Key& k, std::uint32_t slot) { map_.emplace(k, slot); }
  void erase(const Key& k) { map_.erase(k); }
  std::size_t size() const { return map_.size(); }

 private:
  boost::unordered_flat_map<Key, std::uint32_t> map_;
};

}  // namespace hotbench::cache
