// Every registered policy over every map and key type against its reference
// model (reference_models.h; W-TinyLFU's is in wtinylfu_test.cpp) on random
// operation sequences: the same hit/miss decision on every request, the value
// last put, capacity and counter invariants.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "cache/cases.h"
#include "reference_models.h"

namespace hotbench::cache {
namespace {

using test::first_difference;
using test::model_hits;
using test::random_ops;
using test::reference_models;
using test::ReferenceModel;

// Reference models: obviously correct, slow, std containers only. access()
// returns whether key was resident and then makes it resident (read-through
// or put: both make the key resident; a get hit and a put on a resident key
// are both accesses for the policy). These policies ignore the key's hash and
// whether the request is a put.
class ModelLru final : public ReferenceModel {
 public:
  explicit ModelLru(std::size_t c) : c_(c) {}
  bool access(std::uint64_t k, std::uint64_t, bool) override {
    auto it = std::find(order_.begin(), order_.end(), k);
    const bool hit = it != order_.end();
    if (hit) order_.erase(it);
    else if (order_.size() == c_) order_.pop_back();
    order_.push_front(k);
    return hit;
  }
  bool resident(std::uint64_t k) const { return std::find(order_.begin(), order_.end(), k) != order_.end(); }

 private:
  std::size_t c_;
  std::list<std::uint64_t> order_;  // front = most recent
};
HOTBENCH_REGISTER(ModelLru) { ::hotbench::cache::test::add_reference_model<ModelLru>("lru"); }
class ModelFifo final : public ReferenceModel {
 public:
  explicit ModelFifo(std::size_t c) : c_(c) {}
  bool access(std::uint64_t k, std::uint64_t, bool) override {
    if (std::find(q_.begin(), q_.end(), k) != q_.end()) return true;
    if (q_.size() == c_) q_.pop_front();
    q_.push_back(k);
    return false;
  }
  bool resident(std::uint64_t k) const { return std::find(q_.begin(), q_.end(), k) != q_.end(); }

 private:
  std::size_t c_;
  std::deque<std::uint64_t> q_;
};
HOTBENCH_REGISTER(ModelFifo) { ::hotbench::cache::test::add_reference_model<ModelFifo>("fifo"); }
// CLOCK as second-chance FIFO: the front is the hand.
class ModelClock final : public ReferenceModel {
 public:
  explicit ModelClock(std::size_t c) : c_(c) {}
  bool access(std::uint64_t k, std::uint64_t, bool) override {
    for (auto& [key, ref] : q_)
      if (key == k) return ref = true, true;
    if (q_.size() == c_) {
      while (q_.front().second) {
        q_.push_back({q_.front().first, false});
        q_.pop_front();
      }
      q_.pop_front();
    }
    q_.push_back({k, false});
    return false;
  }
  bool resident(std::uint64_t k) const {
    return std::any_of(q_.begin(), q_.end(), [&](auto& e) { return e.first == k; });
  }

 private:
  std::size_t c_;
  std::deque<std::pair<std::uint64_t, bool>> q_;
};
HOTBENCH_REGISTER(ModelClock) { ::hotbench::cache::test::add_reference_model<ModelClock>("clock"); }
// SIEVE as in the paper's pseudocode, over a std::list (front = newest).
class ModelSieve final : public ReferenceModel {
 public:
  explicit ModelSieve(std::size_t c) : c_(c), hand_(q_.end()) {}
  bool access(std::uint64_t k, std::uint64_t, bool) override {
    for (auto& [key, visited] : q_)
      if (key == k) return visited = true, true;
    if (q_.size() == c_) {
      auto o = hand_ != q_.end() ? hand_ : std::prev(q_.end());
      while (o->second) {
        o->second = false;
        o = o == q_.begin() ? std::prev(q_.end()) : std::prev(o);
      }
      hand_ = o == q_.begin() ? q_.end() : std::prev(o);
      q_.erase(o);
    }
    q_.push_front({k, false});
    return false;
  }
  bool resident(std::uint64_t k) const {
    return std::any_of(q_.begin(), q_.end(), [&](auto& e) { return e.first == k; });
  }

