// A log-linear latency histogram in the style of HdrHistogram: exact below 128,
// then 128 linear sub-buckets per power of two, so any recorded value is
// reported within 1/256 (0.4 %) of itself (bucket midpoint; buckets are at most
// 1/128 of their value wide). Recording is an index computation and an
// increment, cheap enough for per-message latencies; histograms of the same
// kind merge by adding counts, so per-thread histograms combine exactly.
//
// Values are unsigned integers in whatever unit the caller records (we record
// nanoseconds). Suites export the result as counters p50_ns, p90_ns, p99_ns,
// p999_ns, max_ns and mean_ns (see counters()).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace hotbench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;  // 128
  // Values below 128 have a bucket each; above, bit width 8..64 gives 57 groups.
  static constexpr std::size_t kBuckets = kSubBuckets + (64 - kSubBucketBits) * kSubBuckets;

  static constexpr std::size_t index_of(std::uint64_t v) {
    if (v < kSubBuckets) return static_cast<std::size_t>(v);
    const int shift = std::bit_width(v) - 1 - kSubBucketBits;  // >= 0
    return static_cast<std::size_t>(kSubBuckets + static_cast<std::uint64_t>(shift) * kSubBuckets +
                                    ((v >> shift) - kSubBuckets));
  }
  // The smallest value that lands in bucket i, and the bucket's width.
  static constexpr std::uint64_t lower_bound(std::size_t i) {
    if (i < kSubBuckets) return i;
    const std::uint64_t shift = (i - kSubBuckets) / kSubBuckets;
    return (kSubBuckets + (i - kSubBuckets) % kSubBuckets) << shift;
  }
  static constexpr std::uint64_t width(std::size_t i) {
    return i < kSubBuckets ? 1 : std::uint64_t{1} << ((i - kSubBuckets) / kSubBuckets);
  }

  void record(std::uint64_t v) {
    ++counts_[index_of(v)];
    ++count_;
    sum_ += static_cast<double>(v);
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }

  void merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  void clear() { *this = LatencyHistogram{}; }

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }

  // The value at quantile q (0 < q <= 1): the midpoint of the bucket holding
  // the ceil(q x count)-th smallest value, clamped to the exact min and max.
  double quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const double mid = static_cast<double>(lower_bound(i)) + (static_cast<double>(width(i)) - 1) / 2;
        return std::clamp(mid, static_cast<double>(min()), static_cast<double>(max_));
      }
    }
    return static_cast<double>(max_);
  }

  // p50_ns, p90_ns, p99_ns, p999_ns (p99.9), max_ns and mean_ns, minus a fixed
  // cost (the timer's own, measured by the caller) that is not the operation's.
  std::vector<std::pair<std::string, double>> counters(double subtract_ns = 0) const {
    auto net = [&](double v) { return std::max(0.0, v - subtract_ns); };
    return {{"p50_ns", net(quantile(0.50))},  {"p90_ns", net(quantile(0.90))},
            {"p99_ns", net(quantile(0.99))},  {"p999_ns", net(quantile(0.999))},
            {"max_ns", net(static_cast<double>(max()))}, {"mean_ns", net(mean())}};
  }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
};

}  // namespace hotbench
