// The caching suite's contract: one small cache interface, implemented by every
// eviction policy over every index (hash map adapter).
//
// A policy is a class template Policy<Key, Index> deriving from
// CacheCore<Policy<Key, Index>, Key, Index>. CacheCore owns the parts every
// policy shares -- the index (key -> slot), a slot pool of keys and fixed-size
// values (no per-entry allocation), the statistics and get/put/get_or_fill --
// and calls three hooks on the policy:
//
//   void on_hit(std::uint32_t slot);        // a get or put found the key
//   void on_miss(const Key& key);           // a get did not (admission filters count it)
//   std::uint32_t place(const Key& key);    // room for a new key: evict what the policy
//                                           // chooses (evict(slot)), return fresh_slot()
//
// What bounds a cache is CacheCore's last parameter, Bound, which every policy
// passes on (template <class Key, class Index, class Bound = Entries>):
//   Entries: a number of keys, and objects have no size: the generated rows.
//   Sized:   every object has a size (put(key, value, size)); the limit is either
//            a number of keys or a number of bytes (SizedCapacity), chosen at
//            construction: the trace rows. The sum of the weights of the
//            resident keys (1 each, or their sizes in bytes) never exceeds the
//            limit: a new key evicts, with the policy's own choice of victim,
//            until it fits; a key heavier than the whole limit is not stored
//            (Stats::not_admitted). A policy makes room through
//            make_room(evict_one), and in a sized cache measures its regions
//            (S3-FIFO's small queue, W-TinyLFU's window) by weight.
//
// Adding a policy is one file in policies/ ending with HOTBENCH_REGISTER(...)
// (see registry.h); adding a map is one header in maps/ and one line in maps/maps.h.
#pragma once

#include "../harness/mix64.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hotbench::cache {

inline constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();

struct Stats {
  std::uint64_t hits = 0, misses = 0;  // outcomes of get()
  std::uint64_t inserts = 0;           // new keys stored by put()
  std::uint64_t evictions = 0;         // keys removed to make room
  // Sized caches only: the bytes get() was asked for and those it hit, and new keys put() refused
  // because they alone outweigh the limit.
  std::uint64_t requested_bytes = 0, hit_bytes = 0, not_admitted = 0;
  std::uint64_t gets() const { return hits + misses; }
};

struct Entries {
  static constexpr bool sized = false;
};
struct Sized {
  static constexpr bool sized = true;
};

// A sized cache's capacity: `limit` entries, or `limit` bytes when `bytes`, and
// `slots`, the most keys it can ever hold at once (its slot pool; with sizes of
// 0 a byte limit alone bounds nothing).
struct SizedCapacity {
  std::uint64_t limit = 0;
  bool bytes = false;
  std::size_t slots = 0;
};
template <class Bound>
using CapacityOf = std::conditional_t<Bound::sized, SizedCapacity, std::size_t>;
inline std::size_t slots_of(std::size_t entries) { return entries; }
inline std::size_t slots_of(const SizedCapacity& c) { return c.slots; }
// What a policy's shares (10 % small queue, 1 % window...) are shares of: entries or bytes.
inline std::uint64_t budget_of(std::size_t entries) { return entries; }
inline std::uint64_t budget_of(const SizedCapacity& c) { return c.limit; }

// The weight of one of a policy's queues: its length when the cache counts
// entries, else the sum of its keys' weights, which the policy keeps with
// add/sub (no-ops, and no state, for Entries).
template <class Bound>
struct QueueWeight {
  std::uint64_t weight = 0;
  void add(std::uint64_t w) { weight += w; }
  void sub(std::uint64_t w) { weight -= w; }
  template <class List>
  std::uint64_t of(const List&) const { return weight; }
};
template <>
struct QueueWeight<Entries> {
  void add(std::uint64_t) {}
  void sub(std::uint64_t) {}
  template <class List>
  std::uint64_t of(const List& l) const { return l.size(); }
};

// Our own key hash (policies' sketches and ghosts, shard choice), independent
// of the index's hash so a policy decides identically over every map.
inline std::uint64_t key_hash(std::uint64_t k) { return mix64(k); }
inline std::uint64_t key_hash(const std::string& k) { return mix64(std::hash<std::string_view>{}(k)); }

