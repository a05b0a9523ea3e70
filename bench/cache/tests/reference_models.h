// Reference models of the eviction policies, for policies_test.cpp: each model
// is obviously correct and slow (std containers only), and registers itself by
// the policy's name right after its class with HOTBENCH_REGISTER(Model) {
// test::add_reference_model<Model>("name"); }. The
// tests require a model for every registered policy and a policy for every
// model, so no test keeps its own list of policy names.
//
// Also the random operation sequences and the replay that compares a cache's
// hit/miss decisions with a model's.
#pragma once

#include "harness/registry.h"

#include <gtest/gtest.h>

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache/cases.h"

namespace hotbench::cache::test {

// One request of a model: the key (as an integer; the cache may see it as the
// string "user:<key>"), the key's hash as the cache computes it for that key
// type (key_hash; models of hash-dependent policies use it), and whether it is
// a put. A get that misses is followed by the read-through put of the key.
struct ReferenceModel {
  virtual ~ReferenceModel() = default;
  // Whether key was resident; afterwards it is (read-through or put).
  virtual bool access(std::uint64_t key, std::uint64_t hash, bool write) = 0;
};

using ModelMaker = std::function<std::unique_ptr<ReferenceModel>(std::size_t capacity)>;

inline std::map<std::string, ModelMaker>& reference_models() {
  static std::map<std::string, ModelMaker> models;
  return models;
}

// A model's registration: HOTBENCH_REGISTER(ModelLru) { test::add_reference_model<ModelLru>("lru"); }
template <class Model>
void add_reference_model(const std::string& policy) {
  reference_models()[policy] = [](std::size_t capacity) -> std::unique_ptr<ReferenceModel> {
    return std::make_unique<Model>(capacity);
  };
}

struct Op {
  std::uint64_t key;
  bool write;
};

inline std::vector<Op> random_ops(std::size_t n, std::uint64_t keys, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Op> ops(n);
  for (auto& op : ops) {
    // A skewed mix: half the requests over a few keys, so hits happen.
    op.key = rng() % 2 ? rng() % 8 : rng() % keys;
    op.write = rng() % 5 == 0;
  }
  return ops;
}

template <class Key>
Key key_of(std::uint64_t k) {
  if constexpr (std::is_same_v<Key, std::string>) return string_key(static_cast<std::uint32_t>(k));
  else return k;
}

// Replays ops on the cache (read-through gets and puts), checking value and
// invariants after each; returns, per request, whether it was a get that hit.
template <class Key>
std::vector<bool> replay(AnyCache<Key>& c, const std::vector<Op>& ops, std::size_t vb) {
  std::vector<bool> hits;
  std::unordered_map<std::uint64_t, std::uint64_t> last;
  std::vector<std::byte> buf(vb);
  std::uint64_t gets = 0, hit_count = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto [k, write] = ops[i];
    const std::uint64_t word = value_word(mix64(k), write ? i + 1 : 0);
    if (write) {
      fill_value(buf.data(), vb, word);
      c.put(key_of<Key>(k), buf.data());
      last[k] = word;
      hits.push_back(false);
    } else {
      ++gets;
      const std::byte* v = c.get(key_of<Key>(k));
      hits.push_back(v != nullptr);
      if (v) {
        ++hit_count;
        EXPECT_TRUE(last.count(k) && value_is(v, vb, last[k])) << "request " << i << ": wrong value for key " << k;
      } else {
        fill_value(buf.data(), vb, word);
        c.put(key_of<Key>(k), buf.data());
        last[k] = word;
      }
    }
    const Stats s = c.stats();
    EXPECT_LE(c.size(), c.capacity()) << "request " << i;
    EXPECT_EQ(s.inserts - s.evictions, c.size()) << "request " << i;
    EXPECT_EQ(s.hits, hit_count) << "request " << i;
    EXPECT_EQ(s.hits + s.misses, gets) << "request " << i;
    if (::testing::Test::HasFailure()) break;
  }
  return hits;
}

// The model's decisions for the same ops, with the hashes of the cache's key type.
template <class Key>
std::vector<bool> model_hits(const ModelMaker& make, std::size_t capacity, const std::vector<Op>& ops) {
  const std::unique_ptr<ReferenceModel> m = make(capacity);
  std::vector<bool> hits;
  for (const auto& op : ops) {
    const bool hit = m->access(op.key, key_hash(key_of<Key>(op.key)), op.write);
    hits.push_back(!op.write && hit);
  }
  return hits;
}

// "" when equal, else where the cache first decides differently from the model.
inline std::string first_difference(const std::vector<bool>& got, const std::vector<bool>& want,
                                    const std::vector<Op>& ops) {
  if (got == want) return {};
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  if (i == got.size() || i == want.size()) return "stopped early at request " + std::to_string(i);
  return "differs from the reference model first at request " + std::to_string(i) + " (key " +
         std::to_string(ops[i].key) + (ops[i].write ? ", put" : ", get") + "): model says " +
         (want[i] ? "hit" : "miss");
}

// Byte-bounded reference models (for the policies' sized caches): the
// resident keys' sizes sum to at most `limit` bytes; a missing key of `size`
// evicts (LRU: least recently used first; FIFO: first inserted first) until it
// fits, and one larger than `limit` is not stored. A key keeps the size it was
// stored with. access() says whether the key was resident.
class ByteModel {
 public:
  ByteModel(std::uint64_t limit, bool lru) : limit_(limit), lru_(lru) {}
  bool access(std::uint64_t key, std::uint64_t size) {
    for (auto it = order_.begin(); it != order_.end(); ++it)
      if (it->first == key) {
        if (lru_) order_.splice(order_.begin(), order_, it);
        return true;
      }
    if (size > limit_) {
      ++not_admitted;
      return false;
    }
    while (used_ + size > limit_) {
      used_ -= order_.back().second;
      order_.pop_back();
    }
    order_.emplace_front(key, size);
    used_ += size;
    return false;
  }
  std::uint64_t used() const { return used_; }
  std::uint64_t not_admitted = 0;

 private:
  std::uint64_t limit_, used_ = 0;
  bool lru_;
  std::list<std::pair<std::uint64_t, std::uint64_t>> order_;  // front = newest (LRU: most recent)
};

}  // namespace hotbench::cache::test

