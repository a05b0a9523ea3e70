#include "workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "cache.h"

namespace hotbench::cache {

namespace {
// Uniform double in [0, 1) from 53 random bits.
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
constexpr double kScanShare = 0.5;      // scan workload: half the requests continue a scan
constexpr double kHotShare = 0.05;      // over the keys outside a hot set of 5 % of keys
}  // namespace

std::string requests_shape_error(const Requests& r, std::uint64_t key_count) {
  if (!r.writes.empty() && r.writes.size() != r.ids.size())
    return std::to_string(r.ids.size()) + " requests but " + std::to_string(r.writes.size()) + " write flags";
  if (!r.sizes.empty() && r.sizes.size() != r.ids.size())
    return std::to_string(r.ids.size()) + " requests but " + std::to_string(r.sizes.size()) + " sizes";
  for (std::size_t i = 0; i < r.ids.size(); ++i)
    if (r.ids[i] >= key_count)
      return "request " + std::to_string(i) + ": key id " + std::to_string(r.ids[i]) + " outside the " +
             std::to_string(key_count) + " keys";
  return {};
}

std::string WorkloadSpec::name() const {
  std::string n;
  if (popularity == Popularity::uniform) n = "uniform";
  else if (popularity == Popularity::scan) n = "scan";
  else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "zipf%g", zipf_exponent);
    n = buf;
  }
  if (write_fraction > 0) n += "-rw" + std::to_string(static_cast<int>(std::lround(write_fraction * 100)));
  return n;
}

WorkloadSpec parse_workload(const std::string& text) {
  WorkloadSpec s;
  std::string base = text;
  auto rw = text.find("-rw");
  if (rw != std::string::npos) {
    base = text.substr(0, rw);
    char* end = nullptr;
    const std::string pct = text.substr(rw + 3);
    const long p = std::strtol(pct.c_str(), &end, 10);
    if (pct.empty() || *end != '\0' || p <= 0 || p > 100)
      throw std::invalid_argument("workload '" + text + "': -rwN wants a write percentage 1..100");
    s.write_fraction = static_cast<double>(p) / 100;
  }
  if (base == "uniform") s.popularity = Popularity::uniform;
  else if (base == "scan") s.popularity = Popularity::scan;
  else if (base.rfind("zipf", 0) == 0) {
    char* end = nullptr;
    s.zipf_exponent = std::strtod(base.c_str() + 4, &end);
    if (base.size() == 4 || *end != '\0' || !(s.zipf_exponent > 0 && s.zipf_exponent <= 5))
      throw std::invalid_argument("workload '" + text + "': zipf wants an exponent in (0, 5], e.g. zipf0.99");
  } else {
    throw std::invalid_argument("unknown workload '" + text + "' (known: zipf<a> such as zipf0.99, uniform, scan; "
                                "append -rw<N> for N % writes)");
  }
  return s;
}

std::vector<double> zipf_probabilities(std::uint64_t keys, double exponent) {
  std::vector<double> p(keys);
  double sum = 0;
  // Summed from the smallest terms up, for accuracy.
  for (std::uint64_t r = keys; r-- > 0;) sum += (p[r] = std::pow(static_cast<double>(r + 1), -exponent));
  for (double& v : p) v /= sum;
  return p;
}

Workload::Workload(const WorkloadSpec& spec) : spec_(spec) {
  if (spec.keys == 0) throw std::invalid_argument("empty key space (keys=0)");
  if (spec.keys > (1ULL << 31)) throw std::invalid_argument("key space above 2^31 keys is not supported");
  perm_.resize(spec.keys);
  for (std::uint32_t i = 0; i < spec.keys; ++i) perm_[i] = i;
  std::mt19937_64 rng(spec.seed);
  for (std::size_t i = perm_.size() - 1; i > 0; --i) {  // Fisher-Yates with an exact bounded draw
    std::uniform_int_distribution<std::size_t> pick(0, i);
    std::swap(perm_[i], perm_[pick(rng)]);
  }
  if (spec.popularity == Popularity::zipf) probability_ = zipf_probabilities(spec.keys, spec.zipf_exponent);
  else if (spec.popularity == Popularity::uniform) probability_.assign(spec.keys, 1.0 / static_cast<double>(spec.keys));
  if (!probability_.empty()) {
    cumulative_.resize(probability_.size());
    double c = 0;
    for (std::size_t i = 0; i < probability_.size(); ++i) cumulative_[i] = (c += probability_[i]);
    cumulative_.back() = 1.0;
  }
}

Requests Workload::generate(std::size_t count, std::uint64_t stream) const {
  Requests r;
  r.ids.resize(count);
  std::mt19937_64 rng(mix64(spec_.seed ^ mix64(stream + 1)));
  const std::uint64_t n = spec_.keys;
  const std::uint64_t hot = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(kHotShare * static_cast<double>(n)));
  // Each stream starts its scan at a different place in the cold keys.
  std::uint64_t scan_pos = n > hot ? rng() % (n - hot) : 0;
  for (auto& id : r.ids) {
    const double u = unit(rng);
    std::uint64_t rank;
    switch (spec_.popularity) {
      case Popularity::zipf:  // inverse CDF: the first rank whose cumulative probability exceeds u
        rank = static_cast<std::uint64_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
        if (rank >= n) rank = n - 1;
        break;
      case Popularity::uniform:
        rank = std::min<std::uint64_t>(n - 1, static_cast<std::uint64_t>(u * static_cast<double>(n)));
        break;
      case Popularity::scan:
      default:
        if (u < kScanShare && n > hot) {
          rank = hot + scan_pos;
          scan_pos = (scan_pos + 1) % (n - hot);
        } else {
          rank = rng() % hot;
        }
        break;
    }
    id = perm_[rank];
  }
  if (spec_.write_fraction > 0) {
    r.writes.resize(count);
    for (auto& w : r.writes) w = unit(rng) < spec_.write_fraction;
  }
  return r;
}

}  // namespace hotbench::cache