// Value payloads: value_bytes bytes made of one 8-byte word repeated (a shorter
// tail takes the word's first bytes). The word names the key and the version
// written, so a reader can tell a value of another key or a torn one.
inline std::uint64_t value_word(std::uint64_t key_hash, std::uint64_t version) {
  return key_hash ^ (version * 0x9e3779b97f4a7c15ULL);
}
inline void fill_value(std::byte* out, std::size_t value_bytes, std::uint64_t word) {
  std::size_t i = 0;
  for (; i + 8 <= value_bytes; i += 8) std::memcpy(out + i, &word, 8);
  std::memcpy(out + i, &word, value_bytes - i);
}
// True when `v` is the payload of exactly `word`.
inline bool value_is(const std::byte* v, std::size_t value_bytes, std::uint64_t word) {
  std::size_t i = 0;
  for (; i + 8 <= value_bytes; i += 8)
    if (std::memcmp(v + i, &word, 8) != 0) return false;
  return std::memcmp(v + i, &word, value_bytes - i) == 0;
}
// The word a payload carries if it is whole (all words equal), for readers that
// do not know which version to expect (concurrent caches).
inline bool value_is_whole(const std::byte* v, std::size_t value_bytes, std::uint64_t& word) {
  word = 0;
  std::memcpy(&word, v, value_bytes < 8 ? value_bytes : 8);
  if (value_bytes < 8) return true;
  return value_is(v, value_bytes, word);
}

// Intrusive doubly-linked lists over slot numbers: several lists (LRU order,
// S3-FIFO's small and main queues...) share one pair of link arrays, and moving
// a slot between them allocates nothing. Head = newest, tail = oldest. A
// slot's two links share one 8-byte record, so unlinking touches one cache
// line per slot involved.
struct SlotLinks {
  struct Link {
    std::uint32_t newer = kNoSlot, older = kNoSlot;
  };
  std::vector<Link> link;
  explicit SlotLinks(std::size_t n) : link(n) {}
  std::uint32_t newer(std::uint32_t s) const { return link[s].newer; }
  std::uint32_t older(std::uint32_t s) const { return link[s].older; }
};

class SlotList {
 public:
  std::uint32_t head() const { return head_; }
  std::uint32_t tail() const { return tail_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void push_head(SlotLinks& l, std::uint32_t s) {
    l.link[s] = {kNoSlot, head_};
    if (head_ != kNoSlot) l.link[head_].newer = s;
    head_ = s;
    if (tail_ == kNoSlot) tail_ = s;
    ++size_;
  }
  void remove(SlotLinks& l, std::uint32_t s) {
    const auto [n, o] = l.link[s];
    if (n != kNoSlot) l.link[n].older = o;
    else head_ = o;
    if (o != kNoSlot) l.link[o].newer = n;
    else tail_ = n;
    --size_;
  }
  void move_to_head(SlotLinks& l, std::uint32_t s) {
    if (head_ == s) return;
    remove(l, s);
    push_head(l, s);
  }

 private:
  std::uint32_t head_ = kNoSlot, tail_ = kNoSlot;
  std::size_t size_ = 0;
};

// The same map adapter over another key type (S3-FIFO's ghost keys by hash);
// defined for every map in maps/map_index.h.
template <class Index>
struct RebindIndex;

template <class Derived, class Key, class Index, class Bound = Entries>
class CacheCore {
 public:
  using key_type = Key;
  using bound_type = Bound;
  using capacity_type = CapacityOf<Bound>;
  static constexpr bool sized = Bound::sized;

  CacheCore(capacity_type capacity, std::size_t value_bytes)
      : index_(checked_capacity(slots_of(capacity))),
        keys_(slots_of(capacity)),
        values_(slots_of(capacity) * value_bytes),
        scratch_(value_bytes),
        capacity_(slots_of(capacity)),
        value_bytes_(value_bytes) {
    free_.reserve(4);
    if constexpr (sized) {
      sized_.weight.resize(capacity_);
      sized_.limit = capacity.limit;
      sized_.bytes = capacity.bytes;
    }
  }

  // Sized caches: get() and put() with the object's size in bytes. A hit counts
  // `size` hit bytes (the request's size: byte hit ratio = hit bytes / requested
  // bytes). A resident key keeps the weight it was stored with; a new one
  // heavier than the whole limit is not stored (put returns false).
  const std::byte* get(const Key& key, std::uint32_t size)
    requires sized
  {
    stats_.requested_bytes += size;
    const std::byte* v = get(key);
    if (v) stats_.hit_bytes += size;
    return v;
  }
  bool put(const Key& key, const std::byte* value, std::uint32_t size)
    requires sized
  {
    std::uint32_t s = index_.find(key);
    if (s == kNoSlot) {
      const std::uint64_t w = sized_.bytes ? size : 1;
      if (w > sized_.limit) {
        ++stats_.not_admitted;
        return false;
      }
      sized_.incoming = w;
      s = self().place(key);
      index_.insert(key, s);
      keys_[s] = key;
      sized_.used += w;
      ++stats_.inserts;
      ++size_;
    } else {
      self().on_hit(s);
    }
    std::memcpy(value_at(s), value, value_bytes_);
    return true;
  }
  std::uint64_t used() const
    requires sized
  {
    return sized_.used;
  }
  std::uint64_t limit() const
    requires sized
  {
    return sized_.limit;
  }
  bool counts_bytes() const
    requires sized
  {
    return sized_.bytes;
  }

