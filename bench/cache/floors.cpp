#include "floors.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <memory>
#include <random>
#include <stdexcept>

#include "cache.h"
#include "maps/maps.h"

namespace hotbench::cache {
namespace {

class PointerChase final : public Case {
 public:
  PointerChase(std::size_t bytes, std::uint64_t seed) : nodes_(std::max<std::size_t>(2, bytes / sizeof(Node))) {
    // Sattolo's algorithm: a permutation that is one cycle through every node.
    std::vector<std::uint32_t> order(nodes_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::mt19937_64 rng(seed);
    for (std::size_t i = order.size() - 1; i > 0; --i) {
      std::uniform_int_distribution<std::size_t> pick(0, i - 1);
      std::swap(order[i], order[pick(rng)]);
    }
    for (std::size_t i = 0; i < order.size(); ++i) nodes_[order[i]].next = order[(i + 1) % order.size()];
  }
  Work work() const override {
    Work w;
    w.items = kChaseHops;
    w.unit = Work::Unit::ops;
    return w;
  }
  Check check() override {
    std::uint32_t p = 0;
    for (std::size_t i = 1; i <= nodes_.size(); ++i) {
      p = nodes_[p].next;
      if (p == 0 && i != nodes_.size())
        return Check::failed("the chase closes after " + std::to_string(i) + " of " + std::to_string(nodes_.size()) +
                             " nodes");
    }
    if (p != 0) return Check::failed("the chase is not a cycle");
    Check ok;
    ok.findings = {{"bytes", static_cast<double>(nodes_.size() * sizeof(Node))}};
    return ok;
  }
  void run() override {
    std::uint32_t p = position_;
    for (std::size_t i = 0; i < kChaseHops; ++i) p = nodes_[p].next;
    position_ = p;
    benchmark::DoNotOptimize(position_);
  }

 private:
  struct alignas(64) Node {
    std::uint32_t next = 0;
  };
  std::vector<Node> nodes_;
  std::uint32_t position_ = 0;
};

// With value_bytes > 0 each lookup also reads the first byte of its key's
// value in a slab of entries x value_bytes, as a cache hit does: the floor
// then holds the same bytes as the cache, not only the same number of keys.
template <template <class> class Map>
class RawLookup final : public Case {
 public:
  RawLookup(std::size_t entries, std::size_t lookups, std::uint64_t seed, std::size_t value_bytes)
      : map_(entries), keys_(entries), stream_(resident_stream(entries, lookups, seed)), value_bytes_(value_bytes),
        values_(entries * value_bytes) {
    for (std::uint32_t id = 0; id < entries; ++id) {
      map_.insert(keys_[id] = mix64(id), id);
      if (value_bytes_ > 0) fill_value(values_.data() + std::size_t{id} * value_bytes_, value_bytes_, keys_[id]);
    }
  }
  Work work() const override {
    Work w;
    w.items = static_cast<double>(stream_.size());
    w.unit = Work::Unit::ops;
    return w;
  }
  Check check() override {
    for (std::uint32_t id = 0; id < keys_.size(); ++id) {
      const std::uint32_t slot = map_.find(keys_[id]);
      if (slot != id) return Check::failed("key id " + std::to_string(id) + " not found");
      if (value_bytes_ > 0 && !value_is(values_.data() + std::size_t{slot} * value_bytes_, value_bytes_, keys_[id]))
        return Check::failed("key id " + std::to_string(id) + ": wrong value");
    }
    if (map_.find(mix64(keys_.size())) != kNoSlot) return Check::failed("found a key never inserted");
    return {};
  }
  void run() override {
    std::uint64_t sum = 0;
    if (value_bytes_ == 0) {
      for (std::uint32_t id : stream_) sum += map_.find(keys_[id]);
    } else {
      for (std::uint32_t id : stream_)
        sum += std::to_integer<std::uint64_t>(values_[std::size_t{map_.find(keys_[id])} * value_bytes_]);
    }
    benchmark::DoNotOptimize(sum);
  }

 private:
  Map<std::uint64_t> map_;
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> stream_;
  std::size_t value_bytes_;
  std::vector<std::byte> values_;
};

std::size_t level_bytes(int name, std::size_t fallback) {
  const long v = sysconf(name);
  return v > 0 ? static_cast<std::size_t>(v) : fallback;
}

}  // namespace

std::vector<ChaseLevel> chase_levels() {
  const std::size_t l1 = level_bytes(_SC_LEVEL1_DCACHE_SIZE, 32 << 10);
  const std::size_t l2 = level_bytes(_SC_LEVEL2_CACHE_SIZE, 1 << 20);
  const std::size_t l3 = level_bytes(_SC_LEVEL3_CACHE_SIZE, 32 << 20);
  return {{"l1", l1 / 2}, {"l2", l2 / 2}, {"llc", l3 / 2}, {"dram", std::max<std::size_t>(256u << 20, 2 * l3)}};
}

CaseFactory pointer_chase(std::size_t bytes, std::uint64_t seed) {
  return [bytes, seed] { return std::make_unique<PointerChase>(bytes, seed); };
}

std::map<std::string, RawLookupMaker> raw_lookups() {
  std::map<std::string, RawLookupMaker> makers;
  for_each_map([&]<template <class> class Map>(const char* name) {
    makers[name] = [](std::size_t entries, std::size_t lookups, std::uint64_t seed, std::size_t value_bytes) -> CaseFactory {
      return [=] { return std::make_unique<RawLookup<Map>>(entries, lookups, seed, value_bytes); };
    };
  });
  return makers;
}

std::vector<std::uint32_t> resident_stream(std::size_t entries, std::size_t count, std::uint64_t seed) {
  if (entries == 0) throw std::invalid_argument("no resident keys");
  std::vector<std::uint32_t> ids(count);
  std::mt19937_64 rng(mix64(seed ^ 0x7265736964656e74ULL));
  for (auto& id : ids) id = static_cast<std::uint32_t>(rng() % entries);
  return ids;
}

}  // namespace hotbench::cache
