// The delivery ledger on hand-fed messages: each kind of wrong delivery is
// named, a right one passes, and the timed-run check (count + sequence sum +
// order) catches a loss even when a duplicate keeps the count right.
#include <gtest/gtest.h>

#include "queue/delivery.h"
#include "queue/message.h"

namespace hotbench::queue {
namespace {

using M = Message<64>;

std::string failure(const Delivery& d) {
  try {
    d.verify();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(Message, CarriesProducerAndSequenceAndDetectsDamage) {
  M m = M::make(3, 123456);
  EXPECT_EQ(m.producer(), 3u);
  EXPECT_EQ(m.seq(), 123456u);
  EXPECT_TRUE(m.intact());
  m.words[5] ^= 1;
  EXPECT_FALSE(m.intact());
  EXPECT_TRUE(Message<8>::make(1, 2).intact());
}

TEST(Delivery, ExactDeliveryPassesWithEveryCheck) {
  Delivery d(2, 2, 100);
  d.begin(3, true);  // batch 3: sequences 300..399
  for (std::uint64_t s = 300; s < 400; ++s) {
    d.accept(static_cast<int>(s % 2), M::make(0, s));
    d.accept(static_cast<int>((s + 1) % 2), M::make(1, s));
  }
  EXPECT_EQ(d.delivered(), 200u);
  EXPECT_EQ(failure(d), "");
}

TEST(Delivery, InversionsFailAFifoQueueAndAreOnlyCountedForOneThatPromisesNoOrder) {
  for (bool strict : {true, false}) {
    Delivery d(1, 1, 4, strict);
    d.begin(0, true);
    for (std::uint64_t s : {0, 2, 1, 3}) d.accept(0, M::make(0, s));  // 1 comes after 2
    EXPECT_EQ(d.order_inversions(), 1u);
    if (strict) {
      EXPECT_NE(failure(d).find("1 messages out of their producer's order"), std::string::npos) << failure(d);
    } else {
      EXPECT_EQ(failure(d), "");
    }
  }
  Delivery lossy(1, 1, 4, false);  // no promised order excuses nothing else
  lossy.begin(0, true);
  for (std::uint64_t s : {0, 2, 1, 1}) lossy.accept(0, M::make(0, s));
  EXPECT_NE(failure(lossy).find("1 messages never delivered, 1 delivered twice"), std::string::npos) << failure(lossy);
}

TEST(Delivery, NamesLossDuplicateDisorderDamageAndStrangers) {
  for (bool full : {false, true}) {
    Delivery lost(1, 1, 10);
    lost.begin(0, full);
    for (std::uint64_t s = 0; s < 9; ++s) lost.accept(0, M::make(0, s));
    EXPECT_NE(failure(lost).find("producer 0: 9 of 10"), std::string::npos) << failure(lost);

    // A duplicate replacing a loss keeps the count: the sequence sum (and, in
    // the full check, the per-message table) still sees it.
    Delivery swapped(1, 2, 10);
    swapped.begin(0, full);
    for (std::uint64_t s = 0; s < 10; ++s) swapped.accept(0, M::make(0, s == 7 ? 6 : s));
    EXPECT_NE(failure(swapped), "");
    swapped.begin(0, full);
    for (std::uint64_t s = 0; s < 10; ++s) swapped.accept(s < 7 ? 0 : 1, M::make(0, s == 7 ? 6 : s));
    EXPECT_NE(failure(swapped).find("sequence numbers differ"), std::string::npos) << failure(swapped);
    if (full) {
      EXPECT_NE(failure(swapped).find("1 messages never delivered, 1 delivered twice"), std::string::npos);
    }

    Delivery disorder(1, 1, 10);
    disorder.begin(0, full);
    for (std::uint64_t s : {0, 1, 3, 2, 4, 5, 6, 7, 8, 9}) disorder.accept(0, M::make(0, s));
    EXPECT_NE(failure(disorder).find("1 messages out of their producer's order"), std::string::npos);

    Delivery damaged(1, 1, 10);
    damaged.begin(0, full);
    for (std::uint64_t s = 0; s < 10; ++s) {
      M m = M::make(0, s);
      if (s == 4) m.words[7] = 0;
      damaged.accept(0, m);
    }
    EXPECT_NE(failure(damaged).find("1 messages with a damaged payload"), std::string::npos);

    Delivery stranger(1, 1, 10);
    stranger.begin(1, full);  // batch 1: 10..19; a leftover from batch 0 and an unknown producer
    stranger.accept(0, M::make(0, 5));
    stranger.accept(0, M::make(9, 12));
    EXPECT_NE(failure(stranger).find("2 messages with an unknown producer or a sequence outside the batch"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace hotbench::queue
