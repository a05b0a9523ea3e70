// Request streams, generated before any timing from recorded seeds.
//
// Keys are ids 0..keys-1. Popularity rank r (0 = most popular) maps to id
// perm[r], a seeded shuffle, so popular keys are not adjacent integers; the
// 8-byte key of an id is mix64(id) (a bijection) and its string key "user:<id>".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../harness/lazy.h"

namespace hotbench::cache {

enum class Popularity { zipf, uniform, scan };

struct WorkloadSpec {
  Popularity popularity = Popularity::zipf;
  double zipf_exponent = 0.99;
  std::uint64_t keys = 100'000;   // key space
  double write_fraction = 0;      // share of requests that are puts (read/write mix)
  std::uint64_t seed = 42;

  // zipf0.99, uniform, scan (+ "-rw10" for a 10 % write mix).
  std::string name() const;
  // IRM workloads (independent requests with fixed probabilities) have oracles.
  bool independent() const { return popularity != Popularity::scan; }
};

// Parses zipf<a>, uniform, scan; throws std::invalid_argument naming the text.
WorkloadSpec parse_workload(const std::string& text);

struct Requests {
  std::vector<std::uint32_t> ids;   // key id per request
  std::vector<std::uint8_t> writes;  // empty, or 1 where the request is a put
  std::vector<std::uint32_t> sizes = {};  // empty, or the object's size in bytes per request (traces)
};

// Why a replay of `r` over key ids 0..key_count-1 would read outside its
// arrays (writes or sizes not paired with ids, an id without a key), or "" when it
// cannot. Cases call it in check(), so the timed loops index without tests.
std::string requests_shape_error(const Requests& r, std::uint64_t key_count);

// A request stream shared by the rows that replay it, generated when the first of them is made
// (lazy.h): a process that lists, describes or filters rows generates none it does not run.
using Stream = Shared<Requests>;

class Workload {
 public:
  explicit Workload(const WorkloadSpec& spec);
  const WorkloadSpec& spec() const { return spec_; }

  // `count` requests from stream number `stream` (0 = warm-up, 1 = measured...).
  Requests generate(std::size_t count, std::uint64_t stream) const;

  // Request probability of each popularity rank, descending (IRM workloads).
  const std::vector<double>& rank_probabilities() const { return probability_; }
  std::uint32_t id_of_rank(std::uint64_t rank) const { return perm_[rank]; }

 private:
  WorkloadSpec spec_;
  std::vector<std::uint32_t> perm_;  // rank -> id
  std::vector<double> probability_;  // by rank
  std::vector<double> cumulative_;   // by rank, for inverse-CDF sampling
};

// Exact Zipf probabilities p_r = (r+1)^-a / H(N, a), r = 0..N-1.
std::vector<double> zipf_probabilities(std::uint64_t keys, double exponent);

inline std::string string_key(std::uint32_t id) { return "user:" + std::to_string(id); }

}  // namespace hotbench::cache
