// W-TinyLFU's reference model, and proof that comparing against it catches a
// policy whose rules differ: the policy built with each altered rule (a test
// double, WTinyLfu<..., Altered>) must decide differently from the model on the
// same random operations that the registered policy agrees with it on.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <list>
#include <map>
#include <tuple>

#include "cache/maps/maps.h"
#include "cache/policies/wtinylfu.h"
#include "reference_models.h"

namespace hotbench::cache {
namespace {

// The rules, written out plainly (slow: linear searches, a std::map of counters):
//
// - Regions: a window LRU of max(1, capacity / 100) entries; the rest (main) is
//   a probation LRU and a protected LRU of at most 80 % of main (rounded down).
//   Lists here: front = most recent, back = oldest.
// - Frequency sketch: 4 rows of counters, each row as wide as the smallest power
//   of two >= max(16, capacity); row r counts hash h at index
//   (h * seed_r mod 2^64) >> (64 - log2 width), with the seeds below. Recording
//   adds one to each row's counter (at most 15); the estimate is the smallest of
//   the four. After 10 x capacity recordings every counter is halved (rounding
//   down) and so is the number of recordings. Hash collisions change decisions,
//   so these hash functions are part of the rules.
// - Recorded: every get (hit or miss) and every put of a resident key; a put of
//   a new key is not.
// - A resident key's access: in probation it moves to protected's front, and if
//   protected then holds more than its share its oldest key moves to probation's
//   front; in the window or protected it moves to its list's front.
// - A new key, when the cache is full, first makes room: the victim is
//   probation's oldest key, or protected's if probation is empty. If the window
//   holds fewer than its share (or nothing), the victim goes. Otherwise the
//   window's oldest key is the candidate: with no victim (capacity 1) the
//   candidate goes; if the sketch estimates the candidate strictly above the
//   victim, the victim goes and the candidate moves to probation's front; else
//   the candidate goes. Then the new key enters the window's front; if the
//   window now holds more than its share while main holds less than its share,
//   the window's oldest key moves to probation's front (no contest).
class ModelWTinyLfu final : public test::ReferenceModel {
 public:
  explicit ModelWTinyLfu(std::size_t c)
      : capacity_(c),
        window_share_(std::max<std::size_t>(1, c / 100)),
        main_share_(c - window_share_),
        protected_share_(main_share_ * 80 / 100),
        width_(std::bit_ceil(std::max<std::size_t>(16, c))) {}

  bool access(std::uint64_t key, std::uint64_t hash, bool write) override {
    hash_[key] = hash;
    if (std::list<std::uint64_t>* in = region_of(key)) {
      record(hash);
      in->remove(key);
      if (in == &probation_) {
        protected_.push_front(key);
        if (protected_.size() > protected_share_) {
          probation_.push_front(protected_.back());
          protected_.pop_back();
        }
      } else {
        in->push_front(key);
      }
      return true;
    }
    if (!write) record(hash);
    if (window_.size() + probation_.size() + protected_.size() == capacity_) make_room();
    window_.push_front(key);
    if (window_.size() > window_share_ && probation_.size() + protected_.size() < main_share_) {
      probation_.push_front(window_.back());
      window_.pop_back();
    }
    return false;
  }

 private:
  std::list<std::uint64_t>* region_of(std::uint64_t key) {
    for (auto* list : {&window_, &probation_, &protected_})
      if (std::find(list->begin(), list->end(), key) != list->end()) return list;
    return nullptr;
  }
  void make_room() {
    std::list<std::uint64_t>* victim_list = !probation_.empty() ? &probation_ : !protected_.empty() ? &protected_ : nullptr;
    if (window_.size() < window_share_ || window_.empty()) {
      victim_list->pop_back();
      return;
    }
    const std::uint64_t candidate = window_.back();
    if (!victim_list) {
      window_.pop_back();
      return;
    }
    if (estimate(hash_[candidate]) > estimate(hash_[victim_list->back()])) {
      victim_list->pop_back();
      window_.pop_back();
      probation_.push_front(candidate);
    } else {
      window_.pop_back();
    }
  }

