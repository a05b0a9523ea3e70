#include "harness/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace hotbench {
namespace {

TEST(LatencyHistogram, EveryValueLandsInABucketThatHoldsIt) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 64);
    const std::size_t b = LatencyHistogram::index_of(v);
    ASSERT_LT(b, LatencyHistogram::kBuckets);
    ASSERT_LE(LatencyHistogram::lower_bound(b), v);
    ASSERT_LT(v - LatencyHistogram::lower_bound(b), LatencyHistogram::width(b)) << v;
  }
  EXPECT_EQ(LatencyHistogram::index_of(~std::uint64_t{0}), LatencyHistogram::kBuckets - 1);
}

TEST(LatencyHistogram, BucketsAreAtMostOnePercentOfTheirValueWide) {
  for (std::size_t b = 0; b < LatencyHistogram::kBuckets; ++b) {
    if (LatencyHistogram::width(b) == 1) continue;  // exact
    EXPECT_LE(static_cast<double>(LatencyHistogram::width(b)),
              0.01 * static_cast<double>(LatencyHistogram::lower_bound(b)))
        << b;
  }
}

TEST(LatencyHistogram, QuantilesAreWithinOnePercentOfTheExactOnes) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> latency(6.0, 1.5);  // ~400 ns median, long tail
  std::vector<std::uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::uint64_t>(latency(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
    const double exact = static_cast<double>(values[rank - 1]);
    EXPECT_NEAR(h.quantile(q), exact, std::max(0.5, 0.01 * exact)) << q;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.count(), values.size());
}

TEST(LatencyHistogram, MergingEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(3);
  LatencyHistogram a, b, all;
  for (int i = 0; i < 50000; ++i) {
    const std::uint64_t v = rng() % 1000000;
    (i % 3 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) EXPECT_EQ(a.quantile(q), all.quantile(q)) << q;
}

TEST(LatencyHistogram, CountersSubtractAFixedCostButNeverGoNegative) {
  LatencyHistogram h;
  for (std::uint64_t v : {100, 200, 300}) h.record(v);
  auto counters = h.counters(150);
  EXPECT_EQ(counters.front().first, "p50_ns");
  EXPECT_DOUBLE_EQ(counters.front().second, 50);
  LatencyHistogram empty;
  for (const auto& [name, value] : empty.counters(10)) EXPECT_EQ(value, 0) << name;
}

}  // namespace
}  // namespace hotbench
