#include "deterministic_heap.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <cstring>

namespace hotbench::deterministic_heap {
namespace {

constexpr std::size_t kAlign = 64;
constexpr std::size_t kSmallLimit = 4096;                 // classes of 64 bytes up to here
constexpr std::size_t kSmallClasses = kSmallLimit / kAlign;  // 64
constexpr std::size_t kClasses = kSmallClasses + 64;        // then one class per power of two
constexpr std::size_t kArenaChunk = std::size_t{64} << 20;

// Every block is [header][payload]; the header is one 64-byte line, so the
// payload is 64-byte aligned. An over-aligned block keeps the header just
// before its aligned payload and points back at the block's start.
struct alignas(kAlign) Header {
  void* block;           // where the block starts (its free-list node)
  std::size_t klass;     // size class of the block
  std::size_t capacity;  // payload bytes usable from the payload pointer
};
static_assert(sizeof(Header) == kAlign);

struct FreeNode {
  FreeNode* next;
};

FreeNode* g_free[kClasses];
char* g_arena = nullptr;
std::size_t g_arena_left = 0;
std::atomic_flag g_lock = ATOMIC_FLAG_INIT;  // no allocation, no static initialisation order

struct Lock {
  Lock() {
    while (g_lock.test_and_set(std::memory_order_acquire)) {
    }
  }
  ~Lock() { g_lock.clear(std::memory_order_release); }
};

std::size_t class_of(std::size_t bytes) {  // bytes includes the header
  if (bytes <= kSmallLimit) return (bytes + kAlign - 1) / kAlign - 1;
  std::size_t k = 13;  // 2^13 is the first class above 4096
  while ((std::size_t{1} << k) < bytes) ++k;
  return kSmallClasses + (k - 13);
}

std::size_t class_bytes(std::size_t klass) {
  if (klass < kSmallClasses) return (klass + 1) * kAlign;
  return std::size_t{1} << (klass - kSmallClasses + 13);
}

void* bump(std::size_t bytes) {
  if (bytes > g_arena_left) {
    const std::size_t chunk = bytes > kArenaChunk ? bytes : kArenaChunk;
    void* m = mmap(nullptr, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return nullptr;
    g_arena = static_cast<char*>(m);  // the rest of the old chunk is left unused
    g_arena_left = chunk;
  }
  void* p = g_arena;
  g_arena += bytes;
  g_arena_left -= bytes;
  return p;
}

Header* header_of(const void* p) { return static_cast<Header*>(const_cast<void*>(p)) - 1; }

}  // namespace

void* allocate(std::size_t size, std::size_t alignment) {
  if (alignment < kAlign) alignment = kAlign;
  if (size > (std::size_t{1} << 46) || (alignment & (alignment - 1)) != 0) return nullptr;
  const std::size_t extra = alignment - kAlign;  // room to move the payload up to its alignment
  const std::size_t klass = class_of(sizeof(Header) + size + extra);
  void* block;
  {
    Lock lock;
    if (FreeNode* n = g_free[klass]) {
      g_free[klass] = n->next;
      block = n;
    } else {
      block = bump(class_bytes(klass));
      if (block == nullptr) return nullptr;
    }
  }
  auto start = reinterpret_cast<std::uintptr_t>(block) + sizeof(Header);
  const std::uintptr_t payload = (start + alignment - 1) & ~(std::uintptr_t{alignment} - 1);
  Header* h = header_of(reinterpret_cast<void*>(payload));
  h->block = block;
  h->klass = klass;
  h->capacity = class_bytes(klass) - (payload - reinterpret_cast<std::uintptr_t>(block));
  return reinterpret_cast<void*>(payload);
}

void release(void* p) {
  if (p == nullptr) return;
  Header* h = header_of(p);
  auto* n = static_cast<FreeNode*>(h->block);
  Lock lock;
  n->next = g_free[h->klass];
  g_free[h->klass] = n;
}

void* reallocate(void* p, std::size_t size) {
  if (p == nullptr) return allocate(size);
  if (size == 0) {
    release(p);
    return nullptr;
  }
  const std::size_t have = header_of(p)->capacity;
  if (size <= have) return p;
  void* q = allocate(size);
  if (q == nullptr) return nullptr;
  std::memcpy(q, p, have);
  release(p);
  return q;
}

std::size_t usable_size(const void* p) { return p ? header_of(p)->capacity : 0; }

}  // namespace hotbench::deterministic_heap
