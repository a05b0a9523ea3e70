// W-TinyLFU (Einziger, Friedman, Manes 2017; Caffeine's design): a window LRU
// (1 % of capacity) in front of a segmented LRU main region (20 % probation,
// 80 % protected). A key leaving the window enters main only if a count-min
// sketch says it is requested more often than main's next victim. The sketch
// has 4 rows of saturating 4-bit counters (stored in bytes) and halves every
// counter after 10 x capacity recorded requests (aging). No doorkeeper.
//
// The sketch records every get (hit or miss) and every put on a resident key;
// a put of a new key is not recorded (Caffeine also counts it).
//
// The rules' numbers are the template parameter Rules (WTinyLfuRules for the
// registered policy), so the tests can build altered policies and show that
// the reference model (bench/cache/tests/wtinylfu_test.cpp) tells them apart.
#pragma once

#include <algorithm>
#include <bit>
#include <vector>

#include "../cache.h"

namespace hotbench::cache {

struct WTinyLfuRules {
  static constexpr std::size_t kWindowPercent = 1;      // window share of capacity (at least 1 entry)
  static constexpr std::size_t kProtectedPercent = 80;  // protected share of the main region
  static constexpr std::size_t kSampleFactor = 10;      // the sketch halves after this x capacity records
  static constexpr bool kAdmitTies = false;             // admit a candidate counted as often as the victim
  static constexpr bool kRecordNewPuts = false;         // storing a new key also counts it in the sketch
};

class CountMinSketch {
 public:
  CountMinSketch(std::size_t capacity, std::size_t sample_factor)
      : width_(std::bit_ceil(std::max<std::size_t>(16, capacity))),
        shift_(64 - std::countr_zero(width_)),
        counters_(kRows * width_, 0),
        sample_size_(sample_factor * capacity) {}
  void record(std::uint64_t h) {
    for (int r = 0; r < kRows; ++r) {
      std::uint8_t& c = counters_[r * width_ + slot(h, r)];
      if (c < 15) ++c;
    }
    if (++recorded_ >= sample_size_) age();
  }
  int estimate(std::uint64_t h) const {
    int e = 15;
    for (int r = 0; r < kRows; ++r) e = std::min<int>(e, counters_[r * width_ + slot(h, r)]);
    return e;
  }

 private:
  static constexpr int kRows = 4;
  static constexpr std::uint64_t kSeeds[kRows] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                                  0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL};
  std::size_t slot(std::uint64_t h, int r) const { return static_cast<std::size_t>((h * kSeeds[r]) >> shift_); }
  void age() {
    for (auto& c : counters_) c >>= 1;
    recorded_ /= 2;
  }
  std::size_t width_;
  int shift_;
  std::vector<std::uint8_t> counters_;
  std::size_t sample_size_, recorded_ = 0;
};

// In a sized cache the window, main and protected shares are shares of the
// limit's weight (bytes), the sketch is as wide as the most keys the cache can
// hold, and a new key may take several contests: each evicts one key (the
// victim or the candidate) until the key fits.
template <class Key, class Index, class Bound = Entries, class Rules = WTinyLfuRules>
class WTinyLfu : public CacheCore<WTinyLfu<Key, Index, Bound, Rules>, Key, Index, Bound> {
  using Core = CacheCore<WTinyLfu<Key, Index, Bound, Rules>, Key, Index, Bound>;
  friend Core;
  enum Region : std::uint8_t { kWindow, kProbation, kProtected };

 public:
  WTinyLfu(CapacityOf<Bound> capacity, std::size_t value_bytes)
      : Core(capacity, value_bytes),
        links_(slots_of(capacity)),
        region_(slots_of(capacity), kWindow),
        window_target_(std::max<std::uint64_t>(1, budget_of(capacity) * Rules::kWindowPercent / 100)),
        main_target_(budget_of(capacity) - std::min(budget_of(capacity), window_target_)),
        protected_target_(main_target_ * Rules::kProtectedPercent / 100),
        sketch_(slots_of(capacity), Rules::kSampleFactor) {}

 private:
  SlotList& list(Region r) { return r == kWindow ? window_ : r == kProbation ? probation_ : protected_; }
  std::uint64_t weight(Region r) const {
    return weight_[r].of(r == kWindow ? window_ : r == kProbation ? probation_ : protected_);
  }
  void move(std::uint32_t s, Region to) {
    list(static_cast<Region>(region_[s])).remove(links_, s);
    if constexpr (Bound::sized) weight_[region_[s]].sub(this->weight_at(s));
    region_[s] = to;
    list(to).push_head(links_, s);
    if constexpr (Bound::sized) weight_[to].add(this->weight_at(s));
  }

  void on_hit(std::uint32_t s) {
    sketch_.record(key_hash(this->key_at(s)));
    if (region_[s] == kProbation) {
      move(s, kProtected);
      if constexpr (Bound::sized) {
        while (weight(kProtected) > protected_target_) move(protected_.tail(), kProbation);
      } else if (protected_.size() > protected_target_) {
        move(protected_.tail(), kProbation);
      }
    } else {
      list(static_cast<Region>(region_[s])).move_to_head(links_, s);
    }
  }
  void on_miss(const Key& key) { sketch_.record(key_hash(key)); }

  std::uint32_t place([[maybe_unused]] const Key& key) {
    if constexpr (Rules::kRecordNewPuts) sketch_.record(key_hash(key));
    if constexpr (Bound::sized) this->make_room([&] { contest(); });
    else if (this->full()) contest();
    const std::uint32_t s = this->fresh_slot();
    region_[s] = kWindow;
    window_.push_head(links_, s);
    if constexpr (Bound::sized) weight_[kWindow].add(this->weight_at(s));
    // Not full yet: a window overflow moves to probation without a contest.
    if constexpr (Bound::sized) {
      while (weight(kWindow) > window_target_ &&
             weight(kProbation) + weight(kProtected) + this->weight_at(window_.tail()) <= main_target_)
        move(window_.tail(), kProbation);
    } else if (window_.size() > window_target_ && probation_.size() + protected_.size() < main_target_) {
      move(window_.tail(), kProbation);
    }
    return s;
  }

  // The cache is full: the window's oldest key competes with main's victim.
  void contest() {
    const std::uint32_t victim = !probation_.empty() ? probation_.tail() : protected_.tail();
    if ((Bound::sized ? weight(kWindow) : window_.size()) < window_target_ || window_.empty()) {  // main holds more than its share
      drop(victim);
      return;
    }
    const std::uint32_t candidate = window_.tail();
    if (victim == kNoSlot) {  // no main region (capacity 1)
      drop(candidate);
      return;
    }
    const int candidate_count = sketch_.estimate(key_hash(this->key_at(candidate)));
    const int victim_count = sketch_.estimate(key_hash(this->key_at(victim)));
    if (Rules::kAdmitTies ? candidate_count >= victim_count : candidate_count > victim_count) {
      drop(victim);
      move(candidate, kProbation);
    } else {
      drop(candidate);
    }
  }
  void drop(std::uint32_t s) {
    list(static_cast<Region>(region_[s])).remove(links_, s);
    if constexpr (Bound::sized) weight_[region_[s]].sub(this->weight_at(s));
    this->evict(s);
  }

  SlotLinks links_;
  SlotList window_, probation_, protected_;
  std::vector<std::uint8_t> region_;
  std::uint64_t window_target_, main_target_, protected_target_;
  CountMinSketch sketch_;
  [[no_unique_address]] QueueWeight<Bound> weight_[3];  // by Region
};

}  // namespace hotbench::cache