  std::size_t index(std::uint64_t hash, int row) const {
    static constexpr std::uint64_t kSeeds[4] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL,
                                                0xd6e8feb86659fd93ULL};
    return static_cast<std::size_t>((hash * kSeeds[row]) >> (64 - std::countr_zero(width_)));
  }
  void record(std::uint64_t hash) {
    for (int row = 0; row < 4; ++row) {
      int& c = counters_[{row, index(hash, row)}];
      c = std::min(15, c + 1);
    }
    if (++recordings_ >= 10 * capacity_) {
      for (auto& [where, c] : counters_) c /= 2;
      recordings_ /= 2;
    }
  }
  int estimate(std::uint64_t hash) {
    int e = 15;
    for (int row = 0; row < 4; ++row) e = std::min(e, counters_[{row, index(hash, row)}]);
    return e;
  }

  std::size_t capacity_, window_share_, main_share_, protected_share_, width_;
  std::list<std::uint64_t> window_, probation_, protected_;
  std::map<std::pair<int, std::size_t>, int> counters_;
  std::size_t recordings_ = 0;
  std::map<std::uint64_t, std::uint64_t> hash_;  // key -> its hash, for victims and candidates
};
HOTBENCH_REGISTER(ModelWTinyLfu) { ::hotbench::cache::test::add_reference_model<ModelWTinyLfu>("wtinylfu"); }
// Altered rules, one change each. The tests below need the registered policy
// (WTinyLfuRules) to agree with the model and each of these to disagree.
struct AdmitTies : WTinyLfuRules {
  static constexpr bool kAdmitTies = true;
};
struct Protected70 : WTinyLfuRules {
  static constexpr std::size_t kProtectedPercent = 70;
};
struct Window2 : WTinyLfuRules {
  static constexpr std::size_t kWindowPercent = 2;
};
struct AgesLater : WTinyLfuRules {
  static constexpr std::size_t kSampleFactor = 20;
};
struct RecordsNewPuts : WTinyLfuRules {
  static constexpr bool kRecordNewPuts = true;
};

// Whether the policy with Rules over every map and key type decides exactly as
// the model on the shapes below; the first difference otherwise.
template <class Rules>
std::string difference_from_model() {
  const test::ModelMaker& model = test::reference_models().at("wtinylfu");
  std::string found;
  using Shape = std::tuple<std::size_t, std::uint64_t, std::size_t>;  // capacity, keys, requests
  for (const auto& [capacity, keys, requests] : {Shape{5, 64, 3000}, Shape{40, 64, 3000}, Shape{250, 1000, 20000}}) {
    for (std::uint64_t seed : {1, 2}) {
      const auto ops = test::random_ops(requests, keys, seed);
      const std::size_t c = capacity;  // a plain variable: the lambda below captures it
      const auto want = test::model_hits<std::uint64_t>(model, c, ops);
      const auto want_string = test::model_hits<std::string>(model, c, ops);
      for_each_map([&]<template <class> class Map>(const char* map) {
        AnyCacheOf<std::uint64_t, WTinyLfu<std::uint64_t, Map<std::uint64_t>, Entries, Rules>> u(c, 16);
        AnyCacheOf<std::string, WTinyLfu<std::string, Map<std::string>, Entries, Rules>> s(c, 16);
        const std::string where = std::string(" (") + map + ", capacity " + std::to_string(c) + ", seed " +
                                  std::to_string(seed);
        if (std::string d = test::first_difference(test::replay(u, ops, 16), want, ops); !d.empty() && found.empty())
          found = d + where + ", integer keys)";
        if (std::string d = test::first_difference(test::replay(s, ops, 16), want_string, ops);
            !d.empty() && found.empty())
          found = d + where + ", string keys)";
      });
    }
  }
  return found;
}

TEST(WTinyLfuModel, TheRegisteredRulesAgreeWithTheModel) {
  EXPECT_EQ(difference_from_model<WTinyLfuRules>(), "");
}

TEST(WTinyLfuModel, EachAlteredRuleIsCaught) {
  EXPECT_NE(difference_from_model<AdmitTies>(), "") << "admitting ties went unnoticed";
  EXPECT_NE(difference_from_model<Protected70>(), "") << "a 70 % protected share went unnoticed";
  EXPECT_NE(difference_from_model<Window2>(), "") << "a 2 % window went unnoticed";
  EXPECT_NE(difference_from_model<AgesLater>(), "") << "aging after 20 x capacity went unnoticed";
  EXPECT_NE(difference_from_model<RecordsNewPuts>(), "") << "counting new keys' puts went unnoticed";
}

}  // namespace
}  // namespace hotbench::cache
