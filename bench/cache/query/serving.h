// Serving strategies: how one request for a user's query result is served from
// a database and a cache. The cache side is only the key-value client contract
// (servers/kv.h): an in-process policy (policy_store.h), Redis or memcached
// plug in without new strategy code.
//
// Keys are "q:<user id>"; a cached value is the serialized query result
// (tables.h), exactly the bytes the database's query returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../servers/kv.h"
#include "database.h"

namespace hotbench::cache::query {

enum class Strategy {
  none,           // every read is a query; a write is an UPDATE
  cache_aside,    // the application: get; on a miss, query and set. Write: UPDATE, then delete the key
  read_through,   // the cache layer loads on a miss (the application only asks it). Write: UPDATE, then delete
  write_through,  // reads as read_through. Write: UPDATE, then set the key to the fresh result
  forgetful,      // cache-aside that never invalidates: a planted bug for the tests, never a row
};

struct StrategyInfo {
  Strategy strategy;
  std::string name;
  std::string what;
  bool cached;  // uses a cache store
  bool listed;  // offered as rows (forgetful is not)
  bool writes_only = false;  // serves reads as another strategy does: no rows without writes
};

const std::vector<StrategyInfo>& strategies();
const StrategyInfo* find_strategy(const std::string& name);
std::vector<std::string> listed_strategy_names();

// A get batch of one: the value copied out (it is valid only during the reply).
struct OneReply final : kv::GetReplies {
  std::string value;
  bool found = false;
  void reply(std::size_t, bool f, std::string_view v) override {
    found = f;
    if (f) value.assign(v);
  }
};

// The cache layer of read-through and write-through: the only thing the application talks to on
// reads; it asks the database itself on a miss and stores the result.
class LoadingCache {
 public:
  LoadingCache(kv::Client& store, Database& db) : store_(store), db_(db) {}
  // The result for `user` under `key` (valid until the next call); `hit` says where it came from.
  std::string_view get(std::uint32_t user, const std::string& key, bool& hit);
  // After the database changed `user`: store its fresh result (write-through) or drop it.
  // (A refused refresh would leave the old result stored: it stays an error, as every set does.)
  void refresh(std::uint32_t user, const std::string& key);
  void drop(const std::string& key);
  // Fills after a miss that the store refused for lack of memory (kv::Client::fill).
  std::uint64_t refused() const { return refused_; }

 private:
  kv::Client& store_;
  Database& db_;
  OneReply reply_;
  std::uint64_t refused_ = 0;
};

class Serving {
 public:
  // `store` may be null only for Strategy::none. `users`: the key space (keys are made up front).
  Serving(Strategy strategy, Database& db, kv::Client* store, std::uint64_t users);

  // The result served for a read of `user`, valid until the next call; `hit`: from the cache.
  std::string_view read(std::uint32_t user, bool& hit);
  // A write: the UPDATE (a balance no row held before), then the strategy's invalidation.
  void write(std::uint32_t user);

  std::uint64_t reads() const { return reads_; }
  std::uint64_t hits() const { return hits_; }
  // Fills after a miss that the store refused for lack of memory: the key stays absent.
  std::uint64_t refused_fills() const { return refused_ + (loading_ ? loading_->refused() : 0); }

 private:
  Strategy strategy_;
  Database& db_;
  kv::Client* store_;
  std::optional<LoadingCache> loading_;  // read_through and write_through
  std::vector<std::string> keys_;
  OneReply reply_;
  std::uint64_t reads_ = 0, hits_ = 0, refused_ = 0;
};

}  // namespace hotbench::cache::query
