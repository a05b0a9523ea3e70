// An in-process eviction policy behind the key-value client contract
// (servers/kv.h), so the query cache drives an in-process cache, Redis and
// memcached with the same serving code.
//
// The policies store fixed-size values and have no delete (cache.h), so:
// - a value is one slot of kSlotBytes: a length byte, then the bytes; a longer
//   value is refused (KvError);
// - del() overwrites a resident key with a tombstone (length byte 0xFF) that a
//   get reports as a miss. The tombstone keeps its slot until the policy evicts
//   it, and the del counts as an access for the policy (it looks the key up
//   first, so an absent key is not inserted). Redis and memcached delete for real.
// Hits and misses are counted here (a tombstone is a miss), not by the policy.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "../cases.h"
#include "../servers/kv.h"

namespace hotbench::cache::query {

class PolicyStore final : public kv::Client {
 public:
  static constexpr std::size_t kSlotBytes = 128;
  static constexpr std::size_t kMaxValueBytes = kSlotBytes - 1;
  static constexpr unsigned char kTombstone = 0xFF;

  // `policy` and `map` as registered (cases.h); throws std::invalid_argument for unknown names.
  PolicyStore(const std::string& policy, const std::string& map, std::size_t capacity);

  void get(std::span<const std::string> keys, kv::GetReplies& out) override;
  void set(std::span<const std::string> keys, std::span<const std::string_view> values) override;
  void del(std::span<const std::string> keys) override;
  kv::ServerStats stats() override;
  void reset_stats() override;

  std::size_t size() const { return cache_->size(); }

 private:
  std::unique_ptr<AnyCache<std::string>> cache_;
  std::byte slot_[kSlotBytes];
  std::uint64_t hits_ = 0, misses_ = 0, evictions_at_reset_ = 0;
};

}  // namespace hotbench::cache::query
