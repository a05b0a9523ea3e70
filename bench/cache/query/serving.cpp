#include "serving.h"

#include <algorithm>
#include <span>
#include <stdexcept>

namespace hotbench::cache::query {

const std::vector<StrategyInfo>& strategies() {
  static const std::vector<StrategyInfo> all = {
      {Strategy::none, "none", "no cache: every read is a query", false, true},
      {Strategy::cache_aside, "cache_aside",
       "the application gets the key, on a miss queries and sets it; a write updates the row, then deletes the key",
       true, true},
      {Strategy::read_through, "read_through",
       "a cache layer that queries on a miss; a write updates the row, then deletes the key", true, true},
      {Strategy::write_through, "write_through",
       "reads as read_through; a write updates the row, then stores its fresh result in the cache", true, true, true},
      {Strategy::forgetful, "forgetful", "cache-aside that never invalidates (a planted bug for the tests)", true,
       false},
  };
  return all;
}

const StrategyInfo* find_strategy(const std::string& name) {
  for (const auto& s : strategies())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> listed_strategy_names() {
  std::vector<std::string> names;
  for (const auto& s : strategies())
    if (s.listed) names.push_back(s.name);
  return names;
}

std::string_view LoadingCache::get(std::uint32_t user, const std::string& key, bool& hit) {
  store_.get(std::span(&key, 1), reply_);
  hit = reply_.found;
  if (hit) return reply_.value;
  const std::string_view result = db_.query(user);
  refused_ += store_.fill(std::span(&key, 1), std::span(&result, 1));  // refused: still absent
  return result;
}

void LoadingCache::refresh(std::uint32_t user, const std::string& key) {
  const std::string_view result = db_.query(user);
  store_.set(std::span(&key, 1), std::span(&result, 1));
}

void LoadingCache::drop(const std::string& key) { store_.del(std::span(&key, 1)); }

Serving::Serving(Strategy strategy, Database& db, kv::Client* store, std::uint64_t users)
    : strategy_(strategy), db_(db), store_(store) {
  if (strategy != Strategy::none && !store) throw std::invalid_argument("a caching strategy without a cache store");
  if (strategy == Strategy::read_through || strategy == Strategy::write_through) loading_.emplace(*store, db);
  if (strategy != Strategy::none) {
    keys_.reserve(users);
    for (std::uint64_t id = 0; id < users; ++id) keys_.push_back("q:" + std::to_string(id));
  }
}

std::string_view Serving::read(std::uint32_t user, bool& hit) {
  ++reads_;
  switch (strategy_) {
    case Strategy::none:
      hit = false;
      return db_.query(user);
    case Strategy::cache_aside:
    case Strategy::forgetful: {
      const std::string& key = keys_[user];
      store_->get(std::span(&key, 1), reply_);
      hit = reply_.found;
      if (hit) {
        ++hits_;
        return reply_.value;
      }
      const std::string_view result = db_.query(user);
      refused_ += store_->fill(std::span(&key, 1), std::span(&result, 1));  // refused: still absent
      return result;
    }
    case Strategy::read_through:
    case Strategy::write_through: {
      const std::string_view result = loading_->get(user, keys_[user], hit);
      hits_ += hit;
      return result;
    }
  }
  throw std::logic_error("unknown strategy");
}

void Serving::write(std::uint32_t user) {
  db_.update_balance(user, db_.next_balance());
  switch (strategy_) {
    case Strategy::none:
    case Strategy::forgetful:
      return;
    case Strategy::cache_aside:
      store_->del(std::span(&keys_[user], 1));
      return;
    case Strategy::read_through:
      loading_->drop(keys_[user]);
      return;
    case Strategy::write_through:
      loading_->refresh(user, keys_[user]);
      return;
  }
}

}  // namespace hotbench::cache::query
