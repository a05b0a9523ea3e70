// The request generators: exact Zipf frequencies, scrambled ranks, seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "cache/workload.h"

namespace hotbench::cache {
namespace {

TEST(Workload, ZipfSamplerMatchesTheProbabilities) {
  WorkloadSpec spec;
  spec.zipf_exponent = 0.8;
  spec.keys = 1000;
  Workload w(spec);
  const std::size_t n = 1 << 20;
  const Requests r = w.generate(n, 1);
  std::vector<double> count(spec.keys, 0);
  for (std::uint32_t id : r.ids) ++count[id];
  const auto& p = w.rank_probabilities();
  for (std::uint64_t rank : {0, 1, 2, 10, 100, 999}) {
    const double expected = p[rank] * n, se = std::sqrt(expected * (1 - p[rank]));
    EXPECT_NEAR(count[w.id_of_rank(rank)], expected, 5 * se) << "rank " << rank;
  }
}

TEST(Workload, RanksAreScrambledBijectively) {
  WorkloadSpec spec;
  spec.keys = 5000;
  Workload w(spec);
  std::set<std::uint32_t> ids;
  int adjacent = 0;
  for (std::uint64_t r = 0; r < spec.keys; ++r) {
    ids.insert(w.id_of_rank(r));
    if (r > 0 && std::abs(static_cast<long>(w.id_of_rank(r)) - static_cast<long>(w.id_of_rank(r - 1))) == 1) ++adjacent;
  }
  EXPECT_EQ(ids.size(), spec.keys);
  EXPECT_EQ(*ids.rbegin(), spec.keys - 1);
  EXPECT_LT(adjacent, 10);
}

TEST(Workload, SeedsAndStreamsAreReproducible) {
  WorkloadSpec spec;
  spec.keys = 1000;
  Workload a(spec), b(spec);
  EXPECT_EQ(a.generate(1000, 1).ids, b.generate(1000, 1).ids);
  EXPECT_NE(a.generate(1000, 0).ids, a.generate(1000, 1).ids);
  spec.seed = 7;
  EXPECT_NE(Workload(spec).generate(1000, 1).ids, a.generate(1000, 1).ids);
}

TEST(Workload, ScanMixesHotKeysWithAOneTimeScan) {
  WorkloadSpec spec = parse_workload("scan");
  spec.keys = 10'000;
  Workload w(spec);
  const Requests r = w.generate(16'000, 1);  // about 8000 scan requests: under one pass over 9500 cold keys
  std::set<std::uint32_t> hot;
  for (std::uint64_t rank = 0; rank < 500; ++rank) hot.insert(w.id_of_rank(rank));
  std::size_t hot_requests = 0;
  std::set<std::uint32_t> cold_seen;
  std::size_t cold_requests = 0;
  for (std::uint32_t id : r.ids) {
    if (hot.count(id)) ++hot_requests;
    else cold_seen.insert(id), ++cold_requests;
  }
  EXPECT_NEAR(static_cast<double>(hot_requests) / r.ids.size(), 0.5, 0.02);
  EXPECT_EQ(cold_seen.size(), cold_requests);  // under one pass: no cold key repeats
  EXPECT_FALSE(spec.independent());
}

TEST(Workload, WriteMixAndNames) {
  WorkloadSpec spec = parse_workload("zipf1.2-rw10");
  EXPECT_EQ(spec.zipf_exponent, 1.2);
  EXPECT_EQ(spec.write_fraction, 0.1);
  EXPECT_EQ(spec.name(), "zipf1.2-rw10");
  spec.keys = 100;
  const Requests r = Workload(spec).generate(10'000, 1);
  ASSERT_EQ(r.writes.size(), r.ids.size());
  std::size_t writes = 0;
  for (auto x : r.writes) writes += x;
  EXPECT_NEAR(writes / 10'000.0, 0.1, 0.02);
  EXPECT_EQ(parse_workload("uniform").name(), "uniform");
}

TEST(Workload, BadNamesAndEmptyKeySpaceAreRefused) {
  for (const char* bad : {"zipf", "zipfx", "zipf-1", "gauss", "uniform-rw0", "uniform-rw", "scan-rw101"})
    EXPECT_THROW(parse_workload(bad), std::invalid_argument) << bad;
  WorkloadSpec spec;
  spec.keys = 0;
  EXPECT_THROW(Workload{spec}, std::invalid_argument);
}

}  // namespace
}  // namespace hotbench::cache
