#include "harness/lazy.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace hotbench {
namespace {

TEST(Shared, MakesNothingUntilUsedThenOnceForEveryHolder) {
  int made = 0;
  const Shared<std::vector<int>> stream = Shared<std::vector<int>>::later([&made] {
    ++made;
    return std::vector<int>{1, 2, 3};
  });
  const Shared<std::vector<int>> copy = stream;  // a second row holding the same stream
  EXPECT_EQ(made, 0);                            // registering rows makes no data
  EXPECT_TRUE(stream);
  EXPECT_EQ(stream.shared()->size(), 3u);
  EXPECT_EQ(copy.shared().get(), stream.shared().get());  // one copy, shared
  EXPECT_EQ((*copy)[2], 3);
  EXPECT_EQ(made, 1);
}

TEST(Shared, HoldsWhatWasAlreadyMadeAndNothing) {
  auto made = std::make_shared<std::vector<int>>(std::vector<int>{7});
  const Shared<std::vector<int>> held = made;
  EXPECT_EQ(held.shared().get(), made.get());
  const Shared<std::vector<int>> none;
  EXPECT_FALSE(none);
  EXPECT_EQ(none.shared(), nullptr);
  const Shared<std::vector<int>> null_made = std::shared_ptr<std::vector<int>>();
  EXPECT_FALSE(null_made);
}

TEST(Shared, ThreadsFirstUsingItAtOnceGetOneMaking) {
  std::atomic<int> made{0};
  const auto stream = Shared<std::vector<int>>::later([&made] {
    made.fetch_add(1);
    return std::vector<int>(1000, 5);
  });
  std::vector<const std::vector<int>*> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < seen.size(); ++t)
    threads.emplace_back([&, t] { seen[t] = stream.shared().get(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  for (const auto* p : seen) EXPECT_EQ(p, seen[0]);
}

}  // namespace
}  // namespace hotbench
