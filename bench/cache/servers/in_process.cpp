// The in-process baseline behind the same interface as the servers: one of the
// suite's own policies (LRU unless the row names another) over its best map,
// string keys, shared by every connection under one mutex. A "batch" is a loop.
#include <mutex>

#include "../cases.h"
#include "kv.h"

namespace hotbench::cache::kv {
namespace {

constexpr const char* kMap = "boost_flat";

struct Store {
  std::mutex mutex;
  std::unique_ptr<AnyCache<std::string>> cache;
  std::size_t value_bytes;
  std::uint64_t hits = 0, misses = 0;
  Stats base;
};

class InProcessClient final : public Client {
 public:
  explicit InProcessClient(std::shared_ptr<Store> s) : s_(std::move(s)) {}
  void get(std::span<const std::string> keys, GetReplies& out) override {
    std::lock_guard lock(s_->mutex);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const std::byte* v = s_->cache->get(keys[i]);
      if (v) out.reply(i, true, {reinterpret_cast<const char*>(v), s_->value_bytes});
      else out.reply(i, false, {});
    }
  }
  void set(std::span<const std::string> keys, std::span<const std::string_view> values) override {
    std::lock_guard lock(s_->mutex);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (values[i].size() != s_->value_bytes)
        throw KvError("in_process: a value of " + std::to_string(values[i].size()) + " bytes; the store holds " +
                      std::to_string(s_->value_bytes));
      s_->cache->put(keys[i], reinterpret_cast<const std::byte*>(values[i].data()));
    }
  }
  void del(std::span<const std::string>) override {
    throw KvError("in_process: the suite's policies have no delete");
  }
  ServerStats stats() override {
    std::lock_guard lock(s_->mutex);
    const Stats now = s_->cache->stats();
    ServerStats out;
    out.get_hits = now.hits - s_->base.hits;
    out.get_misses = now.misses - s_->base.misses;
    out.evictions = now.evictions - s_->base.evictions;
    out.items = s_->cache->size();
    out.used_bytes = s_->cache->size() * s_->value_bytes;
    return out;
  }
  void reset_stats() override {
    std::lock_guard lock(s_->mutex);
    s_->base = s_->cache->stats();
  }

 private:
  std::shared_ptr<Store> s_;
};

class InProcess final : public Server {
 public:
  explicit InProcess(const ServerOptions& o) : policy_(o.eviction.empty() ? "lru" : o.eviction) {
    const PolicyInfo* p = find_policy(policy_);
    if (!p) throw KvError("in_process: no policy named " + policy_);
    if (!o.max_entries || !o.value_bytes) throw KvError("in_process: needs max_entries and value_bytes");
    store_ = std::make_shared<Store>();
    store_->cache = p->make_string.at(kMap)(o.max_entries, o.value_bytes);
    store_->value_bytes = o.value_bytes;
  }
  std::unique_ptr<Client> connect(Transport) override { return std::make_unique<InProcessClient>(store_); }
  bool alive() const override { return true; }
  std::vector<std::pair<std::string, std::string>> describe() const override {
    return {{"policy", policy_}, {"map", kMap}, {"capacity", std::to_string(store_->cache->capacity())}};
  }

 private:
  std::string policy_;
  std::shared_ptr<Store> store_;
};

}  // namespace
}  // namespace hotbench::cache::kv

HOTBENCH_REGISTER(in_process) {
  using namespace hotbench::cache::kv;
  systems().add({"in_process",
                 {Transport::memory},
                 {},
                 false,
                 std::string("the suite's policy (lru unless the row names one) over ") + kMap +
                     ", string keys, one mutex",
                 [](const ServerOptions& o) -> std::unique_ptr<Server> { return std::make_unique<InProcess>(o); }});
}
