// The concurrent caches under several threads (also run under ThreadSanitizer):
// every value a thread gets back is the whole value of its key, and the
// concurrent case's own check passes and reports a hit ratio.
#include <gtest/gtest.h>

#include <thread>

#include "cache/cases.h"
#include "cache/concurrent.h"

namespace hotbench::cache {
namespace {

std::vector<std::string> names() {
  std::vector<std::string> n;
  for (const auto& c : concurrent_registry()) n.push_back(c.name);
  return n;
}

const ConcurrentInfo& info(const std::string& name) {
  for (const auto& c : concurrent_registry())
    if (c.name == name) return c;
  throw std::runtime_error("no concurrent cache " + name);
}

class EveryConcurrentCache : public ::testing::TestWithParam<std::string> {};

TEST(ConcurrentRegistry, HasTheLibraryAndShardedCaches) {
  const auto n = names();
  for (const char* want : {"tbb_concurrent_lru_cache", "tbb_hash_map_fifo", "sharded:lru_boost_flat"})
    EXPECT_NE(std::find(n.begin(), n.end(), want), n.end()) << want;
}

TEST_P(EveryConcurrentCache, ThreadsSeeWholeValuesOfTheirKeys) {
  WorkloadSpec spec;
  spec.keys = 2000;
  Workload w(spec);
  for (int threads : {1, 2, 4}) {
    ConcurrentSpec cs;
    cs.workload = "zipf0.99";
    cs.capacity = 50;  // small: constant eviction while others read
    cs.value_bytes = 40;
    cs.key_count = spec.keys;
    for (int t = 0; t < threads; ++t)
      cs.per_thread.push_back(std::make_shared<Requests>(w.generate(20'000, 10 + static_cast<std::uint64_t>(t))));
    auto c = info(GetParam()).make(cs)();
    Check check = c->check();
    ASSERT_TRUE(check.ok()) << check.error;
    c->run();
    const Counters o = c->observe();
    ASSERT_EQ(o.size(), 1u);
    EXPECT_GT(o[0].second, 0.1);
    EXPECT_LT(o[0].second, 1.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Cache, EveryConcurrentCache, ::testing::ValuesIn(names()), [](const auto& i) {
  std::string n = i.param;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

}  // namespace
}  // namespace hotbench::cache
