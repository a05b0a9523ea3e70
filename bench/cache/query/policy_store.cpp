#include "policy_store.h"

#include <cstring>
#include <stdexcept>

namespace hotbench::cache::query {

PolicyStore::PolicyStore(const std::string& policy, const std::string& map, std::size_t capacity) : slot_{} {
  const PolicyInfo* info = find_policy(policy);
  if (!info) throw std::invalid_argument("no cache policy '" + policy + "'");
  auto make = info->make_string.find(map);
  if (make == info->make_string.end()) throw std::invalid_argument("no map '" + map + "' for policy '" + policy + "'");
  cache_ = make->second(capacity, kSlotBytes);
}

void PolicyStore::get(std::span<const std::string> keys, kv::GetReplies& out) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::byte* v = cache_->get(keys[i]);
    const auto length = v ? std::to_integer<unsigned char>(v[0]) : kTombstone;
    if (length == kTombstone) {
      ++misses_;
      out.reply(i, false, {});
    } else {
      ++hits_;
      out.reply(i, true, std::string_view(reinterpret_cast<const char*>(v + 1), length));
    }
  }
}

void PolicyStore::set(std::span<const std::string> keys, std::span<const std::string_view> values) {
  if (keys.size() != values.size()) throw kv::KvError("in-process store: set of " + std::to_string(keys.size()) +
                                                       " keys with " + std::to_string(values.size()) + " values");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (values[i].size() > kMaxValueBytes)
      throw kv::KvError("in-process store: a value of " + std::to_string(values[i].size()) +
                        " bytes exceeds its slot of " + std::to_string(kMaxValueBytes));
    slot_[0] = static_cast<std::byte>(values[i].size());
    std::memcpy(slot_ + 1, values[i].data(), values[i].size());
    cache_->put(keys[i], slot_);
  }
}

void PolicyStore::del(std::span<const std::string> keys) {
  slot_[0] = static_cast<std::byte>(kTombstone);
  for (const std::string& key : keys)
    if (cache_->get(key)) cache_->put(key, slot_);
}

kv::ServerStats PolicyStore::stats() {
  kv::ServerStats s;
  s.get_hits = hits_;
  s.get_misses = misses_;
  s.evictions = cache_->stats().evictions - evictions_at_reset_;
  s.items = cache_->size();
  s.used_bytes = cache_->size() * kSlotBytes;
  return s;
}

void PolicyStore::reset_stats() {
  hits_ = misses_ = 0;
  evictions_at_reset_ = cache_->stats().evictions;
}

}  // namespace hotbench::cache::query
