// Sized caches (every object has a size; the limit in entries or in bytes):
// - limited in entries, every policy decides exactly as its entry reference
//   model, whatever the sizes;
// - limited in bytes, LRU and FIFO decide as independent byte-bounded models
//   (reference_models.h), with equal hit and byte hit counts, also end to end
//   through a compressed trace file and the suite's replay row;
// - every policy keeps the resident bytes within the limit, refuses (and
//   counts) an object larger than the whole limit, and holds any number of
//   objects of size 0.
#include <gtest/gtest.h>

#include <random>

#include "cache/cases.h"
#include "cache/trace.h"
#include "harness/test_util.h"
#include "reference_models.h"

namespace hotbench::cache {
namespace {

const SizedPolicyInfo& sized_twin(const std::string& policy) {
  const SizedPolicyInfo* twin = find_sized_policy(policy);
  if (!twin) throw std::logic_error("policy " + policy + " has no sized twin (policies/" + policy + "_sized.cpp)");
  return *twin;
}

// Every policy has a sized twin and every twin a policy, over the same maps.
TEST(SizedCaches, EveryPolicyHasASizedTwin) {
  for (const auto& policy : policy_registry().all()) {
    const SizedPolicyInfo* twin = find_sized_policy(policy.name);
    ASSERT_NE(twin, nullptr) << policy.name << ": no policies/" << policy.name << "_sized.cpp";
    EXPECT_EQ(twin->make.size(), policy.make_u64.size()) << policy.name;
  }
  for (const auto& twin : sized_policy_registry().all())
    EXPECT_NE(find_policy(twin.name), nullptr) << twin.name << ": a sized twin without a policy";
}

struct SizedOp {
  std::uint64_t key;
  std::uint32_t size;
};

// Skewed keys, each with a size fixed per key (as a trace's objects mostly have), some of size 0
// and some larger than the limits used below.
std::vector<SizedOp> sized_ops(std::size_t n, std::uint64_t keys, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<SizedOp> ops(n);
  for (auto& op : ops) {
    op.key = rng() % 2 ? rng() % 8 : rng() % keys;
    const std::uint64_t h = mix64(op.key + seed);
    op.size = h % 10 == 0 ? 0 : h % 23 == 0 ? 5000 : static_cast<std::uint32_t>(1 + h % 300);
  }
  return ops;
}

SizedCapacity bytes_limit(std::uint64_t bytes, std::uint64_t keys) { return {bytes, true, static_cast<std::size_t>(keys)}; }

// Read-through replay (get; on a miss put) with values and invariants checked; whether each get hit.
std::vector<bool> replay_sized(AnyCache<std::uint64_t>& c, const std::vector<SizedOp>& ops, const std::string& where) {
  constexpr std::size_t vb = 16;
  std::vector<std::byte> buf(vb);
  std::vector<bool> hits;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto [k, size] = ops[i];
    const std::byte* v = c.get(k, size);
    hits.push_back(v != nullptr);
    if (v) {
      EXPECT_TRUE(value_is(v, vb, value_word(mix64(k), 0))) << where << ": request " << i << ": wrong value";
    } else {
      fill_value(buf.data(), vb, value_word(mix64(k), 0));
      c.put(k, buf.data(), size);
    }
    EXPECT_LE(c.used(), c.limit()) << where << ": request " << i;
    EXPECT_LE(c.size(), c.capacity()) << where << ": request " << i;
    EXPECT_EQ(c.stats().inserts - c.stats().evictions, c.size()) << where << ": request " << i;
    if (::testing::Test::HasFailure()) break;
  }
  return hits;
}

TEST(SizedCaches, LimitedInEntriesTheyDecideAsTheEntryModels) {
  for (const auto& policy : policy_registry().all()) {
    const test::ModelMaker& model = test::reference_models().at(policy.name);
    for (std::size_t capacity : {1, 2, 5, 16, 40}) {
      const auto ops = test::random_ops(3000, 64, capacity);
      const auto want = test::model_hits<std::uint64_t>(model, capacity, ops);
      for (const auto& [map, make] : sized_twin(policy.name).make) {
        auto c = make(SizedCapacity{capacity, false, capacity}, 16);
        const std::string d = test::first_difference(test::replay(*c, ops, 16), want, ops);
        EXPECT_EQ(d, "") << policy.name << " over " << map << ", capacity " << capacity;
      }
    }
  }
}

TEST(SizedCaches, ByteBoundedLruAndFifoDecideAsTheByteModels) {
  for (const auto& [policy, lru] : {std::pair{"lru", true}, std::pair{"fifo", false}}) {
    for (std::uint64_t limit : {1, 300, 1000, 4000}) {
      const auto ops = sized_ops(5000, 200, limit);
      test::ByteModel model(limit, lru);
      std::vector<bool> want;
      std::uint64_t hits = 0, hit_bytes = 0, bytes = 0;
      for (const auto& op : ops) {
        want.push_back(model.access(op.key, op.size));
        hits += want.back();
        hit_bytes += want.back() ? op.size : 0;
        bytes += op.size;
      }
      for (const auto& [map, make] : sized_twin(policy).make) {
        const std::string where = std::string(policy) + " over " + map + ", " + std::to_string(limit) + " bytes";
        auto c = make(bytes_limit(limit, 200), 16);
        EXPECT_EQ(replay_sized(*c, ops, where), want) << where;
        EXPECT_EQ(c->stats().hits, hits) << where;
        EXPECT_EQ(c->stats().hit_bytes, hit_bytes) << where;
        EXPECT_EQ(c->stats().requested_bytes, bytes) << where;
        EXPECT_EQ(c->stats().not_admitted, model.not_admitted) << where;
        EXPECT_EQ(c->used(), model.used()) << where;
      }
    }
  }
}

// End to end: a compressed trace with sizes, read back, replayed by the suite's row; the row's hit
// ratio and byte hit ratio equal the model's over the measured pass (warm-up = one pass of the trace).
TEST(SizedCaches, TraceRowsMatchTheByteModelsToTheLastDigit) {
  hotbench::test::TempDir dir;
  const auto ops = sized_ops(20'000, 3000, 7);
  std::vector<std::uint64_t> objects;
  std::vector<std::uint32_t> sizes;
  for (const auto& op : ops) objects.push_back(op.key * 1000003), sizes.push_back(op.size);
  const std::string path = dir.path() + "/t.oracleGeneral.bin.zst";
  write_oracle_general(path, objects, sizes);
  const Trace trace = read_trace(path);
  auto requests = std::make_shared<const Requests>(trace.requests);
  for (const auto& [policy, lru] : {std::pair{"lru", true}, std::pair{"fifo", false}}) {
    for (double share : {0.01, 0.1}) {
      const auto limit = static_cast<std::uint64_t>(share * static_cast<double>(trace.distinct_bytes));
      test::ByteModel model(limit, lru);
      std::uint64_t hits = 0, hit_bytes = 0, bytes = 0;
      for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < ops.size(); ++i) {
          const bool hit = model.access(trace.requests.ids[i], trace.requests.sizes[i]);
          if (pass == 1) hits += hit, hit_bytes += hit ? ops[i].size : 0, bytes += ops[i].size;
        }
      ReplaySpec spec;
      spec.policy = policy;
      spec.workload = "t";
      spec.sized = true;
      spec.capacity_bytes = limit;
      spec.value_bytes = 16;
      spec.key_count = trace.distinct_keys;
      spec.warmup = spec.measured = requests;
      auto row = find_policy(policy)->replay.at("boost_flat")(false, spec)();
      const Check check = row->check();
      ASSERT_TRUE(check.ok()) << check.error;
      row->run();
      std::map<std::string, double> counters;
      for (const auto& [name, value] : row->observe()) counters[name] = value;
      const std::string where = std::string(policy) + ", " + std::to_string(limit) + " bytes";
      EXPECT_EQ(counters.at("hit_ratio"), static_cast<double>(hits) / static_cast<double>(ops.size())) << where;
      EXPECT_EQ(counters.at("byte_hit_ratio"), static_cast<double>(hit_bytes) / static_cast<double>(bytes)) << where;
    }
  }
}

TEST(SizedCaches, EveryPolicyKeepsItsByteLimit) {
  for (const auto& policy : policy_registry().all())
    for (std::uint64_t limit : {1, 300, 1000, 4000}) {
      auto c = sized_twin(policy.name).make.at("boost_flat")(bytes_limit(limit, 200), 16);
      replay_sized(*c, sized_ops(5000, 200, limit), policy.name + ", " + std::to_string(limit) + " bytes");
      EXPECT_GT(c->stats().hits, 0u) << policy.name;
    }
}

// An object larger than the whole capacity is not stored, evicts nothing and is counted; an object of
// exactly the capacity is stored (alone).
TEST(SizedCaches, AnObjectLargerThanTheCapacityIsNotAdmitted) {
  std::vector<std::byte> buf(16);
  for (const auto& policy : policy_registry().all()) {
    for (const auto& [map, make] : sized_twin(policy.name).make) {
      const std::string where = policy.name + " over " + map;
      auto c = make(bytes_limit(100, 10), 16);
      c->put(1, buf.data(), 40);
      c->put(2, buf.data(), 60);
      EXPECT_FALSE(c->put(3, buf.data(), 101)) << where;
      EXPECT_EQ(c->get(3, 101), nullptr) << where;
      EXPECT_EQ(c->stats().not_admitted, 1u) << where;
      EXPECT_EQ(c->stats().evictions, 0u) << where;
      EXPECT_EQ(c->used(), 100u) << where;
      EXPECT_TRUE(c->put(4, buf.data(), 100)) << where;
      EXPECT_EQ(c->used(), 100u) << where;
      EXPECT_EQ(c->size(), 1u) << where;
      EXPECT_NE(c->get(4, 100), nullptr) << where;
    }
  }
}

// Objects of size 0 weigh nothing: any number of them fit beside a full byte budget.
TEST(SizedCaches, ObjectsOfSizeZeroAllFit) {
  std::vector<std::byte> buf(16);
  Requests r;
  for (std::uint32_t id = 0; id < 1000; ++id) r.ids.push_back(id), r.sizes.push_back(id < 990 ? 0 : 10);
  const std::size_t slots = sized_slots(50, 1000, 16, {&r});
  EXPECT_EQ(slots, 990u + 5u);
  for (const auto& policy : policy_registry().all()) {
    auto c = sized_twin(policy.name).make.at("boost_flat")(SizedCapacity{50, true, slots}, 16);
    for (std::uint32_t id = 0; id < 990; ++id) c->put(id, buf.data(), 0);
    for (std::uint32_t id = 990; id < 995; ++id) c->put(id, buf.data(), 10);
    EXPECT_EQ(c->used(), 50u) << policy.name;
    EXPECT_EQ(c->stats().evictions, 0u) << policy.name;
    for (std::uint32_t id = 0; id < 995; ++id) EXPECT_NE(c->get(id, r.sizes[id]), nullptr) << policy.name << " key " << id;
  }
}

}  // namespace
}  // namespace hotbench::cache
