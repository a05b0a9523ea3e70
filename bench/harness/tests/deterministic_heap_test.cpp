// The instruction-count build's malloc (deterministic_heap.h), called directly:
// every block 64-byte aligned, a freed block is the next one handed out for its
// size class (so the cost of an allocation does not depend on history),
// realloc keeps the bytes, over-aligned requests are honoured.
#include "harness/deterministic_heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace hotbench::deterministic_heap {
namespace {

bool aligned(const void* p, std::size_t a) { return reinterpret_cast<std::uintptr_t>(p) % a == 0; }

TEST(DeterministicHeap, EveryBlockIs64ByteAlignedAndUsable) {
  std::vector<void*> blocks;
  for (std::size_t n : {1, 7, 63, 64, 65, 1000, 4032, 4033, 100000, 5000000}) {
    void* p = allocate(n);
    ASSERT_NE(p, nullptr) << n;
    EXPECT_TRUE(aligned(p, 64)) << n;
    EXPECT_GE(usable_size(p), n);
    std::memset(p, 0xab, n);  // the whole request is writable (ASan would say otherwise)
    blocks.push_back(p);
  }
  for (void* p : blocks) release(p);
}

TEST(DeterministicHeap, AFreedBlockIsReusedFirstWithinItsClass) {
  void* a = allocate(100);
  void* b = allocate(100);
  release(a);
  EXPECT_EQ(allocate(90), a);  // same class (two 64-byte lines with the header), last freed first
  void* big = allocate(3000);
  EXPECT_NE(big, a);
  release(b);
  release(big);
  release(a);
}

TEST(DeterministicHeap, ReallocKeepsTheBytesAndGrowsInPlaceWhileTheClassAllows) {
  auto* p = static_cast<char*>(allocate(10));
  std::memcpy(p, "0123456789", 10);
  EXPECT_EQ(reallocate(p, usable_size(p)), p);
  auto* q = static_cast<char*>(reallocate(p, 10000));
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(std::memcmp(q, "0123456789", 10), 0);
  EXPECT_EQ(reallocate(q, 0), nullptr);
}

TEST(DeterministicHeap, OverAlignedRequestsAreHonouredAndFreeable) {
  for (std::size_t a : {128, 4096}) {
    void* p = allocate(300, a);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(aligned(p, a)) << a;
    EXPECT_GE(usable_size(p), 300u);
    release(p);
  }
  EXPECT_EQ(allocate(8, 96), nullptr);  // not a power of two
}

}  // namespace
}  // namespace hotbench::deterministic_heap