 private:
  std::size_t c_;
  std::list<std::pair<std::uint64_t, bool>> q_;
  std::list<std::pair<std::uint64_t, bool>>::iterator hand_;
};
HOTBENCH_REGISTER(ModelSieve) { ::hotbench::cache::test::add_reference_model<ModelSieve>("sieve"); }
// S3-FIFO as the paper describes it (small 10 %, main with 2-bit frequency,
// ghost of main's size remembering keys evicted from small), plainly.
class ModelS3Fifo final : public ReferenceModel {
 public:
  explicit ModelS3Fifo(std::size_t c) : c_(c), small_cap_(std::max<std::size_t>(1, c / 10)), ghost_cap_(c - small_cap_) {}
  bool access(std::uint64_t k, std::uint64_t, bool) override {
    if (freq_.count(k)) {
      freq_[k] = std::min(3, freq_[k] + 1);
      return true;
    }
    if (freq_.size() == c_) evict();
    auto g = std::find(ghost_.begin(), ghost_.end(), std::pair{k, true});
    if (g != ghost_.end()) {
      g->second = false;
      main_.push_back(k);
    } else {
      small_.push_back(k);
    }
    freq_[k] = 0;
    return false;
  }
  bool resident(std::uint64_t k) const { return freq_.count(k) > 0; }

