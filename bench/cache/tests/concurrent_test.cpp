// The concurrent caches under several threads (also run under ThreadSanitizer):
// every value a thread gets back is the whole value of its key, and the
// concurrent case's own check passes and reports a hit ratio. A planted cache
// that goes wrong only after the check batch shows that the timed batches
// check every value too.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "cache/cases.h"
#include "cache/concurrent.h"

namespace hotbench::cache {
namespace {

std::vector<std::string> names() {
  std::vector<std::string> n;
  for (const auto& c : concurrent_registry().all()) n.push_back(c.name);
  return n;
}

const ConcurrentInfo& info(const std::string& name) {
  if (const ConcurrentInfo* c = concurrent_registry().find(name)) return *c;
  throw std::runtime_error("no concurrent cache " + name);
}

class EveryConcurrentCache : public ::testing::TestWithParam<std::string> {};

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

// Right for its first `good_calls` calls (the check batch and more), then
// hands out one wrong value, of the kind Plant says, and is right again.
enum class Plant { other_key, torn_head, torn_middle, torn_tail, other_version };

template <Plant kind>
class PlantedCache {
 public:
  static inline std::atomic<std::uint64_t> good_calls{0};
  PlantedCache(std::size_t, std::size_t value_bytes) : value_bytes_(value_bytes) {}
  bool get_or_fill(std::uint64_t key, std::uint64_t word, std::byte* out) {
    fill_value(out, value_bytes_, word);
    if (calls_.fetch_add(1, std::memory_order_relaxed) != good_calls.load()) return false;
    const std::uint64_t other = value_word(key_hash(key + 1), 0);  // another key's word
    switch (kind) {
      case Plant::other_key:
        fill_value(out, value_bytes_, other);
        break;
      case Plant::torn_head:  // the first bytes from another write
        std::memcpy(out, &other, 5);
        break;
      case Plant::torn_middle:  // one word in the middle from another write
        std::memcpy(out + value_bytes_ / 16 * 8, &other, 8);
        break;
      case Plant::torn_tail:  // the last bytes from another write
        std::memcpy(out + value_bytes_ - 3, &other, 3);
        break;
      case Plant::other_version:
        fill_value(out, value_bytes_, value_word(key_hash(key), 1));
        break;
    }
    return false;
  }

 private:
  std::size_t value_bytes_;
  std::atomic<std::uint64_t> calls_{0};
};

ConcurrentSpec planted_spec(int threads) {
  WorkloadSpec spec;
  spec.keys = 500;
  Workload w(spec);
  ConcurrentSpec cs;
  cs.workload = "zipf0.99";
  cs.capacity = 50;
  cs.value_bytes = 100;
  cs.key_count = spec.keys;
  for (int t = 0; t < threads; ++t)
    cs.per_thread.push_back(std::make_shared<Requests>(w.generate(3000, 10 + static_cast<std::uint64_t>(t))));
  return cs;
}

template <Plant kind>
void expect_caught_while_timed(const std::string& what) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE(what + ", " + std::to_string(threads) + " threads");
    const ConcurrentSpec cs = planted_spec(threads);
    const std::uint64_t per_batch = 3000 * static_cast<std::uint64_t>(threads);
    // The wrong value comes in the fourth timed batch: after a clean check and
    // two timed loops (of one and two batches) that observe() finds clean.
    PlantedCache<kind>::good_calls = 4 * per_batch + 1234;
    ConcurrentCase<PlantedCache<kind>> c(cs);
    const Check check = c.check();
    ASSERT_TRUE(check.ok()) << check.error;
    c.run();
    EXPECT_NO_THROW(c.observe());
    c.run();
    c.run();
    EXPECT_NO_THROW(c.observe());
    c.run();
    try {
      c.observe();
      ADD_FAILURE() << "a wrong value in a timed batch went unnoticed";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("(1 wrong of " + std::to_string(per_batch) + " values)"),
                std::string::npos)
          << e.what();
    }
    // Reported once: the next timed loop is judged on its own values.
    c.run();
    EXPECT_NO_THROW(c.observe());
  }
}

TEST(ConcurrentCase, AWrongValueInATimedBatchMakesTheRowAnError) {
  expect_caught_while_timed<Plant::other_key>("got a whole value of another key or version");
  expect_caught_while_timed<Plant::torn_head>("got a torn value");
  expect_caught_while_timed<Plant::torn_tail>("got a torn value");
  expect_caught_while_timed<Plant::other_version>("got a whole value of another key or version");
}

// The check batch compares every value whole, so it also sees a tear confined
// to the middle bytes (the timed batches test only the ends: ValueTag below).
TEST(ConcurrentCase, AWrongValueInTheCheckBatchFailsTheCheck) {
  PlantedCache<Plant::torn_middle>::good_calls = 100;
  ConcurrentCase<PlantedCache<Plant::torn_middle>> c(planted_spec(2));
  const Check check = c.check();
  EXPECT_NE(check.error.find("got a torn value (1 wrong of 6000 values)"), std::string::npos) << check.error;
}

TEST(ConcurrentCase, RequestsForKeysItDoesNotHaveFailTheCheck) {
  ConcurrentSpec cs = planted_spec(1);
  cs.key_count = 10;  // the streams name ids up to 499
  PlantedCache<Plant::other_key>::good_calls = ~0ull;
  ConcurrentCase<PlantedCache<Plant::other_key>> c(cs);
  EXPECT_NE(c.check().error.find("outside the 10 keys"), std::string::npos);
}

// The timed batches' test: exactly the first and the last 8 bytes, at every
// payload size (the tail of a size that is no multiple of 8 is a rotated word).
TEST(ValueTag, TellsTheFirstAndLastEightBytes) {
  const std::uint64_t word = value_word(key_hash(std::uint64_t{7}), 0);
  for (std::size_t size = 1; size <= 70; ++size) {
    std::vector<std::byte> v(size);
    fill_value(v.data(), size, word);
    EXPECT_TRUE(value_tag_is(v.data(), size, word)) << size;
    EXPECT_FALSE(value_tag_is(v.data(), size, value_word(key_hash(std::uint64_t{7}), 1))) << size;
    EXPECT_FALSE(value_tag_is(v.data(), size, value_word(key_hash(std::uint64_t{8}), 0))) << size;
    for (std::size_t at = 0; at < size; ++at) {
      std::vector<std::byte> torn = v;
      torn[at] ^= std::byte{0x40};
      const bool at_an_end = at < 8 || at + 8 >= size;
      EXPECT_EQ(value_tag_is(torn.data(), size, word), !at_an_end) << "size " << size << ", byte " << at;
    }
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