  // The stored value, or null on a miss. Valid until the next put.
  const std::byte* get(const Key& key) {
    const std::uint32_t s = index_.find(key);
    if (s == kNoSlot) {
      ++stats_.misses;
      self().on_miss(key);
      return nullptr;
    }
    ++stats_.hits;
    self().on_hit(s);
    return value_at(s);
  }

  // Stores value_bytes() bytes for key (a new key may evict another).
  void put(const Key& key, const std::byte* value)
    requires(!sized)
  {
    std::uint32_t s = index_.find(key);
    if (s == kNoSlot) {
      s = self().place(key);
      index_.insert(key, s);
      keys_[s] = key;
      ++stats_.inserts;
      ++size_;
    } else {
      self().on_hit(s);  // a write is an access for the policy (not a get: no hit counted)
    }
    std::memcpy(value_at(s), value, value_bytes_);
  }

  // Read-through: the value, filled by fill(std::byte* out) and stored on a miss.
  template <class Fill>
  const std::byte* get_or_fill(const Key& key, Fill&& fill)
    requires(!sized)
  {
    if (const std::byte* v = get(key)) return v;
    fill(scratch_.data());
    put(key, scratch_.data());
    return scratch_.data();
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::size_t value_bytes() const { return value_bytes_; }
  const Stats& stats() const { return stats_; }

  // Default hooks: policies override what they need.
  void on_hit(std::uint32_t) {}
  void on_miss(const Key&) {}

 protected:
  std::byte* value_at(std::uint32_t s) { return values_.data() + std::size_t{s} * value_bytes_; }
  const Key& key_at(std::uint32_t s) const { return keys_[s]; }
  bool full() const { return size_ == capacity_; }
  // Sized: the key being placed does not fit yet (by weight, or no slot left).
  bool needs_room() const
    requires sized
  {
    return sized_.used + sized_.incoming > sized_.limit || size_ == capacity_;
  }
  // Room for the key being placed: evict_one() once when full (Entries), or
  // until the key fits (Sized).
  template <class EvictOne>
  void make_room(EvictOne&& evict_one) {
    if constexpr (sized) {
      while (needs_room()) evict_one();
    } else if (full()) {
      evict_one();
    }
  }
  // A resident key's weight (1 without sizes), and the weight of the key being placed.
  std::uint64_t weight_at([[maybe_unused]] std::uint32_t s) const {
    if constexpr (sized) return sized_.weight[s];
    else return 1;
  }
  std::uint64_t incoming_weight() const {
    if constexpr (sized) return sized_.incoming;
    else return 1;
  }

  // A slot for a new key: a never-used one first, then one freed by evict().
  // (The Entries code is spelled out as it was, so its instruction counts stay those of the gate's baseline.)
  std::uint32_t fresh_slot() {
    if constexpr (sized) {
      const std::uint32_t s = take_slot();
      sized_.weight[s] = static_cast<std::uint32_t>(sized_.incoming);
      return s;
    }
    if (!free_.empty()) {
      const std::uint32_t s = free_.back();
      free_.pop_back();
      return s;
    }
    return static_cast<std::uint32_t>(next_unused_++);
  }
  void evict(std::uint32_t s) {
    index_.erase(keys_[s]);
    free_.push_back(s);
    ++stats_.evictions;
    --size_;
    if constexpr (sized) sized_.used -= sized_.weight[s];
  }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  std::uint32_t take_slot() {
    if (!free_.empty()) {
      const std::uint32_t s = free_.back();
      free_.pop_back();
      return s;
    }
    return static_cast<std::uint32_t>(next_unused_++);
  }
  static std::size_t checked_capacity(std::size_t c) {
    if (c == 0 || c >= kNoSlot) throw std::invalid_argument("cache capacity must be between 1 and 2^32-2 entries");
    return c;
  }

  Index index_;
  std::vector<Key> keys_;
  std::vector<std::byte> values_;
  std::vector<std::byte> scratch_;
  std::vector<std::uint32_t> free_;
  std::size_t capacity_, value_bytes_;
  std::size_t size_ = 0, next_unused_ = 0;
  Stats stats_;
  struct SizedState {
    std::vector<std::uint32_t> weight;  // per slot
    std::uint64_t used = 0, limit = 0, incoming = 0;
    bool bytes = false;
  };
  struct NoState {};
  [[no_unique_address]] std::conditional_t<sized, SizedState, NoState> sized_;
};

}  // namespace hotbench::cache
