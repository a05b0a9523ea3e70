// The cache suite's registries (policies, concurrent caches, maps) and the
// per-process helpers their cases share (the timer's cost, memoised oracles).
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <tuple>

#include "cases.h"
#include "concurrent.h"
#include "oracle.h"

namespace hotbench::cache {

Registry<PolicyInfo>& policy_registry() {
  static Registry<PolicyInfo> registry;
  return registry;
}
const PolicyInfo* find_policy(const std::string& name) { return policy_registry().find(name); }

Registry<SizedPolicyInfo>& sized_policy_registry() {
  static Registry<SizedPolicyInfo> registry;
  return registry;
}

const SizedPolicyInfo* find_sized_policy(const std::string& name) { return sized_policy_registry().find(name); }
std::vector<std::string> policy_registry_names() { return policy_registry().names(); }
std::vector<std::string> map_names() {
  std::vector<std::string> names;
  for_each_map([&]<template <class> class>(const char* name) { names.push_back(name); });
  return names;
}
Registry<ConcurrentInfo>& concurrent_registry() {
  static Registry<ConcurrentInfo> registry;
  return registry;
}

double timer_cost_ns() {
  std::vector<double> ns(1001);
  for (auto& v : ns) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto t1 = std::chrono::steady_clock::now();
    v = std::chrono::duration<double, std::nano>(t1 - t0).count();
  }
  std::nth_element(ns.begin(), ns.begin() + 500, ns.end());
  return ns[500];
}

double memo_oracle(const std::string& kind, const std::string& workload, const std::vector<double>& p,
                   std::size_t capacity) {
  static std::mutex mutex;
  static std::map<std::tuple<std::string, std::string, std::size_t, std::size_t>, double> memo;
  const auto key = std::make_tuple(kind, workload, p.size(), capacity);
  {
    std::lock_guard lock(mutex);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
  }
  double v = kind == "che"        ? che_lru_hit_ratio(p, static_cast<double>(capacity))
             : kind == "fifo_irm" ? fifo_irm_hit_ratio(p, static_cast<double>(capacity))
                                  : top_c_hit_ratio(p, capacity);
  std::lock_guard lock(mutex);
  memo[key] = v;
  return v;
}

}  // namespace hotbench::cache
