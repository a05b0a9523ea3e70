// The analytical oracles, and the policies against them under Zipf (IRM):
// LRU matches Che's approximation, FIFO the IRM formula, nobody beats top-C.
#include <gtest/gtest.h>

#include <cmath>

#include "cache/cases.h"

namespace hotbench::cache {
namespace {

TEST(Oracle, UniformPopularityGivesCapacityOverKeys) {
  std::vector<double> p(1000, 1.0 / 1000);
  EXPECT_NEAR(che_lru_hit_ratio(p, 100), 0.1, 1e-9);
  EXPECT_NEAR(fifo_irm_hit_ratio(p, 100), 0.1, 1e-9);
  EXPECT_NEAR(top_c_hit_ratio(p, 100), 0.1, 1e-9);
}

TEST(Oracle, OrderedAndBounded) {
  for (double a : {0.6, 0.8, 0.99, 1.2}) {
    const auto p = zipf_probabilities(10'000, a);
    double sum = 0;
    for (double v : p) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-12);
    for (double c : {10.0, 100.0, 1000.0}) {
      const double che = che_lru_hit_ratio(p, c), fifo = fifo_irm_hit_ratio(p, c),
                   top = top_c_hit_ratio(p, static_cast<std::size_t>(c));
      EXPECT_LT(fifo, che) << "a=" << a << " C=" << c;  // LRU beats FIFO under IRM
      EXPECT_LT(che, top) << "a=" << a << " C=" << c;
      EXPECT_GT(fifo, 0);
    }
    EXPECT_EQ(che_lru_hit_ratio(p, 10'000), 1.0);
  }
}

TEST(Oracle, ToleranceIsFourStandardErrorsWithAFloor) {
  EXPECT_EQ(oracle_tolerance(0.5, 1e9), 0.005);
  EXPECT_NEAR(oracle_tolerance(0.5, 1000), 4 * std::sqrt(0.25 / 1000), 1e-12);
}

// Simulation: warm-up then measured requests from the suite's exact sampler.
double simulate(const std::string& policy, const Workload& w, std::size_t capacity, const Requests& warm,
                const Requests& measured) {
  auto c = find_policy(policy)->make_u64.at("boost_flat")(capacity, 8);
  std::vector<std::byte> v(8);
  auto run = [&](const Requests& r) {
    for (std::uint32_t id : r.ids)
      if (!c->get(id)) c->put(id, v.data());
  };
  run(warm);
  const Stats before = c->stats();
  run(measured);
  const Stats after = c->stats();
  (void)w;
  return static_cast<double>(after.hits - before.hits) / static_cast<double>(after.gets() - before.gets());
}

TEST(Oracle, PoliciesUnderZipfMatchTheirFormulas) {
  for (double a : {0.6, 0.8, 0.99, 1.2}) {
    WorkloadSpec spec;
    spec.zipf_exponent = a;
    spec.keys = 20'000;
    Workload w(spec);
    const Requests warm = w.generate(1 << 17, 0), measured = w.generate(1 << 18, 1);
    const auto& p = w.rank_probabilities();
    for (std::size_t c : {20, 200, 2000}) {
      SCOPED_TRACE("zipf " + std::to_string(a) + ", capacity " + std::to_string(c));
      const double n = static_cast<double>(measured.ids.size());
      const double lru = simulate("lru", w, c, warm, measured);
      EXPECT_NEAR(lru, che_lru_hit_ratio(p, static_cast<double>(c)), oracle_tolerance(lru, n));
      const double fifo = simulate("fifo", w, c, warm, measured);
      EXPECT_NEAR(fifo, fifo_irm_hit_ratio(p, static_cast<double>(c)), oracle_tolerance(fifo, n));
      const double top = top_c_hit_ratio(p, c);
      for (const auto& info : policy_registry().all()) {
        const double h = simulate(info.name, w, c, warm, measured);
        EXPECT_LE(h, top + oracle_tolerance(h, n)) << info.name;
      }
    }
  }
}

// The suite's own check() applies the same oracles: a row whose hit ratio
// breaks them is an error, never a figure.
TEST(Oracle, ReplayCaseCheckReportsOracleFindings) {
  WorkloadSpec spec;
  spec.keys = 5'000;
  Workload w(spec);
  ReplaySpec r;
  r.policy = "lru";
  r.workload = "zipf0.99-test";
  r.capacity = 250;
  r.value_bytes = 100;
  r.key_count = spec.keys;
  r.warmup = std::make_shared<Requests>(w.generate(1 << 16, 0));
  r.measured = std::make_shared<Requests>(w.generate(1 << 16, 1));
  r.irm_probabilities = std::make_shared<std::vector<double>>(w.rank_probabilities());
  for (bool string_keys : {false, true}) {
    auto c = find_policy("lru")->replay.at("absl_flat")(string_keys, r)();
    Check check = c->check();
    ASSERT_TRUE(check.ok()) << check.error;
    std::map<std::string, double> f(check.findings.begin(), check.findings.end());
    EXPECT_NEAR(f.at("checked_hit_ratio"), f.at("che_hit_ratio"), f.at("oracle_tolerance"));
    EXPECT_GT(f.at("top_c_hit_ratio"), f.at("checked_hit_ratio"));
    c->run();
    std::map<std::string, double> o;
    for (auto& [k, v] : c->observe()) o[k] = v;
    EXPECT_NEAR(o.at("hit_ratio"), f.at("che_hit_ratio"), 0.02);
    EXPECT_GT(o.at("p99_ns"), 0);
    EXPECT_GE(o.at("eat_ns_1000000"), o.at("eat_ns_150"));
  }
}

// A policy that breaks the oracle is caught: FIFO is checked against the IRM
// formula, so claiming LRU's figure for a FIFO row fails.
TEST(Oracle, ReplayCaseRejectsAPolicyThatMissesItsFormula) {
  WorkloadSpec spec;
  spec.keys = 5'000;
  Workload w(spec);
  ReplaySpec r;
  r.policy = "fifo";  // checked against the FIFO formula, but run with LRU below
  r.workload = "zipf0.99-mislabelled";
  r.capacity = 250;
  r.key_count = spec.keys;
  r.warmup = std::make_shared<Requests>(w.generate(1 << 17, 0));
  r.measured = std::make_shared<Requests>(w.generate(1 << 18, 1));
  r.irm_probabilities = std::make_shared<std::vector<double>>(w.rank_probabilities());
  Check check = find_policy("lru")->replay.at("boost_flat")(false, r)()->check();
  EXPECT_FALSE(check.ok());
  EXPECT_NE(check.error.find("IRM formula"), std::string::npos) << check.error;
}

}  // namespace
}  // namespace hotbench::cache