 private:
  void evict() {
    if (small_.size() >= small_cap_ || main_.empty()) {
      while (!small_.empty()) {
        const std::uint64_t t = small_.front();
        small_.pop_front();
        if (freq_[t] > 0) {
          freq_[t] = 0;
          main_.push_back(t);
        } else {
          if (ghost_cap_ > 0) {
            for (auto& e : ghost_)
              if (e.first == t) e.second = false;
            if (ghost_.size() == ghost_cap_) ghost_.pop_front();
            ghost_.push_back({t, true});
          }
          freq_.erase(t);
          return;
        }
      }
    }
    while (true) {
      const std::uint64_t t = main_.front();
      main_.pop_front();
      if (freq_[t] > 0) {
        --freq_[t];
        main_.push_back(t);
      } else {
        freq_.erase(t);
        return;
      }
    }
  }
  std::size_t c_, small_cap_, ghost_cap_;
  std::deque<std::uint64_t> small_, main_;  // front = oldest
  // The ghost remembers keys among its last ghost_cap_ additions (a key that
  // returns is marked gone but keeps its place), as a fingerprint + insertion
  // time ghost does.
  std::deque<std::pair<std::uint64_t, bool>> ghost_;
  std::map<std::uint64_t, int> freq_;
};
HOTBENCH_REGISTER(ModelS3Fifo) { ::hotbench::cache::test::add_reference_model<ModelS3Fifo>("s3fifo"); }
std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& p : policy_registry().all()) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

class EveryPolicy : public ::testing::TestWithParam<std::string> {};

TEST(Registry, HasEveryPolicyOverEveryMap) {
  EXPECT_FALSE(policy_registry().all().empty());
  for (const auto& p : policy_registry().all()) EXPECT_EQ(p.make_u64.size(), map_names().size()) << p.name;
  EXPECT_GE(map_names().size(), 3u);
}

// Each policy declares its model beside it (test::add_reference_model): a new
// policy without one fails here, and so does a model whose policy is gone.
TEST(Registry, EveryPolicyHasAReferenceModelAndEveryModelAPolicy) {
  for (const auto& p : policy_registry().all())
    EXPECT_TRUE(reference_models().count(p.name)) << "policy " << p.name << " has no reference model";
  for (const auto& [name, make] : reference_models())
    EXPECT_NE(find_policy(name), nullptr) << "reference model " << name << " names no registered policy";
}

// Small capacities over 64 keys (every corner: capacity 1, window and main of
// one entry), and 250 entries over 1000 keys, where W-TinyLFU's window holds
// two entries and its sketch has 256 counters per row.
struct Shape {
  std::size_t capacity;
  std::uint64_t keys;
  std::size_t requests;
};
constexpr Shape kShapes[] = {{1, 64, 3000}, {2, 64, 3000}, {5, 64, 3000}, {16, 64, 3000}, {40, 64, 3000},
                             {250, 1000, 20000}};

TEST_P(EveryPolicy, MatchesReferenceModelOverEveryMapAndKeyType) {
  const PolicyInfo* p = find_policy(GetParam());
  ASSERT_NE(p, nullptr);
  const auto model = reference_models().find(p->name);
  ASSERT_NE(model, reference_models().end()) << "no reference model for " << p->name;
  for (const Shape& shape : kShapes) {
    for (std::uint64_t seed : {1, 2, 3}) {
      const auto ops = random_ops(shape.requests, shape.keys, seed);
      // Models of hash-dependent policies (W-TinyLFU's sketch) see the key
      // type's hashes, so each key type has its own expected decisions.
      const auto want = model_hits<std::uint64_t>(model->second, shape.capacity, ops);
      const auto want_string = model_hits<std::string>(model->second, shape.capacity, ops);
      for (const auto& map : map_names()) {
        SCOPED_TRACE(p->name + " over " + map + ", capacity " + std::to_string(shape.capacity) + ", seed " +
                     std::to_string(seed));
        auto u = p->make_u64.at(map)(shape.capacity, 24);
        auto s = p->make_string.at(map)(shape.capacity, 13);
        EXPECT_EQ(first_difference(test::replay(*u, ops, 24), want, ops), "") << "integer keys";
        EXPECT_EQ(first_difference(test::replay(*s, ops, 13), want_string, ops), "") << "string keys";
        if (HasFailure()) return;
      }
    }
  }
}

TEST_P(EveryPolicy, RefusesZeroCapacity) {
  const PolicyInfo* p = find_policy(GetParam());
  for (const auto& map : map_names()) EXPECT_THROW(p->make_u64.at(map)(0, 8), std::invalid_argument);
}

TEST_P(EveryPolicy, GetOrFillStoresTheFilledValue) {
  using C = AnyCache<std::uint64_t>;
  const PolicyInfo* p = find_policy(GetParam());
  std::unique_ptr<C> c = p->make_u64.at("boost_flat")(4, 16);
  std::vector<std::byte> v(16);
  fill_value(v.data(), 16, 77);
  EXPECT_EQ(c->get(9), nullptr);
  c->put(9, v.data());
  const std::byte* got = c->get(9);
  ASSERT_NE(got, nullptr);
  EXPECT_TRUE(value_is(got, 16, 77));
}

INSTANTIATE_TEST_SUITE_P(Cache, EveryPolicy, ::testing::ValuesIn(policy_names()),
                         [](const auto& info) { return info.param; });

// Scan resistance, the reason S3-FIFO and W-TinyLFU exist: a hot set requested
// again and again survives a long scan of one-time keys; LRU loses it.
double hot_hit_ratio_after_scans(const std::string& policy) {
  auto c = find_policy(policy)->make_u64.at("boost_flat")(100, 8);
  std::vector<std::byte> v(8);
  std::uint64_t scan = 1'000'000, hot_hits = 0, hot_gets = 0;
  for (int warm = 0; warm < 3; ++warm)  // the hot set becomes known as hot
    for (std::uint64_t k = 0; k < 50; ++k)
      if (!c->get(k)) c->put(k, v.data());
  for (int round = 0; round < 200; ++round) {
    for (std::uint64_t k = 0; k < 50; ++k) {
      ++hot_gets;
      if (c->get(k)) ++hot_hits;
      else c->put(k, v.data());
    }
    for (int i = 0; i < 200; ++i)
      if (!c->get(scan)) c->put(scan++, v.data());
  }
  return static_cast<double>(hot_hits) / static_cast<double>(hot_gets);
}

TEST(ScanResistance, FrequencyAwarePoliciesKeepTheHotSet) {
  EXPECT_LT(hot_hit_ratio_after_scans("lru"), 0.05);
  EXPECT_GT(hot_hit_ratio_after_scans("s3fifo"), 0.9);
  EXPECT_GT(hot_hit_ratio_after_scans("wtinylfu"), 0.9);
}

}  // namespace
}  // namespace hotbench::cache
